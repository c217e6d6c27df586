import type { FastifyBaseLogger } from 'fastify'
import type { DedupeStore } from './dedupe/store.js'
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

/** A store that cannot be reached fails the event, so that X delivers it again, rather than risk running it twice. */
async function claim (dedupe: Deduplication, event: AnyXEvent): Promise<'claimed' | 'running' | 'done' | Error> {
  try {
    return await dedupe.store.claim(event.id, dedupe.claimTtl)
  } catch (error) {
    return error as Error
  }
}

/** Remembers the event as done, or releases its claim after a failure so that X's redelivery runs it again. */
async function settleClaim (dedupe: Deduplication, event: AnyXEvent, failed: boolean, log: FastifyBaseLogger): Promise<void> {
  try {
    if (failed) await dedupe.store.release(event.id)
    else await dedupe.store.complete(event.id, dedupe.doneTtl)
  } catch (error) {
    // The handlers' outcome stands; at worst the claim expires on its own after claimTtl.
    log.error({ err: error, eventType: event.type, eventId: event.id }, 'fastify-x-webhooks: the de-duplication store failed')
  }
}

/**
 * Runs one event's handlers at most once in effect: claim its id, run, then remember it as done, or release the claim
 * when a handler failed so that X's redelivery runs it again. Never rejects.
 */
export async function handleEvent (
  router: XEventRouter, dedupe: Deduplication | undefined, event: AnyXEvent, log: FastifyBaseLogger
): Promise<EventOutcome> {
  if (dedupe !== undefined) {
    const claimed = await claim(dedupe, event)
    if (claimed instanceof Error) return { status: 'failed', event, error: claimed }
    if (claimed !== 'claimed') return { status: 'duplicate', event }
  }
  const failure = await router.dispatch(event)
  if (dedupe !== undefined) await settleClaim(dedupe, event, failure !== undefined, log)
  return failure === undefined ? { status: 'handled', event } : { status: 'failed', event, error: failure }
}

/**
 * Handles every event of a delivery, logs what failed (error) and what was a duplicate (debug), and resolves with
 * whether any event failed, so that X delivers it again. Never rejects.
 */
export async function handleDelivery (
  router: XEventRouter, dedupe: Deduplication | undefined, events: readonly AnyXEvent[], log: FastifyBaseLogger
): Promise<boolean> {
  const outcomes = await Promise.all(events.map((event) => handleEvent(router, dedupe, event, log)))
  let failed = false
  for (const outcome of outcomes) {
    const { type: eventType, id: eventId } = outcome.event
    if (outcome.status === 'duplicate') log.debug({ eventType, eventId }, 'fastify-x-webhooks: duplicate skipped')
    if (outcome.status !== 'failed') continue
    failed = true
    const what = outcome.error instanceof XHandlersError ? 'handler failed' : 'the de-duplication store failed'
    log.error({ err: outcome.error, eventType, eventId }, `fastify-x-webhooks: ${what}`)
  }
  return failed
}
