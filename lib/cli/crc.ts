// A CRC the way X runs one, judged by X's rules (X-PLATFORM §1 and §3's validity rules).
import { randomBytes } from 'node:crypto'
import { crcResponseToken } from '../signature.js'

/**
 * `valid`: X would accept the answer. `invalid`: X marks the webhook invalid at once (a 2xx with a wrong or
 * missing response_token, any 3xx, a TLS error). `transient`: X marks it invalid only when no CRC has passed for
 * more than 28 hours (a 4xx, a 5xx, a timeout, a connection refused or closed).
 */
export type CrcVerdict = 'valid' | 'invalid' | 'transient'

export interface CrcCheckResult {
  url: string
  result: CrcVerdict
  /** The HTTP status, or null when there was no answer. */
  status: number | null
  elapsedMs: number
  /** What X would see. */
  reason: string
  /** What to change; null when valid. */
  fix: string | null
  /** Things X tolerates today but should be fixed: slowness, the content type, URLs X will not register. */
  warnings: string[]
}

export interface CrcCheckOptions {
  consumerSecret: string
  /** Milliseconds to wait for the whole answer. */
  timeout: number
  fetch: typeof fetch
  /** Do not warn about http:, explicit ports and long URLs (the emulator's receivers). */
  allowInsecureUrl: boolean
}

/** X asks for an answer "well under a second". */
const SLOW_MS = 1000
const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/
const SIGN_FIX = 'answer 200 with JSON {"response_token": "sha256=" + base64(HMAC-SHA256(key = the app\'s consumer secret, message = crc_token))}'
const TRANSIENT_NOTE = 'X counts this as transient: the webhook turns invalid when no CRC has passed for more than 28 hours'
const CLIENT_ERROR_FIX: Record<number, string> = {
  400: 'the service refused the request; it must accept any crc_token X sends (and ignore other query parameters)',
  401: 'the CRC GET carries no credentials: let GET requests to the webhook URL through without authentication',
  403: 'the CRC GET carries no credentials: let GET requests to the webhook URL through without authentication',
  404: 'nothing answers GET at this path; the plugin serves GET and POST at its `path` option (default /webhooks/x)',
  405: 'the URL must answer GET (the CRC) as well as POST (the events)'
}

/** X's rules for the URLs it registers, as warnings: a service may be checked on a local address first. */
function urlWarnings (url: URL, raw: string): string[] {
  const warnings = []
  if (url.protocol !== 'https:') warnings.push('X registers only https URLs')
  if (url.port !== '') warnings.push(`X refuses URLs with an explicit port (${url.port}); serve on 443`)
  if (raw.length > 200) warnings.push(`X refuses URLs longer than 200 characters (this one has ${raw.length})`)
  return warnings
}

/** What went wrong on the wire: undici's code (`ECONNREFUSED`), else its message (`bad port`), else the error's. */
function wireError (error: unknown): string {
  const cause = (error as { cause?: { code?: unknown, message?: unknown } }).cause
  return String(cause?.code ?? cause?.message ?? error)
}

export async function checkCrc (url: string, options: CrcCheckOptions): Promise<CrcCheckResult> {
  const target = new URL(url)
  const warnings = options.allowInsecureUrl ? [] : urlWarnings(target, url)
  const token = randomBytes(32).toString('base64url')
  target.searchParams.set('crc_token', token)
  const expected = crcResponseToken(token, options.consumerSecret)
  const started = performance.now()
  let ms = 0
  const verdict = (result: CrcVerdict, status: number | null, reason: string, fix: string | null): CrcCheckResult =>
    ({ url, result, status, elapsedMs: ms, reason, fix, warnings })

  let response: Response
  let body: string
  try {
    response = await options.fetch(target, { redirect: 'manual', signal: AbortSignal.timeout(options.timeout), headers: { accept: 'application/json' } })
    body = await response.text()
    ms = Math.round(performance.now() - started)
  } catch (error) {
    ms = Math.round(performance.now() - started)
    if ((error as Error).name === 'TimeoutError') {
      return verdict('transient', null, `did not answer within ${options.timeout} ms`, `answer at once, with no I/O; ${TRANSIENT_NOTE}`)
    }
    const code = wireError(error)
    if (TLS_ERROR.test(code)) {
      return verdict('invalid', null, `failed the TLS handshake after ${ms} ms (${code})`, 'serve a certificate a public client trusts, for this host name, on a TLS version X supports')
    }
    return verdict('transient', null, `could not be reached: ${code} after ${ms} ms`, `make the service reachable at this URL; ${TRANSIENT_NOTE}`)
  }

  const { status } = response
  const took = `${status} in ${ms} ms`
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location')
    return verdict('invalid', status, `answered ${took}, a redirect${location === null ? '' : ` to ${location}`}; X does not follow redirects`,
      'register the final URL, or serve the CRC at this one')
  }
  if (status >= 400) {
    return verdict('transient', status, `answered ${took}`, `${CLIENT_ERROR_FIX[status] ?? (status >= 500 ? 'the service failed: see its logs' : SIGN_FIX)}; ${TRANSIENT_NOTE}`)
  }
  if (status !== 200) return verdict('invalid', status, `answered ${took}; X expects 200`, SIGN_FIX)

  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type'
    return verdict('invalid', status, `answered ${took} but the body is not JSON (${type})`, SIGN_FIX)
  }
  const received = (json as { response_token?: unknown } | null)?.response_token
  if (typeof received !== 'string') return verdict('invalid', status, `answered ${took} but the JSON has no response_token string`, SIGN_FIX)
  if (received !== expected) {
    const fix = received === expected.slice('sha256='.length)
      ? 'prefix the token with "sha256="'
      : 'sign the crc_token with the app\'s consumer secret (API secret key), never a bearer or access token; is it this app\'s secret?'
    return verdict('invalid', status, `answered ${took} with response_token "${received}", expected "${expected}"`, fix)
  }
  if (!/^application\/json\b/i.test(response.headers.get('content-type') ?? '')) {
    warnings.push('the answer is not labelled Content-Type: application/json, which X asks for')
  }
  if (ms >= SLOW_MS) warnings.push(`the answer took ${ms} ms; X asks for well under a second (answer without I/O)`)
  return verdict('valid', status, `answered ${took} with the right response_token`, null)
}
