// XWebhooksClient: X's webhook management API, one group per product, on one shared request layer.

import { MAX_TIMER } from '../duration.js'
import { FST_XWH_INVALID_OPTION } from '../errors.js'
import { Aaa } from './aaa.js'
import { Http } from './http.js'
import { Stream } from './stream.js'
import type { AaaApi, StreamApi, UserAuth, WebhooksApi, XaaApi, XWebhooksClientOptions } from './types.js'
import { userAuthProblem } from './validate.js'
import { Webhooks } from './webhooks.js'
import { Xaa } from './xaa.js'

export { XApiError } from './errors.js'
export type * from './types.js'

const DEFAULT_BASE_URL = 'https://api.x.com'
const DEFAULT_TIMEOUT = 10_000
const FIFTEEN_MINUTES = 900_000

function fail (name: string, why: string): never {
  throw new FST_XWH_INVALID_OPTION(name, why)
}

function optionalBoolean (name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') fail(name, `expected true or false, got ${String(value)}`)
  return value === true
}

function milliseconds (name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > MAX_TIMER) {
    fail(name, `expected a whole number of milliseconds from ${min} to ${MAX_TIMER}, got ${String(value)}`)
  }
  return value as number
}

function resolveBaseUrl (value: unknown): URL {
  if (value === undefined) return new URL(DEFAULT_BASE_URL)
  const example = 'e.g. "https://api.x.com" or the emulator\'s "http://127.0.0.1:8787"'
  if (typeof value !== 'string') fail('baseUrl', `expected a URL string, ${example}`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    fail('baseUrl', `"${value}" is not an absolute URL; ${example}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('baseUrl', `expected an http(s) URL, got ${url.protocol}; ${example}`)
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    fail('baseUrl', `expected the API's root only, without query, fragment or credentials; ${example}`)
  }
  return url
}

/**
 * The management client: `new XWebhooksClient({ bearerToken })`. Every method checks its input before sending, and
 * rejects with `XApiError` when X refuses.
 */
export class XWebhooksClient {
  /** `/2/webhooks`: register, list, validate, delete, replay. */
  readonly webhooks: WebhooksApi
  /** Account Activity API subscriptions. */
  readonly aaa: AaaApi
  /** X Activity API subscriptions. */
  readonly xaa: XaaApi
  /** Filtered Stream webhook links. */
  readonly stream: StreamApi

  constructor (options: XWebhooksClientOptions) {
    if (typeof options !== 'object' || options === null) fail('options', 'expected { bearerToken, baseUrl?, userAuth?, … }')
    const { bearerToken, userAuth, fetch: fetchOption } = options
    if (typeof bearerToken !== 'string' || bearerToken === '') {
      fail('bearerToken', 'expected a non-empty string: the app-only bearer token from the X developer portal, e.g. process.env.X_BEARER_TOKEN')
    }
    if (bearerToken.trim() !== bearerToken) {
      fail('bearerToken', 'the token starts or ends with white space; check how it is loaded (a trailing newline from a file or an .env line?)')
    }
    if (userAuth !== undefined) {
      const problem = userAuthProblem(userAuth)
      if (problem !== undefined) fail('userAuth', problem)
    }
    if (fetchOption !== undefined && typeof fetchOption !== 'function') fail('fetch', 'expected a function with the signature of the global fetch')
    const http = new Http({
      bearerToken,
      baseUrl: resolveBaseUrl(options.baseUrl),
      timeout: milliseconds('timeout', options.timeout, DEFAULT_TIMEOUT, 1),
      retryOnRateLimit: optionalBoolean('retryOnRateLimit', options.retryOnRateLimit),
      maxRateLimitWait: milliseconds('maxRateLimitWait', options.maxRateLimitWait, FIFTEEN_MINUTES, 0),
      // Looked up per call, so the global fetch in force at the time is the one used.
      fetch: fetchOption ?? ((input, init) => globalThis.fetch(input, init))
    })
    this.webhooks = new Webhooks(http, optionalBoolean('allowInsecureUrl', options.allowInsecureUrl))
    this.aaa = new Aaa(http, userAuth as UserAuth | undefined)
    this.xaa = new Xaa(http)
    this.stream = new Stream(http)
  }
}
