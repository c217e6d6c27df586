import { XWebhooksClient } from './client/index.js'
import { createMemoryStore } from './dedupe/memory.js'
import type { DedupeOptions } from './dedupe/store.js'
import type { Deduplication } from './delivery.js'
import { MAX_TIMER, parseDuration } from './duration.js'
import { FST_XWH_INVALID_OPTION } from './errors.js'
import { DEFAULT_RECOVERY_SETTINGS, type RecoverySettings } from './recovery.js'
import type { ConsumerSecret } from './signature.js'

export type AckMode = 'after-handlers' | 'immediate'

export interface FastifyXWebhooksOptions {
  /** The app's consumer secret (API secret key). Several during a rotation: the first signs CRC replies, any verifies. */
  consumerSecret: ConsumerSecret
  /** The one path X calls: GET for the CRC, POST for events. Default `/webhooks/x`. */
  path?: string
  /** Largest body accepted, in bytes. Default 1 MiB. */
  bodyLimit?: number
  /** `after-handlers` (default) answers once handlers settle, 500 when one failed; `immediate` answers 200 first. */
  ack?: AckMode
  /** Milliseconds to wait for handlers before answering 200 anyway (X gives up after 10 s). Default 8000. */
  handlerTimeout?: number
  /** Header carrying the delivery signature. Default `x-twitter-webhooks-signature`. */
  signatureHeader?: string
  /**
   * Each event runs once however often X delivers it (on by default, in memory). `false` turns it off; `store` shares
   * it between instances (`fastify-x-webhooks/redis`).
   */
  dedupe?: false | DedupeOptions
  /** The app-only bearer token: makes `app.x.client` available. */
  bearerToken?: string
  /** Where `app.x.client` sends its requests. Default `https://api.x.com`; the emulator or a proxy otherwise. */
  apiBaseUrl?: string
  /** Heals the webhook on its own: `app.x.recover()` at startup and whenever a periodic check finds it invalid. */
  recovery?: RecoveryOptions
}

/** A duration: milliseconds, or a string such as `'15m'`, `'30s'`, `'1h'`, `'500ms'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h'}`

export interface RecoveryOptions {
  /** The webhook that points at this route: its id at X. */
  webhookId: string
  /** Recover once the server listens: re-validate if needed, replay from the checkpoint. Default true. */
  onStartup?: boolean
  /** How often to ask X whether the webhook is still valid; `false` never. Default `'15m'`. */
  checkEvery?: Duration | false
  /** Replay from this long before the checkpoint (X's retries of what failed just before it). Default `'10m'`. */
  lookback?: Duration
  /** How long to wait for a replay job's status. Default `'10m'`. */
  jobTimeout?: Duration
}

export interface ResolvedRecovery {
  webhookId: string
  onStartup: boolean
  checkEvery: number | undefined
  settings: RecoverySettings
}

export interface ResolvedOptions {
  secrets: readonly string[]
  path: string
  bodyLimit: number
  ack: AckMode
  handlerTimeout: number
  signatureHeader: string
  dedupe: Deduplication | undefined
  client: XWebhooksClient | undefined
  recovery: ResolvedRecovery | undefined
}

const ACK_MODES: readonly AckMode[] = ['after-handlers', 'immediate']
// Fastify route paths may not carry a query string or a fragment; a parameter would match other URLs too.
const ROUTE_PATH = /^\/[^?#:*]*$/
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function fail (name: string, why: string): never {
  throw new FST_XWH_INVALID_OPTION(name, why)
}

function resolveSecrets (value: unknown): string[] {
  const secrets = Array.isArray(value) ? value : [value]
  if (secrets.length === 0) fail('consumerSecret', 'give at least one secret: the consumer secret (API secret key) of your X app')
  return secrets.map((secret: unknown) => {
    if (typeof secret !== 'string' || secret.length === 0) {
      fail('consumerSecret', 'expected a non-empty string, or an array of them: the consumer secret (API secret key) of your X app, e.g. process.env.X_CONSUMER_SECRET')
    }
    if (secret.trim() !== secret) {
      fail('consumerSecret', 'a secret starts or ends with white space; check how it is loaded (a trailing newline from a file or an .env line?)')
    }
    return secret
  })
}

function positiveInteger (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || (value as number) <= 0) fail(name, `expected a positive whole number, got ${String(value)}`)
  return value as number
}

const STORE_METHODS = ['claim', 'complete', 'release'] as const

function resolveDedupe (value: unknown, handlerTimeout: number): Deduplication | undefined {
  if (value === false) return undefined
  if (value !== undefined && (typeof value !== 'object' || value === null)) fail('dedupe', 'expected false, or { store?, ttl?, max? }')
  const { store, ttl, max } = (value ?? {}) as DedupeOptions
  if (store !== undefined && STORE_METHODS.some((method) => typeof store[method] !== 'function')) {
    fail('dedupe.store', 'expected a DedupeStore: an object with claim(id, ttlMs), complete(id, ttlMs) and release(id)')
  }
  if (store !== undefined && max !== undefined) fail('dedupe.max', 'max bounds the default in-memory store; bound a custom store yourself')
  return {
    store: store ?? createMemoryStore({ max: positiveInteger('dedupe.max', max, 100_000) }),
    // A claim lasts as long as X is promised an answer: a copy arriving meanwhile is a duplicate of a running event.
    claimTtl: handlerTimeout,
    doneTtl: positiveInteger('dedupe.ttl', ttl, 86_400_000)
  }
}

function resolveClient ({ bearerToken, apiBaseUrl }: Partial<FastifyXWebhooksOptions>): XWebhooksClient | undefined {
  if (bearerToken === undefined) {
    if (apiBaseUrl !== undefined) fail('apiBaseUrl', 'points app.x.client elsewhere, and the client needs bearerToken too')
    return undefined
  }
  return new XWebhooksClient({ bearerToken, baseUrl: apiBaseUrl })
}

function duration (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  const ms = parseDuration(value)
  if (ms === undefined || ms > MAX_TIMER) fail(name, `expected milliseconds or a duration such as '15m', '30s', '1h' (at most 24 days), got ${JSON.stringify(value)}`)
  return ms
}

function resolveRecovery (value: unknown, client: XWebhooksClient | undefined, dedupe: Deduplication | undefined): ResolvedRecovery | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) fail('recovery', 'expected { webhookId, onStartup?, checkEvery? }')
  const { webhookId, onStartup = true, checkEvery, lookback, jobTimeout } = value as RecoveryOptions
  if (client === undefined) fail('recovery', 'asks X about the webhook, which needs the bearerToken option too')
  if (dedupe === undefined) fail('recovery', 'replays events the service may have handled already, so it needs de-duplication: remove dedupe: false')
  if (typeof webhookId !== 'string' || !/^\d{1,19}$/.test(webhookId)) {
    fail('recovery.webhookId', 'expected the numeric id X gave the webhook, as a string (x-webhooks webhooks list shows it)')
  }
  if (typeof onStartup !== 'boolean') fail('recovery.onStartup', `expected true or false, got ${String(onStartup)}`)
  return {
    webhookId,
    onStartup,
    checkEvery: checkEvery === false ? undefined : duration('recovery.checkEvery', checkEvery, 15 * 60_000),
    settings: {
      ...DEFAULT_RECOVERY_SETTINGS,
      lookback: duration('recovery.lookback', lookback, DEFAULT_RECOVERY_SETTINGS.lookback),
      jobTimeout: duration('recovery.jobTimeout', jobTimeout, DEFAULT_RECOVERY_SETTINGS.jobTimeout)
    }
  }
}

/** Checks every option and fills in the defaults; throws FST_XWH_INVALID_OPTION naming the option and the fix. */
export function resolveOptions (options: Partial<FastifyXWebhooksOptions>): ResolvedOptions {
  const { path = '/webhooks/x', ack = 'after-handlers', signatureHeader = 'x-twitter-webhooks-signature' } = options
  if (typeof path !== 'string' || !ROUTE_PATH.test(path)) fail('path', 'expected an absolute path without query string or parameters, e.g. "/webhooks/x"')
  if (!ACK_MODES.includes(ack)) fail('ack', `expected one of ${ACK_MODES.join(', ')}`)
  if (typeof signatureHeader !== 'string' || !HEADER_NAME.test(signatureHeader)) fail('signatureHeader', 'expected an HTTP header name')
  const handlerTimeout = positiveInteger('handlerTimeout', options.handlerTimeout, 8_000)
  const secrets = resolveSecrets(options.consumerSecret)
  const bodyLimit = positiveInteger('bodyLimit', options.bodyLimit, 1_048_576)
  const dedupe = resolveDedupe(options.dedupe, handlerTimeout)
  const client = resolveClient(options)
  return {
    secrets,
    path,
    bodyLimit,
    ack,
    handlerTimeout,
    signatureHeader: signatureHeader.toLowerCase(),
    dedupe,
    client,
    recovery: resolveRecovery(options.recovery, client, dedupe)
  }
}
