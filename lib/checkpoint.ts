import type { FastifyBaseLogger } from 'fastify'
import type { DedupeStore } from './dedupe/store.js'

// How often the latest checkpoint is written to the store: one write a second, not one per event.
const FLUSH_EVERY = 1000

/**
 * When this route last handled a delivery, kept in the de-duplication store (memory or Redis) so that a restarted
 * service knows where it stopped. Recorded in memory on every handled delivery, written to the store at most once a
 * second and when the app closes. While a recovery runs, nothing is written: a crash halfway through must leave the
 * checkpoint before the gap, not after the live events that arrived meanwhile.
 */
export class Checkpoints {
  readonly #store: DedupeStore | undefined
  readonly #key: string
  readonly #log: FastifyBaseLogger
  #latest: number | undefined
  #saved: number | undefined
  #holds = 0
  #closed = false
  #timer: NodeJS.Timeout | undefined

  constructor (store: DedupeStore | undefined, path: string, log: FastifyBaseLogger) {
    // Stores without checkpoints (custom ones written before them) keep them in this process only.
    this.#store = typeof store?.saveCheckpoint === 'function' && typeof store.loadCheckpoint === 'function' ? store : undefined
    this.#key = `checkpoint:${path}`
    this.#log = log
  }

  /** A delivery received at `time` (epoch ms) was handled: every event in it succeeded or was a duplicate. */
  record (time: number): void {
    // Handlers that finish after the app closed do not write to a store the app may have closed.
    if (this.#closed || (this.#latest !== undefined && this.#latest >= time)) return
    this.#latest = time
    if (this.#timer === undefined && this.#holds === 0) {
      this.#timer = setTimeout(() => { this.flush() }, FLUSH_EVERY)
      this.#timer.unref()
    }
  }

  /**
   * The last delivery handled, as saved in the store (by this instance before a restart, or by another), or with
   * `unsaved` also one recorded here and not written yet. At startup, read before the server listens.
   */
  async load (unsaved = true): Promise<number | undefined> {
    const stored = await this.#store?.loadCheckpoint?.(this.#key)
    const times = [stored, this.#saved, unsaved ? this.#latest : undefined].filter((time): time is number => typeof time === 'number' && Number.isFinite(time))
    return times.length === 0 ? undefined : Math.max(...times)
  }

  /** No writes until the returned function is called (once per hold); then the latest is written. */
  hold (): () => Promise<void> {
    this.#holds++
    let released = false
    return async () => {
      if (released) return
      released = true
      this.#holds--
      await this.flush()
    }
  }

  /** The app closes: the last write (unless a recovery holds it), then none. */
  async close (): Promise<void> {
    await this.flush()
    this.#closed = true
  }

  /** Writes the latest checkpoint now, unless a recovery holds it; a failing store is logged, never thrown. */
  async flush (): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const latest = this.#latest
    if (this.#holds > 0 || latest === undefined || latest === this.#saved) return
    try {
      await this.#store?.saveCheckpoint?.(this.#key, latest)
      this.#saved = latest
    } catch (error) {
      this.#log.error({ err: error }, 'fastify-x-webhooks: could not save the checkpoint; a recovery after a restart may replay more than needed')
    }
  }
}
