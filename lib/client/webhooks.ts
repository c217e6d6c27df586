// `client.webhooks`: `/2/webhooks` (X-PLATFORM §3, §4), with the app's bearer token.

import { bool, dataOf, date, listOf, isObject, missing, required, str, type Fields } from './answers.js'
import { APP, encode, type Http, type XAnswer } from './http.js'
import type { ReplayJob, ReplayOptions, Webhook, WebhooksApi } from './types.js'
import { checkId, checkWebhookUrl, replayWindow } from './validate.js'

const FIELDS = 'created_at,id,url,valid'

function webhookOf (answer: XAnswer, item: Fields, sentUrl?: string): Webhook {
  return {
    id: required(answer, str(item.id), 'webhook id'),
    url: required(answer, str(item.url) ?? sentUrl, 'webhook url'),
    valid: bool(item.valid) ?? false,
    createdAt: date(item.created_at)
  }
}

export class Webhooks implements WebhooksApi {
  readonly #http: Http
  readonly #allowInsecureUrl: boolean

  constructor (http: Http, allowInsecureUrl: boolean) {
    this.#http = http
    this.#allowInsecureUrl = allowInsecureUrl
  }

  /** Registers `url`; X runs a CRC against it before answering. */
  async create (url: string): Promise<Webhook> {
    const checked = checkWebhookUrl(url, this.#allowInsecureUrl)
    const answer = await this.#http.request({ method: 'POST', path: '/2/webhooks', body: { url: checked }, auth: APP })
    return webhookOf(answer, dataOf(answer, 'webhook'), checked)
  }

  async list (): Promise<Webhook[]> {
    const answer = await this.#http.request({ method: 'GET', path: '/2/webhooks', query: { 'webhook_config.fields': FIELDS }, auth: APP })
    return listOf(answer, 'webhook list').map((item) => webhookOf(answer, isObject(item) ? item : {}))
  }

  async delete (id: string): Promise<{ deleted: boolean }> {
    const answer = await this.#http.request({ method: 'DELETE', path: `/2/webhooks/${encode(checkId('id', id))}`, auth: APP })
    return { deleted: required(answer, bool(dataOf(answer, 'deleted').deleted), 'deleted') }
  }

  /**
   * X answers `{ valid }`, or (older) `{ attempted }`, which says only that the CRC ran: the webhook's state is then
   * read back from the list.
   */
  async validate (id: string): Promise<{ valid: boolean }> {
    const checked = checkId('id', id)
    const answer = await this.#http.request({ method: 'PUT', path: `/2/webhooks/${encode(checked)}`, auth: APP })
    const data = dataOf(answer, 'valid')
    const valid = bool(data.valid)
    if (valid !== undefined) return { valid }
    const attempted = bool(data.attempted)
    if (attempted === undefined) return missing(answer, 'valid or attempted')
    if (!attempted) return { valid: false }
    const webhook = (await this.list()).find((item) => item.id === checked)
    return { valid: webhook?.valid ?? false }
  }

  /** Re-delivers what was sent (or attempted) to the webhook in [from, to]; see `replayWindow` for the rounding. */
  async replay (options: ReplayOptions): Promise<ReplayJob> {
    const { webhookId, from, to } = (isObject(options) ? options : {}) as Partial<ReplayOptions>
    const webhook = checkId('webhookId', webhookId)
    const { fromDate, toDate } = replayWindow(from, to)
    const answer = await this.#http.request({
      method: 'POST',
      path: '/2/webhooks/replay',
      body: { webhook_id: webhook, from_date: fromDate, to_date: toDate },
      auth: APP
    })
    const data = dataOf(answer, 'replay job')
    return { jobId: required(answer, str(data.job_id), 'job_id'), createdAt: date(data.created_at) }
  }
}
