// Replay jobs (X-PLATFORM §4): one at a time per webhook; every delivery of the log in the window goes again with
// "meta":{"replay":true}, then a replay_job_status delivery says whether all of them got through.
import type { Deliverer, LogEntry } from './deliverer.js'
import type { WebhookRecord } from './webhooks.js'

const MINUTE = 60 * 1000

/** `yyyymmddhhmm` (UTC) as epoch milliseconds; undefined when it is not one. */
export function parseXDate (value: unknown): number | undefined {
  const match = typeof value === 'string' ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value) : null
  if (match === null) return undefined
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number]
  const time = Date.UTC(y, mo - 1, d, h, mi)
  const back = new Date(time)
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 ? time : undefined
}

function replayed (body: unknown): unknown {
  const fields = body as Record<string, unknown>
  return { ...fields, meta: { ...(fields.meta as Record<string, unknown> | undefined), replay: true } }
}

export class Replays {
  readonly #deliverer: Deliverer
  readonly #id: () => string
  readonly #running = new Set<string>()

  constructor (deliverer: Deliverer, id: () => string) {
    this.#deliverer = deliverer
    this.#id = id
  }

  running (webhookId: string): boolean {
    return this.#running.has(webhookId)
  }

  /** Starts a job over [from, to + 1 minute): X's dates are whole minutes, both inclusive. */
  start (webhook: WebhookRecord, from: number, to: number): string {
    const jobId = this.#id()
    const window = this.#deliverer.entries()
      .filter((entry: LogEntry) => entry.webhookId === webhook.id && !entry.replay && entry.at >= from && entry.at < to + MINUTE)
    this.#running.add(webhook.id)
    Promise.all(window.map((entry) =>
      this.#deliverer.send(webhook, replayed(entry.body), { type: entry.type, product: entry.product, replay: true }).done
    )).then((results) => {
      this.#running.delete(webhook.id)
      const complete = results.every(Boolean)
      const body = {
        replay_job_status: {
          webhook_id: webhook.id,
          job_state: complete ? 'Complete' : 'Incomplete',
          job_state_description: complete ? 'Job completed successfully' : 'Job failed to deliver all events, please retry your replay job',
          job_id: jobId
        }
      }
      return this.#deliverer.send(webhook, body, { type: complete ? 'replay.complete' : 'replay.incomplete', product: 'webhook', replay: false }).first
    })
    return jobId
  }
}
