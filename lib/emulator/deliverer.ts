// Signed deliveries: one POST per attempt, a non-200 or an error retried on the schedule (emulator time), and a log
// of every delivery, its attempts and answers, kept 24 hours of emulator time.
import { signPayload } from '../signature.js'
import type { Clock } from './clock.js'
import type { EmulatorAttempt, EmulatorDelivery, EmulatorProduct } from './types.js'

export const LOG_TTL = 24 * 60 * 60 * 1000

export interface LogEntry {
  id: string
  webhookId: string
  type: string
  product: EmulatorProduct
  raw: string
  body: unknown
  attempts: EmulatorAttempt[]
  replay: boolean
  at: number
}

export interface DelivererOptions {
  clock: Clock
  consumerSecret: string
  deliveryTimeout: number
  retrySchedule: number[]
  id: () => string
  /** The webhook's URL while it may receive deliveries (it exists and is valid). */
  target: (webhookId: string) => string | undefined
}

export interface DeliveryMeta { type: string, product: EmulatorProduct, replay: boolean }

export interface Sent {
  /** Settles after the first attempt. */
  first: Promise<void>
  /** True once an attempt got a 200; false when every attempt failed (or the webhook went away). */
  done: Promise<boolean>
}

export class Deliverer {
  readonly #options: DelivererOptions
  #log: LogEntry[] = []
  #closed = false

  constructor (options: DelivererOptions) {
    this.#options = options
  }

  /** The log of the last 24 hours, oldest first. */
  entries (): LogEntry[] {
    const since = this.#options.clock.now() - LOG_TTL
    this.#log = this.#log.filter((entry) => entry.at >= since)
    return this.#log
  }

  /** Nothing is sent after this (a replay job still waiting for retries stops). */
  close (): void {
    this.#closed = true
  }

  /**
   * Logs an event for a webhook that is invalid: not sent (X sends nothing to an invalid webhook), but there for a
   * replay once a PUT has made it valid again, as X-PLATFORM §3 says to do.
   */
  hold (webhook: { id: string }, body: unknown, meta: DeliveryMeta): void {
    if (!this.#closed) this.#record(webhook, body, meta)
  }

  #record (webhook: { id: string }, body: unknown, meta: DeliveryMeta): LogEntry {
    const entry: LogEntry = { id: this.#options.id(), webhookId: webhook.id, raw: JSON.stringify(body), body, attempts: [], at: this.#options.clock.now(), ...meta }
    this.entries().push(entry)
    return entry
  }

  send (webhook: { id: string, url: string }, body: unknown, meta: DeliveryMeta): Sent {
    if (this.#closed) return { first: Promise.resolve(), done: Promise.resolve(false) }
    const entry = this.#record(webhook, body, meta)
    let settle!: (ok: boolean) => void
    const done = new Promise<boolean>((resolve) => { settle = resolve })
    const attempt = async (url: string, retry: number): Promise<void> => {
      if (await this.#attempt(entry, url)) return settle(true)
      const wait = this.#options.retrySchedule[retry]
      if (wait === undefined) return settle(false)
      this.#options.clock.schedule(this.#options.clock.now() + wait, async () => {
        const target = this.#options.target(webhook.id)
        if (target === undefined) return settle(false)
        await attempt(target, retry + 1)
      })
    }
    return { first: attempt(webhook.url, 0), done }
  }

  async #attempt (entry: LogEntry, url: string): Promise<boolean> {
    const record: EmulatorAttempt = { at: new Date(this.#options.clock.now()).toISOString(), status: null }
    entry.attempts.push(record)
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signPayload(entry.raw, this.#options.consumerSecret) },
        body: entry.raw,
        signal: AbortSignal.timeout(this.#options.deliveryTimeout)
      })
      record.status = response.status
      await response.arrayBuffer()
      return response.status === 200
    } catch (error) {
      record.error = (error as Error).name === 'TimeoutError' ? `no answer within ${this.#options.deliveryTimeout} ms` : describeError(error)
      return false
    }
  }
}

/** What went wrong on the wire: undici's code (`ECONNREFUSED`), else the error itself. */
export function describeError (error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  return String(cause?.code ?? error)
}

export function deliveryOf (entry: LogEntry): EmulatorDelivery {
  return {
    id: entry.id,
    webhook_id: entry.webhookId,
    type: entry.type,
    product: entry.product,
    body: entry.body,
    attempts: entry.attempts,
    replay: entry.replay
  }
}
