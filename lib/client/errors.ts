// XApiError: X answered, and the answer is a failure. Everything a caller switches on is a field; the message says what
// went wrong and, where the reason is known, how to fix it. Nothing here includes a token or a request body.

import type { RateLimit, XProblem } from './types.js'

/** The failure reasons X documents for the endpoints this client calls (X-PLATFORM §3, §4, §6). */
export const X_REASONS = [
  'CrcValidationFailed', 'UrlValidationFailed', 'DuplicateUrlFailed', 'WebhookLimitExceeded', 'WebhookIdInvalid',
  'ReplayConflictError', 'QueryParamInvalid', 'DuplicateSubscriptionFailed', 'SubscriptionLimitExceeded',
  'SubscriptionNotFound'
] as const

const FIXES: Record<string, string> = {
  CrcValidationFailed: 'X\'s CRC GET to your URL failed: check the URL answers GET ?crc_token=… with 200 and ' +
    '{"response_token":"sha256=…"} signed with the app\'s consumer secret, within a few seconds (x-webhooks crc-check URL)',
  UrlValidationFailed: 'X refused the URL: it must be an https URL reachable from the internet, with no port, at most 200 characters',
  DuplicateUrlFailed: 'this app already has a webhook with this URL: find it with client.webhooks.list(), then reuse or delete it',
  WebhookLimitExceeded: 'the app has as many webhooks as its plan allows (1 on pay-per-use AAA): delete one first',
  WebhookIdInvalid: 'no webhook with this id belongs to this app: list them with client.webhooks.list()',
  ReplayConflictError: 'a replay job is already running for this webhook: wait for its replay_job_status delivery, then try again',
  QueryParamInvalid: 'X refused a parameter: check the ids, dates and fields sent',
  DuplicateSubscriptionFailed: 'this user is already subscribed to this webhook; nothing to do',
  SubscriptionLimitExceeded: 'the app has as many subscriptions as its plan allows: remove some first',
  SubscriptionNotFound: 'there is no such subscription: list them first'
}

function statusFix (status: number, rateLimit: RateLimit): string | undefined {
  if (status === 401) {
    return 'X did not accept the credentials: check the bearer token, or for user-context calls the user\'s tokens ' +
      'and the consumer key and secret they were issued with'
  }
  if (status === 403) return 'the app or the token may not do this: check the app\'s access level, project and product, and the token\'s scopes'
  if (status === 429) {
    const when = rateLimit.reset === undefined ? 'when the window resets' : `after ${rateLimit.reset.toISOString()}`
    return `rate limit reached: try again ${when}, or pass retryOnRateLimit: true to wait for the reset and retry once`
  }
  if (status >= 500) return 'X failed to answer: try again later'
  return undefined
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function text (value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** X's partial errors: `errors` when it is a list of objects. */
export function problemsOf (body: unknown): XProblem[] | undefined {
  if (!isObject(body) || !Array.isArray(body.errors)) return undefined
  const problems = body.errors.filter(isObject) as XProblem[]
  return problems.length > 0 ? problems : undefined
}

// A reason is written as one PascalCase word of two parts or more, alone or before a colon: `CrcValidationFailed`,
// `UsageCapExceeded`, `DuplicateUrlFailed: …`. Ordinary titles ("Invalid Request", "Forbidden") are not.
const LEADING_REASON = /^([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)\s*(?::|$)/
const DOCUMENTED_REASON = new RegExp(`\\b(${X_REASONS.join('|')})\\b`)

/**
 * X's reason, wherever the answer names it. X documents the reasons but not where they are written, so, in order:
 * 1. a `reason` field, on the body or on an item of `errors`;
 * 2. a string `code`, or a `title`, `detail` or `message`, that is a reason word alone or before a colon
 *    (`"title": "UsageCapExceeded"`, `"detail": "CrcValidationFailed: …"`), on the body, then on the items of `errors`;
 * 3. a documented reason (`X_REASONS`) named anywhere in those texts.
 */
export function reasonOf (body: unknown): string | undefined {
  const sources = [body, ...(problemsOf(body) ?? [])].filter(isObject)
  for (const source of sources) {
    const reason = text(source.reason)
    if (reason !== undefined) return reason
  }
  const texts = sources.flatMap((source) => [source.code, source.title, source.detail, source.message].map(text))
    .filter((value): value is string => value !== undefined)
  for (const value of texts) {
    const match = LEADING_REASON.exec(value)
    if (match !== null) return match[1]
  }
  for (const value of texts) {
    const match = DOCUMENTED_REASON.exec(value)
    if (match !== null) return match[1]
  }
  return undefined
}

export interface XApiErrorInit {
  /** What was asked, e.g. `POST /2/webhooks`. */
  request: string
  status: number
  /** The parsed body, or the text when it is not JSON (undefined when empty). */
  body: unknown
  rateLimit: RateLimit
}

/** A failure X answered: switch on `status`, `type`, `reason`; `rateLimit` says when to try again. */
export class XApiError extends Error {
  override name = 'XApiError'
  /** Stable, like every error of this package. */
  readonly code = 'FST_XWH_API_ERROR'
  /** The HTTP status (a 200 that carries only `errors` keeps its 200). */
  readonly status: number
  /** The problem type, e.g. `https://api.x.com/2/problems/invalid-request`. */
  readonly type: string | undefined
  readonly title: string | undefined
  readonly detail: string | undefined
  /** X's reason, e.g. `CrcValidationFailed`, `DuplicateUrlFailed` (see `reasonOf`). */
  readonly reason: string | undefined
  readonly rateLimit: RateLimit
  /** X's `errors` list when the answer has one. */
  readonly errors: XProblem[] | undefined
  /** What was asked, e.g. `POST /2/webhooks`. */
  readonly request: string
  /** The answer as received: parsed JSON, or text. */
  readonly body: unknown

  constructor ({ request, status, body, rateLimit }: XApiErrorInit) {
    const errors = problemsOf(body)
    // The problem itself is the body, or, when the body is only a list, its first item.
    const problem: Record<string, unknown> = isObject(body) && (text(body.title) ?? text(body.detail) ?? text(body.message)) !== undefined
      ? body
      : errors?.[0] ?? (isObject(body) ? body : {})
    const reason = reasonOf(body)
    const type = text(problem.type)
    const title = text(problem.title)
    const detail = text(problem.detail) ?? text(problem.message) ?? (typeof body === 'string' ? snippet(body) : undefined)
    const said = [reason, title, detail].filter((part, i, all) => part !== undefined && all.indexOf(part) === i).join(': ')
    const fix = (reason === undefined ? undefined : FIXES[reason]) ?? statusFix(status, rateLimit)
    super(`${request}: X answered ${status}${said === '' ? '' : ` (${said})`}${fix === undefined ? '' : `; ${fix}`}`)
    this.status = status
    this.type = type
    this.title = title
    this.detail = detail
    this.reason = reason
    this.rateLimit = rateLimit
    this.errors = errors
    this.request = request
    this.body = body
  }
}

/** A non-JSON body (an HTML error page from a proxy…) shortened to one line for a message. */
function snippet (body: string): string | undefined {
  const line = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()
  if (line === '') return undefined
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}
