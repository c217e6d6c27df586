import type { FastifyBaseLogger, FastifyPluginCallback } from 'fastify'
import fp from 'fastify-plugin'
import { Checkpoints } from './checkpoint.js'
import { XWebhooksClient } from './client/index.js'
import type { OutcomeObserver } from './delivery.js'
import { FST_XWH_ALREADY_REGISTERED, FST_XWH_NO_CLIENT } from './errors.js'
import { resolveOptions, type FastifyXWebhooksOptions } from './options.js'
import { DEFAULT_RECOVERY_SETTINGS, recover, type RecoverOptions, type RecoveryReport, type RecoverySettings } from './recovery.js'
import { scheduleRecovery } from './recovery-schedule.js'
import { XEventRouter } from './router.js'
import { webhookRoutes } from './routes.js'

/** What the plugin shares with `app.x` for recoveries; never exposed on `app.x` itself. */
export interface RecoveryState {
  checkpoints: Checkpoints
  observers: Set<OutcomeObserver>
  settings: RecoverySettings
  /**
   * A recovery that has not completed (at startup: the one to run): where it starts, and the hold that keeps the
   * saved checkpoint before the gap until one completes, so that a crash or a restart replays the gap again.
   */
  unfinished?: { checkpoint: Promise<number | undefined> | undefined, since: Date | undefined, release: () => Promise<void> }
  /** Aborted when the app closes: a running recovery stops waiting, a queued one does not start. */
  closing: AbortController
}

/** `app.x`: register handlers for X events, manage webhooks through `client`, heal the webhook with `recover`. */
export class XWebhooks extends XEventRouter {
  readonly #client: XWebhooksClient | undefined
  readonly #log: FastifyBaseLogger
  readonly #state: RecoveryState
  // Recoveries run one after another: X runs one replay job at a time per webhook.
  #queue: Promise<unknown> = Promise.resolve()

  constructor (log: FastifyBaseLogger, client: XWebhooksClient | undefined, state: RecoveryState) {
    super(log)
    this.#client = client
    this.#log = log
    this.#state = state
  }

  /** The management client, with the plugin's `bearerToken` and `apiBaseUrl`; throws FST_XWH_NO_CLIENT without them. */
  get client (): XWebhooksClient {
    if (this.#client === undefined) throw new FST_XWH_NO_CLIENT()
    return this.#client
  }

  /**
   * Checks the webhook with X, re-validates it when invalid, replays from the checkpoint (or `since`), waits for the
   * replay job to end (again when Incomplete) and resolves with a report. Events already handled are skipped. Until
   * a recovery completes, the saved checkpoint stays where it was, and the next recovery starts from there too.
   */
  async recover (options: RecoverOptions): Promise<RecoveryReport> {
    const client = this.client
    const state = this.#state
    const run = this.#queue.then(async () => {
      const pending = state.unfinished
      state.unfinished = undefined
      const since = (options as Partial<RecoverOptions> | undefined)?.since ?? pending?.since
      // Read before the hold: the last delivery handled so far is where the gap starts (not needed with `since`).
      let checkpoint = pending === undefined && since === undefined ? state.checkpoints.load() : pending?.checkpoint
      checkpoint?.catch(() => {}) // awaited below, when the window is computed
      // Live events that arrive meanwhile must not move the saved checkpoint past the gap being replayed.
      const release = pending?.release ?? state.checkpoints.hold()
      let report: RecoveryReport | undefined
      try {
        report = await recover({
          client,
          settings: state.settings,
          log: this.#log,
          signal: state.closing.signal,
          checkpoint: async () => {
            // After a failed read: the saved one, which the hold has kept before the gap.
            checkpoint ??= state.checkpoints.load(false)
            try {
              return await checkpoint
            } catch (error) {
              checkpoint = undefined // read it again next time
              throw error
            }
          },
          observe: (observer) => {
            state.observers.add(observer)
            return () => state.observers.delete(observer)
          }
        }, { ...options, since })
        return report
      } finally {
        if (report?.complete === true) await release()
        else state.unfinished = { checkpoint, since, release }
      }
    })
    this.#queue = run.catch(() => {})
    return await run
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    x: XWebhooks
  }
}

const plugin: FastifyPluginCallback<FastifyXWebhooksOptions> = (fastify, options, done) => {
  if (fastify.hasDecorator('x')) {
    done(new FST_XWH_ALREADY_REGISTERED())
    return
  }
  let resolved
  try {
    resolved = resolveOptions(options)
  } catch (error) {
    done(error as Error)
    return
  }
  const state: RecoveryState = {
    checkpoints: new Checkpoints(resolved.dedupe?.store, resolved.path, fastify.log),
    observers: new Set(),
    settings: resolved.recovery?.settings ?? DEFAULT_RECOVERY_SETTINGS,
    closing: new AbortController()
  }
  const router = new XWebhooks(fastify.log, resolved.client, state)
  // The decorator is the only thing the host app sees; routes, parser and error handler stay encapsulated below.
  fastify.decorate('x', router)
  fastify.addHook('preClose', async () => { state.closing.abort() })
  if (resolved.recovery !== undefined) scheduleRecovery(fastify, router, state, resolved.recovery)
  // fastify-plugin drops `prefix` for the plugin itself; the encapsulated routes honour it.
  fastify.register(webhookRoutes, { ...resolved, router, checkpoints: state.checkpoints, observers: state.observers, prefix: (options as { prefix?: string }).prefix })
  done()
}

/** The plugin: `await app.register(xWebhooks, { consumerSecret })`. */
export const xWebhooks = fp(plugin, { fastify: '5.x', name: 'fastify-x-webhooks' })
