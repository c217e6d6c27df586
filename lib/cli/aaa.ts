// `x-webhooks subscriptions aaa …`: Account Activity API subscriptions of users to a webhook.
import { EXIT, type Command, type Group } from './command.js'

const WEBHOOK_ID = [{ name: 'WEBHOOK_ID' }]

const subscribe: Command = {
  name: 'subscribe',
  summary: 'Subscribe the token\'s user to the webhook',
  args: WEBHOOK_ID,
  auth: 'user',
  examples: [
    'X_USER_TOKEN=... x-webhooks subscriptions aaa subscribe 1146654567674912769',
    'x-webhooks subscriptions aaa subscribe 1146654567674912769 --consumer-key K --consumer-secret S --access-token T --access-token-secret TS'
  ],
  async run (context) {
    const webhookId = context.args[0] as string
    const result = await context.client(true).aaa.subscribe(webhookId, context.userAuth())
    return context.outcome(result, result.subscribed, `Subscribed the user to webhook ${webhookId}.`, `X did not subscribe the user to webhook ${webhookId}.`)
  }
}

const check: Command = {
  name: 'check',
  summary: 'Is the token\'s user subscribed? (exit 1 when not)',
  args: WEBHOOK_ID,
  auth: 'user',
  examples: ['x-webhooks subscriptions aaa check 1146654567674912769 --user-token "$TOKEN" || echo "not subscribed"'],
  async run (context) {
    const webhookId = context.args[0] as string
    const subscribed = await context.client(true).aaa.isSubscribed(webhookId, context.userAuth())
    return context.outcome({ subscribed }, subscribed, `The user is subscribed to webhook ${webhookId}.`, `The user is not subscribed to webhook ${webhookId}.`)
  }
}

const list: Command = {
  name: 'list',
  summary: 'List the users subscribed to the webhook',
  args: WEBHOOK_ID,
  auth: 'app',
  examples: ['x-webhooks subscriptions aaa list 1146654567674912769', 'x-webhooks subscriptions aaa list 1146654567674912769 --json | jq -r \'.userIds[]\''],
  async run (context) {
    const result = await context.client().aaa.listSubscriptions(context.args[0] as string)
    const url = result.webhookUrl === undefined ? '' : ` (${result.webhookUrl})`
    context.out.result(result, [`Webhook ${result.webhookId}${url}: ${result.userIds.length} subscribed user(s)`, ...result.userIds])
    return EXIT.ok
  }
}

const unsubscribe: Command = {
  name: 'unsubscribe',
  summary: 'Unsubscribe a user from the webhook',
  args: WEBHOOK_ID,
  options: { 'user-id': { type: 'string', value: 'USER_ID', description: 'The user to unsubscribe', required: true } },
  auth: 'app',
  examples: ['x-webhooks subscriptions aaa unsubscribe 1146654567674912769 --user-id 2244994945'],
  async run (context) {
    const webhookId = context.args[0] as string
    const userId = context.values['user-id'] as string
    const result = await context.client().aaa.unsubscribe(webhookId, userId)
    return context.outcome(result, !result.subscribed, `Unsubscribed user ${userId} from webhook ${webhookId}.`, `User ${userId} is still subscribed to webhook ${webhookId}.`)
  }
}

const count: Command = {
  name: 'count',
  summary: 'Count the app\'s subscriptions',
  auth: 'app',
  examples: ['x-webhooks subscriptions aaa count', 'x-webhooks subscriptions aaa count --json | jq .subscriptionsCountAll'],
  async run (context) {
    const result = await context.client().aaa.countSubscriptions()
    const parts = [
      `${result.subscriptionsCountAll} subscription(s)`,
      result.subscriptionsCountDirectMessages === undefined ? '' : `, ${result.subscriptionsCountDirectMessages} with direct messages`,
      result.provisionedCount === undefined ? '' : `, of ${result.provisionedCount} provisioned`
    ]
    context.out.result(result, parts.join('') + '.')
    return EXIT.ok
  }
}

export const aaa: Group = {
  name: 'aaa',
  summary: 'Account Activity API: subscribe users to a webhook, check, list, unsubscribe, count',
  children: [subscribe, check, list, unsubscribe, count]
}
