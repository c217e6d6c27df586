// The request layer every group shares: one call to X on `fetch`, with the auth the endpoint takes, a timeout, the
// rate-limit headers read, one retry after a 429 when asked, and failures turned into errors that say what to do.

import { createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import OAuth from 'oauth-1.0a'
import { FST_XWH_REQUEST_FAILED, FST_XWH_REQUEST_TIMEOUT } from '../errors.js'
import { XApiError } from './errors.js'
import type { RateLimit, UserAuth } from './types.js'

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** Who signs: the app (bearer token) or a user (OAuth 2.0 user token, or OAuth 1.0a user context). */
export type Auth = { kind: 'app' } | { kind: 'user', user: UserAuth }

export const APP: Auth = { kind: 'app' }

export interface RequestSpec {
  method: Method
  /** The path under the base URL, e.g. `/2/webhooks`; path parameters already encoded (`encode()`). */
  path: string
  query?: Record<string, string | undefined>
  /** Sent as JSON. */
  body?: unknown
  auth: Auth
}

export interface XAnswer {
  /** What was asked, e.g. `POST /2/webhooks`. */
  request: string
  status: number
  /** Parsed JSON; the text when the body is not JSON; undefined when empty. */
  body: unknown
  rateLimit: RateLimit
}

export interface HttpOptions {
  bearerToken: string
  baseUrl: URL
  timeout: number
  retryOnRateLimit: boolean
  maxRateLimitWait: number
  fetch: typeof fetch
}

// A 429's reset is whole epoch seconds from X's clock: wait a little past it.
const RESET_MARGIN_MS = 500

/** RFC 3986 encoding, the one OAuth 1.0a signs: the query sent is byte for byte the query signed. */
export function encode (value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function header (headers: Headers, name: string): number | undefined {
  const value = headers.get(name)
  if (value === null || !/^\d+$/.test(value.trim())) return undefined
  return Number(value)
}

/** `x-rate-limit-limit`, `x-rate-limit-remaining`, `x-rate-limit-reset` (epoch seconds → Date). */
export function rateLimitOf (headers: Headers): RateLimit {
  const reset = header(headers, 'x-rate-limit-reset')
  return {
    limit: header(headers, 'x-rate-limit-limit'),
    remaining: header(headers, 'x-rate-limit-remaining'),
    reset: reset === undefined ? undefined : new Date(reset * 1000)
  }
}

function parse (text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export class Http {
  readonly #options: HttpOptions

  constructor (options: HttpOptions) {
    this.#options = options
  }

  /** The answer to a 2xx; anything else rejects with an XApiError. */
  async request (spec: RequestSpec): Promise<XAnswer> {
    let answer = await this.#attempt(spec)
    if (answer.status === 429 && this.#options.retryOnRateLimit) {
      const wait = this.#waitFor(answer.rateLimit)
      if (wait !== undefined) {
        await sleep(wait)
        answer = await this.#attempt(spec)
      }
    }
    if (answer.status < 200 || answer.status > 299) {
      throw new XApiError(answer)
    }
    return answer
  }

  /** How long to wait for the reset; undefined when X gave none or it is further away than `maxRateLimitWait`. */
  #waitFor (rateLimit: RateLimit): number | undefined {
    if (rateLimit.reset === undefined) return undefined
    const wait = Math.max(0, rateLimit.reset.getTime() - Date.now()) + RESET_MARGIN_MS
    return wait <= this.#options.maxRateLimitWait ? wait : undefined
  }

  #url (spec: Pick<RequestSpec, 'path' | 'query'>): string {
    const base = this.#options.baseUrl
    const query = Object.entries(spec.query ?? {})
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => `${encode(name)}=${encode(value)}`)
      .join('&')
    return `${base.origin}${base.pathname.replace(/\/+$/, '')}${spec.path}${query === '' ? '' : `?${query}`}`
  }

  #authorization (method: Method, url: string, auth: Auth): string {
    if (auth.kind === 'app') return `Bearer ${this.#options.bearerToken}`
    const user = auth.user
    if ('userAccessToken' in user) return `Bearer ${user.userAccessToken}`
    // OAuth 1.0a user context: HMAC-SHA1 over the method and the exact URL, query included (a JSON body is not signed).
    const oauth = new OAuth({
      consumer: { key: user.consumerKey, secret: user.consumerSecret },
      signature_method: 'HMAC-SHA1',
      hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64')
    })
    const signed = oauth.authorize({ url, method }, { key: user.accessToken, secret: user.accessTokenSecret })
    return oauth.toHeader(signed).Authorization
  }

  async #attempt (spec: RequestSpec): Promise<XAnswer> {
    const url = this.#url(spec)
    const request = `${spec.method} ${spec.path}`
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: this.#authorization(spec.method, url, spec.auth)
    }
    if (spec.body !== undefined) headers['content-type'] = 'application/json'
    const signal = AbortSignal.timeout(this.#options.timeout)
    try {
      const response = await this.#options.fetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal
      })
      // The timeout covers the body too: an answer that stalls half-way is abandoned like one that never starts.
      const body = parse(await response.text())
      return { request, status: response.status, body, rateLimit: rateLimitOf(response.headers) }
    } catch (error) {
      if (signal.aborted) throw new FST_XWH_REQUEST_TIMEOUT(request, this.#options.timeout)
      throw new FST_XWH_REQUEST_FAILED(request, describe(error), { cause: error })
    }
  }
}

/** `ECONNREFUSED 127.0.0.1:9`, not undici's bare "fetch failed". */
function describe (error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  return error.cause instanceof Error ? error.cause.message : error.message
}
