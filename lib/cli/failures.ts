// Errors become an exit code, a message and a hint that says what to do.
import { XApiError } from '../client/index.js'
import { UsageError } from './args.js'
import { EXIT } from './command.js'
import type { Failure } from './output.js'

/** X's failure reasons (X-PLATFORM §3 and §6), and what to do about each. */
const REASON_HINTS: Record<string, string> = {
  CrcValidationFailed: 'the URL did not pass X\'s CRC: run x-webhooks crc-check URL to see what X saw',
  UrlValidationFailed: 'X accepts https URLs without an explicit port, at most 200 characters, reachable from the internet',
  DuplicateUrlFailed: 'this URL is registered already: x-webhooks webhooks list shows its id',
  WebhookLimitExceeded: 'the app has all the webhooks its plan allows: x-webhooks webhooks list, then x-webhooks webhooks delete ID',
  WebhookIdInvalid: 'no webhook of this app has that id: x-webhooks webhooks list',
  ReplayConflictError: 'a replay job is already running for this webhook; wait for its replay_job_status delivery',
  QueryParamInvalid: 'X refused a parameter; check the command\'s --help',
  DuplicateSubscriptionFailed: 'the user is subscribed already: x-webhooks subscriptions aaa check WEBHOOK_ID',
  SubscriptionLimitExceeded: 'the app has all the subscriptions its plan allows: x-webhooks subscriptions aaa count',
  SubscriptionNotFound: 'there is no such subscription: list them with x-webhooks subscriptions aaa list WEBHOOK_ID or subscriptions xaa list'
}

const STATUS_HINTS: Record<number, string> = {
  401: 'X did not accept the token: check --bearer-token / X_BEARER_TOKEN (or the user\'s token for AAA subscribe and check)',
  403: 'the token is valid but not allowed here: the app must be in a project with access to this product and endpoint',
  404: 'X knows no such resource: check the id (the list commands show them)'
}

const CLIENT_ERRORS: Record<string, { kind: Failure['kind'], exitCode: number }> = {
  FST_XWH_INVALID_OPTION: { kind: 'usage', exitCode: EXIT.usage },
  FST_XWH_INVALID_REQUEST: { kind: 'usage', exitCode: EXIT.usage },
  FST_XWH_REQUEST_TIMEOUT: { kind: 'network', exitCode: EXIT.unreachable },
  FST_XWH_REQUEST_FAILED: { kind: 'network', exitCode: EXIT.unreachable },
  FST_XWH_UNEXPECTED_RESPONSE: { kind: 'x-api', exitCode: EXIT.failed },
  FST_XWH_RECOVERY_FAILED: { kind: 'x-api', exitCode: EXIT.failed }
}

function apiFailure (error: XApiError): Failure {
  const { status, type, title, detail, reason, rateLimit } = error
  const reset = rateLimit.reset?.toISOString()
  const hint = status === 429
    ? `rate limited until ${reset ?? 'the window resets'}; --retry-on-rate-limit waits and tries once more`
    : REASON_HINTS[reason as string] ?? STATUS_HINTS[status] ?? (status >= 500 ? 'X failed to answer: try again later' : undefined)
  const said = [...new Set([reason, title, detail])].filter((part) => part !== undefined)
  const message = `${error.request}: X answered ${status}${said.length === 0 ? '' : ` (${said.join(': ')})`}`
  return { kind: 'x-api', message, hint, status, type, title, detail, reason, rateLimit }
}

export function describe (error: unknown): { failure: Failure, exitCode: number } {
  if (error instanceof UsageError) {
    return { failure: { kind: 'usage', message: error.message, hint: `see ${error.help}` }, exitCode: EXIT.usage }
  }
  if (error instanceof XApiError) return { failure: apiFailure(error), exitCode: EXIT.failed }
  const { code, message } = error as { code?: string, message: string }
  const known = CLIENT_ERRORS[code as string]
  if (known !== undefined) {
    // The client's refusals name its own options; here they are flags.
    const hint = /allowInsecureUrl/.test(message) ? 'for the emulator\'s http://127.0.0.1 receivers, pass --allow-insecure-url' : undefined
    return { failure: { kind: known.kind, message, hint, code }, exitCode: known.exitCode }
  }
  return { failure: { kind: 'internal', message: String(error) }, exitCode: EXIT.failed }
}
