// `x-webhooks trigger TYPE`: one event through a running emulator (POST /_emulator/events).
import { EXIT, type Command } from './command.js'
import { control, ControlFailure, EMULATOR_OPTION, emulatorUrl, guarded } from './control.js'
import type { Context } from './context.js'

function payload (context: Context): unknown {
  const text = context.option('payload')
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new ControlFailure({ kind: 'usage', message: `--payload must be JSON, not "${text}"`, hint: `see ${context.help}` }, EXIT.usage)
  }
}

export const trigger: Command = {
  name: 'trigger',
  summary: 'Send one event of TYPE through a running emulator',
  description: [
    'The emulator builds the delivery from its fixtures for TYPE (follow.follow, post.mention.create, dm.received,',
    '…; every type in fixtures/), signs it and delivers it to every valid webhook, or to --webhook-id. A failed',
    'attempt is retried on the emulator\'s schedule; x-webhooks listen shows the attempts.'
  ].join('\n'),
  args: [{ name: 'TYPE' }],
  options: {
    product: { type: 'string', value: 'PRODUCT', description: 'xaa (X Activity API, the default where several have TYPE), aaa (Account Activity API) or stream' },
    'webhook-id': { type: 'string', value: 'ID', description: 'Deliver to this webhook only' },
    'for-user-id': { type: 'string', value: 'ID', description: 'The user the event is for' },
    payload: { type: 'string', value: 'JSON', description: 'Fields to use instead of the fixture\'s payload' },
    emulator: EMULATOR_OPTION
  },
  auth: 'none',
  examples: [
    'x-webhooks trigger follow.follow',
    'x-webhooks trigger follow.follow --product aaa --for-user-id 2244994945',
    'x-webhooks trigger post.mention.create --payload \'{"text":"hey @you"}\' --emulator http://127.0.0.1:8787',
    'x-webhooks trigger dm.received --webhook-id 1146654567674912769 --json'
  ],
  async run (context) {
    return await guarded(context, async () => {
      const [type] = context.args as [string]
      const product = context.option('product')
      const base = emulatorUrl(context)
      const body = { type, product, webhook_id: context.option('webhook-id'), for_user_id: context.option('for-user-id'), payload: payload(context) }
      const result = await control<{ delivered: number }>(context, base, 'POST', '/_emulator/events', body)
      const lines = [`Triggered ${type}${product === undefined ? '' : ` (${product})`}: delivered to ${result.delivered} webhook${result.delivered === 1 ? '' : 's'}.`]
      if (result.delivered === 0) lines.push('hint: no valid webhook got it: register one (x-webhooks listen --forward-to URL, or x-webhooks webhooks create URL)')
      context.out.result(result, lines)
      return EXIT.ok
    })
  }
}
