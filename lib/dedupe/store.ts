/** Where an event id stands: this caller may run it now, another holds it, or it was handled. */
export type ClaimResult = 'claimed' | 'running' | 'done'

/**
 * Remembers which events were handled, so that each runs once however often X delivers it. Implementations must make
 * `claim` atomic: of two callers claiming one id at once, exactly one gets `'claimed'`. Share one store between the
 * instances of a service (see `fastify-x-webhooks/redis`) and each event runs once across all of them.
 */
export interface DedupeStore {
  /**
   * Atomically: `'claimed'` when this caller may run the event now, `'running'` when another holds the claim (it
   * expires after `ttlMs`, so a crashed holder does not lose the event), `'done'` when it was handled.
   */
  claim (id: string, ttlMs: number): Promise<ClaimResult>
  /** Every handler succeeded: remember the id as done for `ttlMs`. */
  complete (id: string, ttlMs: number): Promise<void>
  /** A handler failed: forget the claim, so that X's redelivery runs the event again. */
  release (id: string): Promise<void>
  /**
   * Optional (recovery): remember `time` (epoch ms) under `key` unless a later time is already there, so that a
   * restarted service knows when it last handled an event. Without it, checkpoints live in the process's memory.
   */
  saveCheckpoint? (key: string, time: number): Promise<void>
  /** Optional (recovery): the time saved under `key`, or undefined. */
  loadCheckpoint? (key: string): Promise<number | undefined>
}

export interface DedupeOptions {
  /** Where claims and handled ids live. Default: in this process's memory, bounded by `max` and `ttl`. */
  store?: DedupeStore
  /** How long a handled id is remembered, in milliseconds. Default 24 hours, X's replay window. */
  ttl?: number
  /** With the default store: how many ids are remembered at most (least recently seen go first). Default 100,000. */
  max?: number
}
