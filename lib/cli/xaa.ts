// `x-webhooks subscriptions xaa …`: X Activity API subscriptions (`/2/activity/subscriptions`).
import type { XaaFilter, XaaSubscription } from '../client/types.js'
import { UsageError } from './args.js'
import { EXIT, type Command, type Group } from './command.js'

function line (subscription: XaaSubscription): string {
  const { subscriptionId, eventType, filter, tag, webhookId } = subscription
  return [subscriptionId, eventType, JSON.stringify(filter), tag !== undefined && `tag=${tag}`, webhookId !== undefined && `webhook=${webhookId}`]
    .filter(Boolean).join('  ')
}

const TAG = { type: 'string', value: 'TAG', description: 'Your label, sent back with each event' } as const
const WEBHOOK = { type: 'string', value: 'ID', description: 'The webhook that receives the events (default: the app\'s)' } as const

const create: Command = {
  name: 'create',
  summary: 'Subscribe to one event type of a user or keyword',
  synopsis: '--event-type TYPE (--user-id USER_ID | --keyword KEYWORD)',
  description: 'Public event types (profile, post.create/delete, broadcasts) work with the app\'s bearer token; private ones\n(dm.*, chat.*, …) need the user\'s OAuth 2.0 token with the matching scope (--user-token).',
  options: {
    'event-type': { type: 'string', value: 'TYPE', description: 'The event type, e.g. follow.follow, post.mention.create, dm.received', required: true },
    'user-id': { type: 'string', value: 'USER_ID', description: 'Filter: events of this user (or --keyword)' },
    keyword: { type: 'string', value: 'KEYWORD', description: 'Filter: events matching this keyword (or --user-id)' },
    direction: { type: 'string', value: 'inbound|outbound', description: 'Filter: only events to or from the user' },
    tag: TAG,
    'webhook-id': WEBHOOK,
    'user-token': { type: 'string', value: 'TOKEN', env: 'X_USER_TOKEN', description: 'The user\'s OAuth 2.0 token, for private event types' }
  },
  auth: 'app',
  examples: [
    'x-webhooks subscriptions xaa create --event-type follow.follow --user-id 2244994945 --tag follows',
    'x-webhooks subscriptions xaa create --event-type dm.received --user-id 2244994945 --direction inbound --user-token "$TOKEN"',
    'x-webhooks subscriptions xaa create --event-type news.new --keyword fastify --webhook-id 1146654567674912769 --json'
  ],
  async run (context) {
    const userId = context.option('user-id')
    const keyword = context.option('keyword')
    const direction = context.option('direction')
    if ((userId === undefined) === (keyword === undefined)) throw new UsageError('give exactly one filter: --user-id USER_ID or --keyword KEYWORD', context.help)
    const filter: XaaFilter = userId === undefined ? { keyword } : { user_id: userId }
    if (direction !== undefined) filter.direction = direction as XaaFilter['direction']
    const userToken = context.option('user-token')
    const subscription = await context.client().xaa.createSubscription(
      { eventType: context.values['event-type'] as string, filter, tag: context.option('tag'), webhookId: context.option('webhook-id') },
      userToken === undefined ? undefined : { userAccessToken: userToken }
    )
    context.out.result(subscription, `Created subscription ${line(subscription)}`)
    return EXIT.ok
  }
}

const list: Command = {
  name: 'list',
  summary: 'List the app\'s subscriptions (every page)',
  options: { 'max-results': { type: 'string', value: 'N', description: 'Subscriptions per request, 1 to 1000' } },
  auth: 'app',
  examples: ['x-webhooks subscriptions xaa list', 'x-webhooks subscriptions xaa list --json | jq -r \'.[] | select(.eventType == "dm.received") | .subscriptionId\''],
  async run (context) {
    const maxResults = context.integer('max-results')
    const all: XaaSubscription[] = []
    for await (const page of context.client().xaa.listSubscriptions(maxResults === undefined ? {} : { maxResults })) all.push(...page)
    context.out.result(all, all.length === 0 ? 'No subscriptions.' : all.map(line))
    return EXIT.ok
  }
}

const update: Command = {
  name: 'update',
  summary: 'Change a subscription\'s tag or webhook',
  args: [{ name: 'ID' }],
  options: { tag: TAG, 'webhook-id': WEBHOOK },
  auth: 'app',
  examples: ['x-webhooks subscriptions xaa update 1917566233347698688 --tag vip-follows', 'x-webhooks subscriptions xaa update 1917566233347698688 --webhook-id 1146654567674912769'],
  async run (context) {
    const tag = context.option('tag')
    const webhookId = context.option('webhook-id')
    if (tag === undefined && webhookId === undefined) throw new UsageError('nothing to change: give --tag TAG, --webhook-id ID or both', context.help)
    const subscription = await context.client().xaa.updateSubscription(context.args[0] as string, { tag, webhookId })
    context.out.result(subscription, `Updated subscription ${line(subscription)}`)
    return EXIT.ok
  }
}

const remove: Command = {
  name: 'delete',
  summary: 'Delete subscriptions (1 to 100 ids at once)',
  args: [{ name: 'ID', variadic: true }],
  auth: 'app',
  examples: ['x-webhooks subscriptions xaa delete 1917566233347698688', 'x-webhooks subscriptions xaa list --json | jq -r \'.[].subscriptionId\' | xargs -n 100 x-webhooks subscriptions xaa delete'],
  async run (context) {
    const ids = context.args
    const { xaa } = context.client()
    if (ids.length === 1) {
      const result = await xaa.deleteSubscription(ids[0] as string)
      return context.outcome(result, result.deleted, `Deleted subscription ${ids[0]}.`, `X did not delete subscription ${ids[0]}.`)
    }
    const result = await xaa.deleteSubscriptions(ids)
    const notDeleted = [
      ...result.results.filter((item) => !item.deleted).map((item) => `  ${item.subscriptionId}: not deleted`),
      ...result.errors.map((error) => `  ${[error.subscriptionId ?? '(no id)', error.reason, error.message].filter(Boolean).join(': ')}`)
    ]
    return context.outcome(result, result.deleted, `Deleted subscriptions ${ids.join(', ')}.`, [`X did not delete every subscription of ${ids.join(', ')}:`, ...notDeleted].join('\n'))
  }
}

export const xaa: Group = {
  name: 'xaa',
  summary: 'X Activity API: create, list, update and delete event subscriptions',
  children: [create, list, update, remove]
}
