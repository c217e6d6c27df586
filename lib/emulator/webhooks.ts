// The registered webhooks and their validity: CRC on create, on PUT and every 30 minutes of emulator time, judged
// by X's rules (X-PLATFORM §3): a wrong token or a 3xx invalidates at once; a 4xx, 5xx, timeout or connection
// error only once no CRC has passed for more than 28 hours.
import { checkCrc, type CrcVerdict } from '../cli/crc.js'
import type { Clock } from './clock.js'

export const CRC_INTERVAL = 30 * 60 * 1000
export const GRACE = 28 * 60 * 60 * 1000

export interface WebhookRecord {
  id: string
  url: string
  valid: boolean
  createdAt: number
  lastValidAt: number
  /** When a check is due at the end of the 28-hour grace (one at a time). */
  deadlineAt: number | undefined
}

export interface WebhooksOptions {
  clock: Clock
  consumerSecret: string
  crcTimeout: number
  id: () => string
}

export class Webhooks {
  readonly #options: WebhooksOptions
  readonly #all = new Map<string, WebhookRecord>()

  constructor (options: WebhooksOptions) {
    this.#options = options
  }

  get (id: string): WebhookRecord | undefined {
    return this.#all.get(id)
  }

  list (): WebhookRecord[] {
    return [...this.#all.values()]
  }

  crc (url: string): Promise<CrcVerdict> {
    return checkCrc(url, { consumerSecret: this.#options.consumerSecret, timeout: this.#options.crcTimeout, fetch: globalThis.fetch, allowInsecureUrl: true })
      .then((result) => result.result)
  }

  /** Registers `url` once its CRC passes; undefined when it does not. */
  async create (url: string): Promise<WebhookRecord | undefined> {
    if (await this.crc(url) !== 'valid') return undefined
    const now = this.#options.clock.now()
    const webhook: WebhookRecord = { id: this.#options.id(), url, valid: true, createdAt: now, lastValidAt: now, deadlineAt: undefined }
    this.#all.set(webhook.id, webhook)
    this.#periodic(webhook, now + CRC_INTERVAL)
    return webhook
  }

  delete (id: string): boolean {
    return this.#all.delete(id)
  }

  /** A CRC now (PUT): a pass makes the webhook valid again. */
  async validate (webhook: WebhookRecord): Promise<boolean> {
    this.#judge(webhook, await this.crc(webhook.url))
    return webhook.valid
  }

  /** X's scheduled CRC, now (`POST /_emulator/crc`): an invalid webhook is not checked; it waits for a PUT. */
  async check (webhook: WebhookRecord): Promise<boolean> {
    if (webhook.valid) this.#judge(webhook, await this.crc(webhook.url))
    return webhook.valid
  }

  #judge (webhook: WebhookRecord, verdict: CrcVerdict): void {
    const now = this.#options.clock.now()
    if (verdict === 'valid') {
      webhook.valid = true
      webhook.lastValidAt = now
    } else if (verdict === 'invalid' || now - webhook.lastValidAt > GRACE) {
      webhook.valid = false
    } else {
      this.#deadline(webhook, webhook.lastValidAt + GRACE + 1)
    }
  }

  /** The scheduled CRC, every 30 minutes while the webhook exists; an invalid webhook waits for a PUT. */
  #periodic (webhook: WebhookRecord, at: number): void {
    this.#options.clock.schedule(at, async () => {
      if (this.#all.get(webhook.id) !== webhook) return
      await this.check(webhook)
      this.#periodic(webhook, at + CRC_INTERVAL)
    })
  }

  /** One more check when the grace ends, so that a failing webhook turns invalid right after 28 hours. */
  #deadline (webhook: WebhookRecord, at: number): void {
    if (webhook.deadlineAt === at) return
    webhook.deadlineAt = at
    this.#options.clock.schedule(at, async () => {
      if (this.#all.get(webhook.id) !== webhook || !webhook.valid) return
      this.#judge(webhook, await this.crc(webhook.url))
    })
  }
}
