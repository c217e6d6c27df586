import type { FastifyBaseLogger } from 'fastify'
import type { ClaimResult, DedupeStore } from './dedupe/store.js'
import type { AnyXEvent } from './events/types.js'
import { XHandlersError, type XEventRouter } from './router.js'

export interface Deduplication {
  store: DedupeStore
  /** How long a claim holds: a copy arriving meanwhile is a duplicate; a crashed holder's claim expires after it. */
  claimTtl: number
  /** How long a handled id is remembered. */
  doneTtl: number
}

/** What became of one event of a delivery. `failed` makes X deliver it again (500 in after-handlers mode). */
export type EventOutcome =
  | { status: 'handled' | 'duplicate', event: AnyXEvent }
  | { status: 'failed', event: AnyXEvent, error: XHandlersError | Error }

/** Sees what became of every event (a running recovery counts its replayed events and waits for its job's status). */
export type OutcomeObserver = (outcome: EventOutcome) => void

/**
 * Runs one event's handlers at most once in effect: claim its id, run, then remember it as done, or release the claim
 * when a handler failed so that X's redelivery runs it again. Never rejects. (One function, not three: every await
 * here is paid by every event.)
 */
export async function handleEvent (
  router: XEventRouter, dedupe: Deduplication | undefined, event: AnyXEvent, log: FastifyBaseLogger
): Promise<EventOutcome> {
  if (dedupe === undefined) {
    const failure = await router.dispatch(event)
    return failure === undefined ? { status: 'handled', event } : { status: 'failed', event, error: failure }
  }
  let claimed: ClaimResult
  try {
    claimed = await dedupe.store.claim(event.id, dedupe.claimTtl)
  } catch (error) {
    // A store that cannot be reached fails the event, so that X delivers it again, rather than risk running it twice.
    return { status: 'failed', event, error: error as Error }
  }
  if (claimed !== 'claimed') return { status: 'duplicate', event }
  const failure = await router.dispatch(event)
  try {
    // Remember the event as done, or release its claim after a failure so that X's redelivery runs it again.
    if (failure === undefined) await dedupe.store.complete(event.id, dedupe.doneTtl)
    else await dedupe.store.release(event.id)
  } catch (error) {
    // The handlers' outcome stands; at worst the claim expires on its own after claimTtl.
    log.error({ err: error, eventType: event.type, eventId: event.id }, 'fastify-x-webhooks: the de-duplication store failed')
  }
  return failure === undefined ? { status: 'handled', event } : { status: 'failed', event, error: failure }
}

/**
 * Handles every event of a delivery, logs what failed (error) and what was a duplicate (debug), and resolves with
 * whether any event failed, so that X delivers it again. Never rejects.
 */
export async function handleDelivery (
  router: XEventRouter, dedupe: Deduplication | undefined, events: readonly AnyXEvent[], log: FastifyBaseLogger,
  observers?: ReadonlySet<OutcomeObserver>
): Promise<boolean> {
  // Most deliveries carry one event: it needs no Promise.all.
  const outcomes = events.length === 1
    ? [await handleEvent(router, dedupe, events[0] as AnyXEvent, log)]
    : await Promise.all(events.map((event) => handleEvent(router, dedupe, event, log)))
  let failed = false
  for (const outcome of outcomes) {
    if (observers !== undefined) for (const observe of observers) observe(outcome)
    const { type: eventType, id: eventId } = outcome.event
    if (outcome.status === 'duplicate') log.debug({ eventType, eventId }, 'fastify-x-webhooks: duplicate skipped')
    if (outcome.status !== 'failed') continue
    failed = true
    const what = outcome.error instanceof XHandlersError ? 'handler failed' : 'the de-duplication store failed'
    log.error({ err: outcome.error, eventType, eventId }, `fastify-x-webhooks: ${what}`)
  }
  return failed
}
