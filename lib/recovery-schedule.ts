// The `recovery` option: app.x.recover() once the server listens, and again whenever a periodic check finds the
// webhook invalid (or gone). Every run is logged with its report; nothing here throws into the app.
import type { FastifyInstance } from 'fastify'
import type { ResolvedRecovery } from './options.js'
import type { RecoveryState, XWebhooks } from './plugin.js'

export function scheduleRecovery (fastify: FastifyInstance, x: XWebhooks, state: RecoveryState, recovery: ResolvedRecovery): void {
  const { webhookId, checkEvery } = recovery
  const log = fastify.log
  let timer: NodeJS.Timeout | undefined
  let running = false

  const run = async (why: string): Promise<void> => {
    running = true
    try {
      const report = await x.recover({ webhookId })
      log.info({ report }, `fastify-x-webhooks: recovery (${why}) ${report.complete ? 'complete' : 'incomplete'}`)
    } catch (error) {
      log.error({ err: error, webhookId }, `fastify-x-webhooks: recovery (${why}) failed`)
    } finally {
      running = false
    }
  }

  const check = async (): Promise<void> => {
    // A recovery still waiting for its job is not doubled by the next check.
    if (running) return
    // One that did not complete (X unreachable, the CRC still failing, a job Incomplete) is tried again.
    if (state.unfinished !== undefined) return await run('retry')
    let webhook
    try {
      webhook = (await x.client.webhooks.list()).find((item) => item.id === webhookId)
    } catch (error) {
      log.warn({ err: error, webhookId }, 'fastify-x-webhooks: could not ask X about the webhook; the next check tries again')
      return
    }
    if (webhook?.valid === true) return
    log.warn({ webhookId }, `fastify-x-webhooks: the webhook is ${webhook === undefined ? 'not registered' : 'invalid'}; recovering`)
    await run('periodic check')
  }

  if (recovery.onStartup) {
    let saved: Promise<number | undefined> | undefined
    // Read before the server listens; from then on the saved checkpoint is held until a recovery completes, so
    // that the first live events do not hide the gap. Not awaited: a slow store does not hold up the start.
    fastify.addHook('onReady', async () => {
      saved = state.checkpoints.load()
      saved.catch(() => {}) // a failed read fails the startup recovery, which says so
    })
    fastify.addHook('onListen', async () => {
      state.unfinished = { checkpoint: saved, since: undefined, release: state.checkpoints.hold() }
      run('startup')
    })
  }
  if (checkEvery !== undefined) {
    fastify.addHook('onListen', async () => {
      timer = setInterval(() => { check() }, checkEvery)
      timer.unref()
    })
  }
  fastify.addHook('preClose', async () => clearInterval(timer))
}
