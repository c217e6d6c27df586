// `client.stream`: Filtered Stream webhook links (X-PLATFORM §6), with the app's bearer token.

import { bool, dataOf, date, isObject, listOf, required, str } from './answers.js'
import { APP, encode, type Http, type XAnswer } from './http.js'
import type { StreamApi, StreamLink, StreamLinkParams } from './types.js'
import { checkId, checkLinkParams } from './validate.js'

const path = (webhookId: string): string => `/2/tweets/search/webhooks/${encode(checkId('webhookId', webhookId))}`

const camel = (name: string): string => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())

/** A link as X lists it, its top-level names in camelCase and `created_at` a Date. */
function linkOf (answer: XAnswer, item: unknown): StreamLink {
  const fields = isObject(item) ? item : {}
  const link: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(fields)) link[camel(name)] = value
  link.createdAt = date(fields.created_at)
  link.webhookId = required(answer, str(fields.webhook_id), 'webhook_id')
  return link as StreamLink
}

export class Stream implements StreamApi {
  readonly #http: Http

  constructor (http: Http) {
    this.#http = http
  }

  /** Sends the stream's matches to the webhook, with these fields and expansions (`{ 'tweet.fields': [...] }`). */
  async link (webhookId: string, params?: StreamLinkParams): Promise<{ provisioned: boolean }> {
    const target = path(webhookId)
    const query = checkLinkParams(params)
    const answer = await this.#http.request({ method: 'POST', path: target, query, auth: APP })
    return { provisioned: required(answer, bool(dataOf(answer, 'provisioned').provisioned), 'provisioned') }
  }

  /** X answers `data` as the list, or as `{ links: [...] }`. */
  async listLinks (): Promise<StreamLink[]> {
    const answer = await this.#http.request({ method: 'GET', path: '/2/tweets/search/webhooks', auth: APP })
    return listOf(answer, 'stream links', 'links').map((item) => linkOf(answer, item))
  }

  async unlink (webhookId: string): Promise<{ deleted: boolean }> {
    const answer = await this.#http.request({ method: 'DELETE', path: path(webhookId), auth: APP })
    return { deleted: required(answer, bool(dataOf(answer, 'deleted').deleted), 'deleted') }
  }
}
