// `x-webhooks listen --forward-to URL`: registers URL with a running emulator, then prints each delivery and its answer.
import { setTimeout as sleep } from 'node:timers/promises'
import { XApiError, XWebhooksClient } from '../client/index.js'
import type { Webhook } from '../client/types.js'
import { UsageError } from './args.js'
import { EXIT, type Command } from './command.js'
import type { EmulatorAttempt as Attempt, EmulatorDelivery as Delivery } from '../emulator/index.js'
import { control, EMULATOR_OPTION, emulatorUrl, guarded } from './control.js'
import { untilStopped } from './interrupt.js'

/** How often the emulator's delivery log is read. */
export const POLL_MS = 200

function attemptLine (delivery: Delivery, attempt: Attempt, number: number): string {
  const tags = [number > 1 ? `retry ${number - 1}` : '', delivery.replay ? 'replay' : ''].filter(Boolean)
  return `${attempt.at}  ${delivery.type} (${delivery.product})${tags.length === 0 ? '' : ` [${tags.join(', ')}]`}  → ${attempt.status ?? attempt.error}`
}

/** Registers the URL, or finds it registered already (then it is not deleted at the end). */
async function register (client: XWebhooksClient, url: string): Promise<{ webhook: Webhook, created: boolean }> {
  try {
    return { webhook: await client.webhooks.create(url), created: true }
  } catch (error) {
    if (!(error instanceof XApiError) || error.reason !== 'DuplicateUrlFailed') throw error
    const existing = (await client.webhooks.list()).find((webhook) => webhook.url === url)
    if (existing === undefined) throw error
    return { webhook: existing, created: false }
  }
}

export const listen: Command = {
  name: 'listen',
  summary: 'Register URL with a running emulator and print each delivery and its answer, until Ctrl-C',
  description: [
    'Registers --forward-to as a webhook of the emulator (its CRC must pass: the service must be running, with the',
    'emulator\'s consumer secret), then prints every attempt to deliver to it: time, type, product, the service\'s',
    'answer. On Ctrl-C it deletes the webhook again (unless --keep, or the URL was registered before).'
  ].join('\n'),
  options: {
    'forward-to': { type: 'string', value: 'URL', description: 'Your service\'s webhook URL, e.g. http://127.0.0.1:3000/webhooks/x', required: true },
    emulator: EMULATOR_OPTION,
    'bearer-token': { type: 'string', value: 'TOKEN', env: 'X_BEARER_TOKEN', description: 'The bearer token the emulator was started with' },
    keep: { type: 'boolean', description: 'Leave the webhook registered on exit' }
  },
  auth: 'none',
  examples: [
    'x-webhooks listen --forward-to http://127.0.0.1:3000/webhooks/x',
    'x-webhooks listen --forward-to http://127.0.0.1:3000/webhooks/x --emulator http://127.0.0.1:8787 --bearer-token dev-token',
    'x-webhooks listen --forward-to http://127.0.0.1:3000/webhooks/x --json | jq -c \'select(.status != 200)\''
  ],
  async run (context) {
    return await guarded(context, async () => {
      const url = context.values['forward-to'] as string
      if (!/^https?:\/\/[^/]/i.test(url) || !URL.canParse(url)) throw new UsageError(`--forward-to must be an http(s) URL, not "${url}"`, context.help)
      const base = emulatorUrl(context)
      const client = new XWebhooksClient({
        bearerToken: context.need('bearer-token', 'The emulator\'s bearer token'),
        baseUrl: base,
        allowInsecureUrl: true,
        fetch: context.io.fetch
      })
      const { webhook, created } = await register(client, url)
      // What was delivered before this listener started is not news.
      const seen = new Map<string, number>()
      for (const delivery of await control<Delivery[]>(context, base, 'GET', '/_emulator/deliveries')) seen.set(delivery.id, delivery.attempts.length)
      const { json } = context.out
      if (!json) {
        context.out.text(`${created ? 'Registered' : 'Found'} webhook ${webhook.id} for ${url} with the emulator at ${base} (${created ? 'CRC passed' : 'registered already'}).\n` +
          'Waiting for deliveries (x-webhooks trigger TYPE sends one); Ctrl-C to stop.\n')
      }
      await untilStopped(context.io, async (signal) => {
        while (!signal.aborted) {
          for (const delivery of await control<Delivery[]>(context, base, 'GET', '/_emulator/deliveries')) {
            if (delivery.webhook_id !== webhook.id) continue
            let printed = seen.get(delivery.id) ?? 0
            for (const attempt of delivery.attempts.slice(printed)) {
              // Under way: neither an answer nor an error yet.
              if (attempt.status === null && attempt.error === undefined) break
              printed++
              context.out.text(json
                ? JSON.stringify({ delivery_id: delivery.id, webhook_id: delivery.webhook_id, type: delivery.type, product: delivery.product, replay: delivery.replay, attempt: printed, ...attempt }) + '\n'
                : attemptLine(delivery, attempt, printed) + '\n')
            }
            seen.set(delivery.id, printed)
          }
          await sleep(POLL_MS, undefined, { signal }).catch(() => {})
        }
      })
      if (created && !context.flag('keep')) {
        await client.webhooks.delete(webhook.id)
        if (!json) context.out.text(`Deleted webhook ${webhook.id}.\n`)
      } else if (!json) {
        context.out.text(`Left webhook ${webhook.id} registered.\n`)
      }
      return EXIT.ok
    })
  }
}
