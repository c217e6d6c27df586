import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import xWebhooks, { createMemoryStore, type DedupeStore, type FastifyXWebhooksOptions } from '../lib/index.js'
import { BEARER, INVALID_WEBHOOK_ID, REPLAY_JOB_ID, standIn, WEBHOOK_ID, type StandIn } from './client/stand-in.js'
import { build, delivery, logCapture, SECRET } from './helpers.js'

// The `recovery` option: recover once the server listens, and whenever a periodic check finds the webhook invalid.

const PATH_KEY = 'checkpoint:/webhooks/x'

async function until<T> (probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    await sleep(5)
  }
}

/** A listening app with the plugin and a log that keeps every record. */
async function service (t: Test, x: StandIn, options: Partial<FastifyXWebhooksOptions>) {
  const log = logCapture()
  const app = Fastify({ logger: { level: 'info', stream: log.stream } })
  t.teardown(() => app.close())
  await app.register(xWebhooks, { consumerSecret: SECRET, bearerToken: BEARER, apiBaseUrl: x.baseUrl, ...options })
  const record = async (message: RegExp): Promise<Record<string, unknown>> => await until(() => log.records().find((entry) => message.test(String(entry.msg))))
  return { app, log, record }
}

t.test('the option is checked at registration', async (t) => {
  const cases: Array<[Partial<FastifyXWebhooksOptions>, RegExp]> = [
    [{ recovery: { webhookId: WEBHOOK_ID } }, /invalid option "recovery": asks X about the webhook, which needs the bearerToken option too/],
    [{ bearerToken: BEARER, recovery: 'yes' as never }, /invalid option "recovery": expected \{ webhookId/],
    [{ bearerToken: BEARER, dedupe: false, recovery: { webhookId: WEBHOOK_ID } }, /invalid option "recovery": replays events the service may have handled already, so it needs de-duplication/],
    [{ bearerToken: BEARER, recovery: {} as never }, /invalid option "recovery.webhookId"/],
    [{ bearerToken: BEARER, recovery: { webhookId: 'my-webhook' } }, /invalid option "recovery.webhookId"/],
    [{ bearerToken: BEARER, recovery: { webhookId: WEBHOOK_ID, onStartup: 'yes' as never } }, /invalid option "recovery.onStartup"/],
    [{ bearerToken: BEARER, recovery: { webhookId: WEBHOOK_ID, checkEvery: '15 minutes' as never } }, /invalid option "recovery.checkEvery": expected milliseconds or a duration such as '15m'/],
    [{ bearerToken: BEARER, recovery: { webhookId: WEBHOOK_ID, checkEvery: 0 } }, /invalid option "recovery.checkEvery"/],
    [{ bearerToken: BEARER, recovery: { webhookId: WEBHOOK_ID, checkEvery: '30d' as never } }, /invalid option "recovery.checkEvery"/],
    [{ bearerToken: BEARER, recovery: { webhookId: WEBHOOK_ID, checkEvery: 3_000_000_000 } }, /at most 24 days/],
    [{ bearerToken: BEARER, recovery: { webhookId: WEBHOOK_ID, lookback: -1 } }, /invalid option "recovery.lookback"/],
    [{ bearerToken: BEARER, recovery: { webhookId: WEBHOOK_ID, jobTimeout: 'soon' as never } }, /invalid option "recovery.jobTimeout"/]
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(async () => { await app.register(xWebhooks, { consumerSecret: SECRET, ...options }) }, { code: 'FST_XWH_INVALID_OPTION', message }, JSON.stringify(options))
  }
  const app = Fastify()
  t.teardown(() => app.close())
  await t.resolves(async () => { await app.register(xWebhooks, { consumerSecret: SECRET, bearerToken: BEARER, recovery: { webhookId: WEBHOOK_ID, checkEvery: false, lookback: '1.5h', jobTimeout: 250 } }) })
})

t.test('onStartup: once the server listens, recover replays from the saved checkpoint and logs its report', async (t) => {
  const x = await standIn(t)
  const store = createMemoryStore()
  const checkpoint = Date.now() - 30 * 60_000
  await store.saveCheckpoint?.(PATH_KEY, checkpoint)
  const { app, record } = await service(t, x, { dedupe: { store }, recovery: { webhookId: WEBHOOK_ID, checkEvery: false } })
  t.same(x.seen, [], 'nothing before the server listens')
  await app.listen({ host: '127.0.0.1', port: 0 })
  // A live delivery right after the start must not hide the gap.
  await app.inject(delivery(fixtureFollow('live-at-start')))
  await until(() => x.seen.find((request) => request.path === '/2/webhooks/replay'))
  await app.inject(delivery({ replay_job_status: { webhook_id: WEBHOOK_ID, job_state: 'Complete', job_state_description: 'Job completed successfully', job_id: REPLAY_JOB_ID } }))
  const logged = await record(/^fastify-x-webhooks: recovery \(startup\) complete$/)
  const report = logged.report as { origin: string, window: { from: string }, jobs: unknown[] }
  t.equal(report.origin, 'checkpoint')
  t.equal(new Date(report.window.from).getTime(), checkpoint - 10 * 60_000, 'from the checkpoint saved before the start')
  t.same(report.jobs, [{ jobId: REPLAY_JOB_ID, state: 'complete' }])
  await until(async () => ((await store.loadCheckpoint?.(PATH_KEY)) as number) > checkpoint ? true : undefined)
  t.pass('the live delivery moved the saved checkpoint once the recovery ended')
})

function fixtureFollow (uuid: string): Record<string, unknown> {
  return { data: { event_type: 'follow.follow', event_uuid: uuid, filter: { user_id: '2244994945' }, payload: { source: { id: '1', name: 'a', username: 'a' }, target: { id: '2244994945', name: 'b', username: 'b' } } } }
}

t.test('onStartup without a checkpoint replays nothing', async (t) => {
  const x = await standIn(t)
  const { app, record } = await service(t, x, { recovery: { webhookId: WEBHOOK_ID, checkEvery: false } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const logged = await record(/recovery \(startup\) complete/)
  t.match(logged.report, { origin: 'none', jobs: [] })
})

t.test('a startup recovery that fails (the checkpoint unreadable) is logged, and the periodic check tries it again', async (t) => {
  const x = await standIn(t)
  const memory = createMemoryStore()
  await memory.saveCheckpoint?.(PATH_KEY, Date.now() - 60 * 60_000)
  let reads = 0
  const flaky: DedupeStore = {
    ...memory,
    loadCheckpoint: async (key) => {
      if (++reads === 1) throw new Error('store down')
      return await memory.loadCheckpoint?.(key)
    }
  }
  const { app, record } = await service(t, x, { dedupe: { store: flaky }, recovery: { webhookId: WEBHOOK_ID, checkEvery: 20, jobTimeout: 1 } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const failed = await record(/recovery \(startup\) failed/)
  t.match(failed, { level: 50, err: { message: 'store down' } })
  const retried = await record(/recovery \(retry\) incomplete/)
  t.match(retried.report, { origin: 'checkpoint', jobs: [{ state: 'no-status' }] }, 'the checkpoint read again, the gap replayed')
})

t.test('the periodic check recovers a webhook it finds invalid, and logs what failed', async (t) => {
  const x = await standIn(t)
  const { app, log, record } = await service(t, x, { recovery: { webhookId: INVALID_WEBHOOK_ID, onStartup: false, checkEvery: 20 } })
  x.next({ status: 503, body: { title: 'Service Unavailable', detail: 'Over capacity', type: 'about:blank' } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const unreachable = await record(/could not ask X about the webhook; the next check tries again/)
  t.equal(unreachable.level, 40)
  await record(/the webhook is invalid; recovering/)
  const logged = await record(/recovery \(periodic check\) complete/)
  t.match(logged.report, { webhookId: INVALID_WEBHOOK_ID, revalidated: true, origin: 'none' })
  t.ok(x.seen.some((request) => request.method === 'PUT' && request.path === `/2/webhooks/${INVALID_WEBHOOK_ID}`), 're-validated')
  t.notOk(log.lines.some((line) => line.includes(BEARER)), 'the token is never logged')

  await app.close()
  const asked = x.seen.length
  await sleep(100)
  t.equal(x.seen.length, asked, 'no checks after close')
})

t.test('a webhook the check cannot find is logged as not registered, and the failed recovery as an error', async (t) => {
  const x = await standIn(t)
  const { app, record } = await service(t, x, { recovery: { webhookId: '42', onStartup: false, checkEvery: 20 } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  await record(/the webhook is not registered; recovering/)
  const failed = await record(/recovery \(periodic check\) failed/)
  t.match(failed, { level: 50, webhookId: '42', err: { code: 'FST_XWH_RECOVERY_FAILED' } })
})

t.test('a valid webhook is left alone; an app that never listens never recovers', async (t) => {
  const x = await standIn(t)
  const { app } = await service(t, x, { recovery: { webhookId: WEBHOOK_ID, onStartup: false, checkEvery: 20 } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  await until(() => x.seen.length >= 3 ? true : undefined)
  t.same(new Set(x.seen.map((request) => `${request.method} ${request.path}`)), new Set(['GET /2/webhooks']), 'only checks')

  const quiet = await standIn(t)
  const store = createMemoryStore()
  const injected = await build(t, { bearerToken: BEARER, apiBaseUrl: quiet.baseUrl, dedupe: { store }, recovery: { webhookId: WEBHOOK_ID, checkEvery: 20 } })
  t.equal((await injected.inject(delivery(fixtureFollow('injected')))).statusCode, 200)
  await sleep(100)
  t.same(quiet.seen, [])
  await injected.close()
  t.type(await store.loadCheckpoint?.(PATH_KEY), 'number', 'its checkpoint is written when it closes')
})

t.test('a periodic recovery still waiting for its job is not doubled by the next checks; an incomplete one is logged so', async (t) => {
  const x = await standIn(t)
  const store = createMemoryStore()
  await store.saveCheckpoint?.(PATH_KEY, Date.now() - 60 * 60_000)
  const { app, record } = await service(t, x, { dedupe: { store }, recovery: { webhookId: INVALID_WEBHOOK_ID, onStartup: false, checkEvery: 20, jobTimeout: 300 } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  await until(() => x.seen.find((request) => request.path === '/2/webhooks/replay'))
  await sleep(150)
  t.equal(x.seen.filter((request) => request.path === '/2/webhooks/replay').length, 1, 'one job while it waits')
  const logged = await record(/^fastify-x-webhooks: recovery \(periodic check\) incomplete$/)
  t.match(logged.report, { jobs: [{ jobId: REPLAY_JOB_ID, state: 'no-status' }], complete: false })
})
