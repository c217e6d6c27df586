// Checks before sending: what X would refuse, refused here with the rule and the fix, and nothing sent.

import { isIP } from 'node:net'
import { FST_XWH_INVALID_REQUEST } from '../errors.js'
import type { StreamLinkParams, UserAuth, XaaFilter, XaaSubscriptionInput } from './types.js'

export function refuse (what: string, why: string): never {
  throw new FST_XWH_INVALID_REQUEST(what, why)
}

// ---------------------------------------------------------------------------------------------------------------
// Webhook URLs (X-PLATFORM §3): https, reachable from the internet, no explicit port, 1 to 200 characters.

const MAX_URL_LENGTH = 200
const INSECURE_HINT = ' (the emulator\'s http://127.0.0.1 receivers need the client option allowInsecureUrl: true)'

/** Whether the URL writes a port: `new URL()` forgets `:443` on https, X does not. */
function explicitPort (raw: string, parsed: URL): boolean {
  if (parsed.port !== '') return true
  // The authority as written: after the scheme and its slashes (or backslashes, which URL parsing accepts too).
  const rest = raw.replace(/^[a-z][a-z0-9+.-]*:[/\\]*/i, '')
  const end = rest.search(/[/\\?#]/)
  const authority = end === -1 ? rest : rest.slice(0, end)
  return authority.slice(authority.lastIndexOf('@') + 1).replace(/^\[[^\]]*\]/, '').includes(':')
}

/** Hosts X cannot call from the internet: loopback, private and link-local addresses, localhost. */
function isLocalHost (hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (isIP(host) === 6) return host === '::1' || host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host)
  if (isIP(host) !== 4) return false
  const [a, b] = host.split('.').map(Number) as [number, number]
  return a === 127 || a === 10 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
}

export function checkWebhookUrl (url: unknown, allowInsecureUrl: boolean): string {
  if (typeof url !== 'string' || url === '') refuse('url', 'expected the webhook URL as a non-empty string, e.g. "https://example.com/webhooks/x"')
  if (/[\s\p{Cc}]/u.test(url)) {
    refuse('url', 'the URL contains white space or control characters, which URL parsing would drop or X refuse; check how it is loaded, and write a space in a path as %20')
  }
  if (url.length > MAX_URL_LENGTH) refuse('url', `X accepts at most ${MAX_URL_LENGTH} characters and this URL has ${url.length}; use a shorter path`)
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    refuse('url', `"${url}" is not an absolute URL; write it whole, e.g. "https://example.com/webhooks/x"`)
  }
  const insecure = parsed.protocol === 'http:' && allowInsecureUrl
  if (parsed.protocol !== 'https:' && !insecure) {
    refuse('url', `X only calls https URLs, and this one is ${parsed.protocol}; serve the webhook over https${parsed.protocol === 'http:' ? INSECURE_HINT : ''}`)
  }
  if (parsed.username !== '' || parsed.password !== '') {
    refuse('url', 'the URL carries credentials (user:password@); X does not send them: remove them and rely on the signature X puts on every delivery')
  }
  if (parsed.hash !== '') refuse('url', 'the URL has a #fragment, which X never sends; remove it')
  if (!allowInsecureUrl && explicitPort(url, parsed)) {
    refuse('url', `X does not accept a port in the URL (${parsed.host}); serve it on the default https port 443 and remove the port${INSECURE_HINT}`)
  }
  if (!allowInsecureUrl && isLocalHost(parsed.hostname)) {
    refuse('url', `X calls webhooks from the internet and cannot reach ${parsed.hostname}; use a public host name, or a tunnel to this machine${INSECURE_HINT}`)
  }
  return url
}

// ---------------------------------------------------------------------------------------------------------------
// Ids, user auth, subscription input.

// X's ids are digit strings (`^[0-9]{1,19}$` in its OpenAPI description); letters, `_` and `-` are allowed here for
// stand-ins and proxies. Anything else could leave its path segment, or be a number that lost its last digits.
const ID = /^[A-Za-z0-9_-]{1,64}$/

export function checkId (what: string, id: unknown): string {
  if (typeof id !== 'string' || !ID.test(id)) {
    const got = typeof id === 'number' ? `the number ${id} (X's ids do not fit in a JavaScript number: keep them as strings)` : JSON.stringify(id) ?? String(id)
    refuse(what, `expected an id as X returns it, a string of digits such as "1146654567674912769"; got ${got}`)
  }
  return id
}

function nonEmpty (value: unknown): boolean {
  return typeof value === 'string' && value !== '' && value.trim() === value
}

const OAUTH1 = ['consumerKey', 'consumerSecret', 'accessToken', 'accessTokenSecret'] as const

/** Why `value` is not a UserAuth, or undefined when it is one. Shared by the client's option and the methods' argument. */
export function userAuthProblem (value: unknown): string | undefined {
  const shapes = 'expected { userAccessToken } (an OAuth 2.0 user token) or { consumerKey, consumerSecret, accessToken, accessTokenSecret } (OAuth 1.0a)'
  if (typeof value !== 'object' || value === null) return shapes
  const auth = value as Record<string, unknown>
  if ('userAccessToken' in auth) {
    return nonEmpty(auth.userAccessToken) ? undefined : 'userAccessToken must be a non-empty string without surrounding white space'
  }
  const missing = OAUTH1.filter((name) => !nonEmpty(auth[name]))
  if (missing.length === OAUTH1.length) return shapes
  return missing.length === 0 ? undefined : `OAuth 1.0a needs all four of ${OAUTH1.join(', ')}; missing or empty: ${missing.join(', ')}`
}

export function checkUserAuth (what: string, value: unknown, fallback: UserAuth | undefined): UserAuth {
  if (value === undefined) {
    if (fallback !== undefined) return fallback
    refuse(what, 'this endpoint acts for a user: pass the user\'s tokens here ({ userAccessToken } or OAuth 1.0a), or set the client\'s userAuth option')
  }
  const problem = userAuthProblem(value)
  if (problem !== undefined) refuse(what, problem)
  return value as UserAuth
}

const FILTER_KEYS = new Set(['user_id', 'keyword', 'direction'])

export function checkFilter (filter: unknown): XaaFilter {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    refuse('filter', 'expected X\'s filter object: { user_id } or { keyword }, with direction "inbound" or "outbound" if the event type has one')
  }
  const fields = filter as Record<string, unknown>
  const unknown = Object.keys(fields).filter((key) => !FILTER_KEYS.has(key))
  if (unknown.length > 0) refuse('filter', `X's filter has user_id, keyword and direction, not ${unknown.join(', ')}; it is sent unchanged, in X's own names`)
  const given = ['user_id', 'keyword'].filter((key) => fields[key] !== undefined)
  if (given.length !== 1) refuse('filter', `give exactly one of user_id and keyword${given.length === 0 ? '' : ', not both'}`)
  if (fields.user_id !== undefined) checkId('filter.user_id', fields.user_id)
  if (fields.keyword !== undefined && !nonEmpty(fields.keyword)) refuse('filter.keyword', 'expected a non-empty string')
  if (fields.direction !== undefined && fields.direction !== 'inbound' && fields.direction !== 'outbound') {
    refuse('filter.direction', `expected "inbound" or "outbound", got ${JSON.stringify(fields.direction)}`)
  }
  return filter as XaaFilter
}

export function checkTag (tag: unknown): string | undefined {
  if (tag !== undefined && (typeof tag !== 'string' || tag.length < 1 || tag.length > 200)) {
    refuse('tag', 'expected a string of 1 to 200 characters')
  }
  return tag
}

export function checkSubscriptionInput (input: unknown): XaaSubscriptionInput {
  if (typeof input !== 'object' || input === null) refuse('subscription', 'expected { eventType, filter, tag?, webhookId? }')
  const { eventType, filter, tag, webhookId } = input as Record<string, unknown>
  if (!nonEmpty(eventType)) refuse('eventType', 'expected X\'s event type as a non-empty string, e.g. "follow.follow" or "profile.update.bio"')
  return {
    eventType: eventType as string,
    filter: checkFilter(filter),
    tag: checkTag(tag),
    webhookId: webhookId === undefined ? undefined : checkId('webhookId', webhookId)
  }
}

export function checkChanges (changes: unknown): { tag?: string, webhookId?: string } {
  const { tag, webhookId } = (typeof changes === 'object' && changes !== null ? changes : {}) as Record<string, unknown>
  if (tag === undefined && webhookId === undefined) refuse('changes', 'X can change a subscription\'s tag and webhookId: give at least one')
  return { tag: checkTag(tag), webhookId: webhookId === undefined ? undefined : checkId('webhookId', webhookId) }
}

export function checkIds (ids: unknown): string[] {
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) {
    refuse('ids', `X deletes 1 to 100 subscriptions at once; got ${Array.isArray(ids) ? ids.length : 'no array'}: split larger lists into batches of 100`)
  }
  return ids.map((id, i) => checkId(`ids[${i}]`, id))
}

export function checkMaxResults (maxResults: unknown): number | undefined {
  if (maxResults !== undefined && (!Number.isSafeInteger(maxResults) || (maxResults as number) < 1 || (maxResults as number) > 1000)) {
    refuse('maxResults', `expected a whole number from 1 to 1000, got ${String(maxResults)}`)
  }
  return maxResults as number | undefined
}

/** Stream link parameters as X's query: `expansions` and `*.fields`, each a list joined with commas. */
export function checkLinkParams (params: unknown): Record<string, string> {
  if (params === undefined) return {}
  if (typeof params !== 'object' || params === null) refuse('params', 'expected { expansions?, \'tweet.fields\'?, … } with a list of names for each')
  const query: Record<string, string> = {}
  for (const [name, value] of Object.entries(params as StreamLinkParams)) {
    if (name !== 'expansions' && !/^[a-z_]+\.fields$/.test(name)) refuse('params', `X's stream link takes expansions and *.fields parameters, not "${name}"`)
    if (!Array.isArray(value) || value.length === 0 || !value.every((item) => nonEmpty(item) && !item.includes(','))) {
      refuse(`params["${name}"]`, 'expected a non-empty list of names, e.g. [\'author_id\', \'created_at\']')
    }
    query[name] = value.join(',')
  }
  return query
}

// ---------------------------------------------------------------------------------------------------------------
// The replay window (X-PLATFORM §4): from before to, within the last 24 hours, not in the future, in X's
// `yyyymmddhhmm` UTC, which has minute precision.

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

/** `yyyymmddhhmm` in UTC. */
export function xDate (time: number): string {
  return new Date(time).toISOString().slice(0, 16).replace(/\D/g, '')
}

function checkDate (what: string, value: unknown): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) refuse(what, `expected a valid Date, got ${String(value)}`)
  return value.getTime()
}

/**
 * X's dates for a replay of [from, to] (both inclusive), checked against `now`.
 *
 * Rounding, since X counts in whole minutes: `from` is rounded down, so the window starts at or before it; if that
 * minute began more than 24 hours ago (X would refuse it) the next one is used instead. `to` is rounded up, so the
 * window ends at or after it whether X reads `to_date` as inclusive (v2) or exclusive (the old AAA endpoint); if
 * that minute has not begun yet (X refuses dates in the future), `to`'s own minute is used, which v2 includes.
 * The rounded dates must still differ; a window inside one minute that has not ended cannot be written.
 */
export function replayWindow (from: unknown, to: unknown, now = Date.now()): { fromDate: string, toDate: string } {
  const start = checkDate('from', from)
  const end = checkDate('to', to)
  if (start >= end) refuse('replay window', `from (${new Date(start).toISOString()}) must be before to (${new Date(end).toISOString()})`)
  if (end > now) refuse('replay window', `to (${new Date(end).toISOString()}) is in the future; X replays what was already delivered: use a time up to now`)
  if (start < now - DAY) {
    refuse('replay window', `from (${new Date(start).toISOString()}) is more than 24 hours ago; X keeps deliveries for 24 hours: start at ${new Date(now - DAY + MINUTE).toISOString()} or later`)
  }
  let first = Math.floor(start / MINUTE) * MINUTE
  if (first < now - DAY) first += MINUTE
  let last = Math.ceil(end / MINUTE) * MINUTE
  if (last > now) last = Math.floor(end / MINUTE) * MINUTE
  if (last <= first) {
    refuse('replay window', `X's dates have whole minutes, and from and to both fall in ${xDate(first)} (UTC) or the window is too close to the 24-hour limit; widen it past a minute boundary, or wait for the minute to end`)
  }
  return { fromDate: xDate(first), toDate: xDate(last) }
}
