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
    let release = async (): Promise<void> => {}
    // Read before the server listens, and not overwritten until the startup recovery ends: the live events that
    // arrive first must not hide the gap.
    fastify.addHook('onReady', async () => {
      release = state.checkpoints.hold()
      state.startupCheckpoint = state.checkpoints.load().catch((error: unknown) => {
        log.error({ err: error }, 'fastify-x-webhooks: could not read the checkpoint; the startup recovery replays nothing')
        return undefined
      })
      await state.startupCheckpoint
    })
    fastify.addHook('onListen', async () => {
      run('startup').finally(release)
    })
    // An app that never listened (inject only) still writes its checkpoint when it closes.
    fastify.addHook('preClose', async () => { await release() })
  }
  if (checkEvery !== undefined) {
    fastify.addHook('onListen', async () => {
      timer = setInterval(() => { check() }, checkEvery)
      timer.unref()
    })
  }
  fastify.addHook('preClose', async () => clearInterval(timer))
}
