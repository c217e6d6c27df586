import { EventEmitter } from 'eventemitter3'
import type { FastifyBaseLogger } from 'fastify'
import { FST_XWH_INVALID_ROUTING_KEY } from './errors.js'
import type {
  AaaEventType, AnyXEvent, StreamEventType, WebhookEventType, XaaEventType, XEvent, XEventType, XProduct
} from './events/types.js'

/** Every whole-segment dotted prefix of an event type: `profile` and `profile.update` for `profile.update.bio`. */
type Prefixes<T extends string> = T extends `${infer Head}.${infer Rest}` ? Head | `${Head}.${Prefixes<Rest>}` : never
type KeysOf<T extends string> = T | Prefixes<T>

interface TypesByProduct {
  xaa: XaaEventType | 'unknown'
  aaa: AaaEventType | 'unknown'
  stream: StreamEventType | 'unknown'
  webhook: WebhookEventType | 'unknown'
}

/**
 * What `on()` accepts: an event type (`follow.follow`), a whole-segment prefix of one (`follow`, `profile.update`),
 * either limited to one product (`xaa:follow`), or every event of a product (`aaa:*`).
 */
export type XRoutingKey = KeysOf<XEventType> | { [P in XProduct]: `${P}:${KeysOf<TypesByProduct[P]> | '*'}` }[XProduct]

type MatchesKey<T extends string, K extends string> = T extends K ? true : T extends `${K}.${string}` ? true : false
type Matching<E, K extends string> = E extends { type: infer T extends string } ? (MatchesKey<T, K> extends true ? E : never) : never

/** The events a routing key selects: handlers registered with `key` see exactly this type. */
export type XEventFor<K extends string> =
  K extends `${infer P extends XProduct}:${infer Rest}`
    ? Rest extends '*' ? Extract<AnyXEvent, { product: P }> : Matching<Extract<XEvent, { product: P }>, Rest>
    : Matching<XEvent, K>

export type XEventHandler<E = AnyXEvent> = (event: E) => unknown

/** What `onError` handlers receive: every error the handlers of one event threw, and that event. */
export class XHandlersError extends AggregateError {
  declare readonly event: AnyXEvent

  constructor (event: AnyXEvent, errors: unknown[]) {
    super(errors, `${errors.length} handler(s) failed for ${event.type} event ${event.id}`)
    this.name = 'XHandlersError'
    // Not enumerable, so a logger serialising this error does not write the event's payload into the logs.
    Object.defineProperty(this, 'event', { value: event, enumerable: false })
  }
}

export type XErrorHandler = (error: XHandlersError) => unknown

const PRODUCTS: ReadonlySet<string> = new Set<XProduct>(['aaa', 'xaa', 'stream', 'webhook'])
const TYPE_PATH = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/
const ANY = Symbol('any')
const ERROR = Symbol('error')

function validateKey (key: unknown): string {
  if (typeof key !== 'string') throw new FST_XWH_INVALID_ROUTING_KEY(key, 'expected a string such as "follow.follow", "follow" or "xaa:follow"')
  if (key === '*') throw new FST_XWH_INVALID_ROUTING_KEY(key, 'use app.x.onAny(handler) for every event')
  if (key === 'error') throw new FST_XWH_INVALID_ROUTING_KEY(key, 'use app.x.onError(handler) for failures')
  const colon = key.indexOf(':')
  const path = colon === -1 ? key : key.slice(colon + 1)
  if (colon !== -1 && !PRODUCTS.has(key.slice(0, colon))) {
    throw new FST_XWH_INVALID_ROUTING_KEY(key, 'the product before ":" must be one of aaa, xaa, stream, webhook')
  }
  if ((colon === -1 || path !== '*') && !TYPE_PATH.test(path)) {
    throw new FST_XWH_INVALID_ROUTING_KEY(key, 'expected dot-separated segments of letters, digits and _, e.g. "profile.update"')
  }
  return key
}

/** Every key of `on(key | keys)`, all checked before any is used, so that a bad key registers nothing. */
function validateKeys (keys: unknown): string[] {
  return [keys].flat().map(validateKey)
}

/** The keys whose handlers an event of this product and type runs: every prefix, bare and product-qualified. */
function keysFor (product: string, type: string): string[] {
  const keys = [`${product}:*`]
  // A type from the wire that no key can name (e.g. an XAA `event_type` of "aaa:follow.follow") reaches only
  // `product:*` and onAny, never the handlers of another product or of a key it merely resembles.
  if (!TYPE_PATH.test(type)) return keys
  let end = type.indexOf('.')
  while (end !== -1) {
    const prefix = type.slice(0, end)
    keys.push(prefix, `${product}:${prefix}`)
    end = type.indexOf('.', end + 1)
  }
  keys.push(type, `${product}:${type}`)
  return keys
}

/** Settles a handler's promise to its failure (undefined when it succeeded), so that it never rejects unhandled. */
async function failureOf (pending: PromiseLike<unknown>): Promise<unknown> {
  try {
    await pending
    return undefined
  } catch (error) {
    return error ?? new Error('a handler threw a nullish value')
  }
}

/**
 * Runs every handler with `value` and collects their failures. Synchronous handlers are not awaited: at hundreds of
 * events a second, a promise per handler would cost more than most handlers do.
 */
async function runAll<T> (handlers: ReadonlyArray<(value: T) => unknown>, value: T): Promise<unknown[]> {
  const errors: unknown[] = []
  let pending: Array<Promise<unknown>> | undefined
  for (const handler of handlers) {
    try {
      const result = handler(value)
      if (isThenable(result)) (pending ??= []).push(failureOf(result))
    } catch (error) {
      errors.push(error ?? new Error('a handler threw a nullish value'))
    }
  }
  if (pending !== undefined) {
    for (const error of await Promise.all(pending)) if (error !== undefined) errors.push(error)
  }
  return errors
}

function isThenable (value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

/**
 * The handler registry (eventemitter3 holds the listeners) and the dispatcher: every handler that matches an event
 * runs and is awaited, one failing does not stop the others, and all failures reach `onError` together.
 */
export class XEventRouter {
  readonly #emitter = new EventEmitter<string | symbol>()
  // The handlers of each product:type seen, rebuilt after on/off/onAny change the registry.
  readonly #handlersByType = new Map<string, readonly XEventHandler[]>()
  readonly #log: FastifyBaseLogger

  constructor (log: FastifyBaseLogger) {
    this.#log = log
  }

  /** Runs `handler` for every event the key (or any of the keys) selects. */
  on<K extends XRoutingKey> (keys: K | readonly K[], handler: XEventHandler<XEventFor<K>>): this {
    for (const key of validateKeys(keys)) this.#emitter.on(key, handler)
    this.#handlersByType.clear()
    return this
  }

  /** Removes a handler registered with `on` under the same key(s). */
  off<K extends XRoutingKey> (keys: K | readonly K[], handler: XEventHandler<XEventFor<K>>): this {
    for (const key of validateKeys(keys)) this.#emitter.off(key, handler)
    this.#handlersByType.clear()
    return this
  }

  /** Runs `handler` for every event, including types this version does not know. */
  onAny (handler: XEventHandler<AnyXEvent>): this {
    this.#emitter.on(ANY, handler)
    this.#handlersByType.clear()
    return this
  }

  /** Called once per event whose handlers failed, with all their errors; a failing error handler is logged. */
  onError (handler: XErrorHandler): this {
    this.#emitter.on(ERROR, handler)
    return this
  }

  /** Runs every handler of the event; resolves with their failures (already reported to `onError`), never rejects. */
  async dispatch (event: AnyXEvent): Promise<XHandlersError | undefined> {
    const handlers = this.#handlersFor(event)
    if (handlers.length === 0) return undefined
    const errors = await runAll(handlers, event)
    if (errors.length === 0) return undefined
    const failure = new XHandlersError(event, errors)
    for (const error of await runAll(this.#emitter.listeners(ERROR) as XErrorHandler[], failure)) {
      this.#log.error({ err: error }, 'fastify-x-webhooks: an onError handler threw')
    }
    return failure
  }

  #handlersFor (event: AnyXEvent): readonly XEventHandler[] {
    const cacheKey = `${event.product}:${event.type}`
    let handlers = this.#handlersByType.get(cacheKey)
    if (handlers === undefined) {
      handlers = [ANY, ...keysFor(event.product, event.type)].flatMap((key) => this.#emitter.listeners(key))
      // Types come from signed deliveries, so the cache stays small; the bound guards against a flood of new ones.
      if (this.#handlersByType.size < 1024) this.#handlersByType.set(cacheKey, handlers)
    }
    return handlers
  }
}
