import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { createMemoryStore, type DedupeStore, type FastifyXWebhooksOptions } from '../lib/index.js'
import { xDate } from '../lib/client/validate.js'
import { BEARER, INVALID_WEBHOOK_ID, REPLAY_JOB_ID, standIn, WEBHOOK_ID, type Answer, type Seen, type StandIn } from './client/stand-in.js'
import { build, delivery, fixtureJson } from './helpers.js'

// app.x.recover against a stand-in for X's API; deliveries (the replayed events, the job's status) through inject.

const MINUTE = 60_000
const NO_EVENTS = { received: 0, handled: 0, duplicates: 0, failed: 0 }

function follow (uuid: string, replay = false): Record<string, unknown> {
  const body = fixtureJson('xaa/follow.follow') as { data: { event_uuid: string } }
  body.data.event_uuid = uuid
  return replay ? { ...body, meta: { replay: true } } : body
}

function jobStatus (jobId: string, state: 'Complete' | 'Incomplete', webhookId = WEBHOOK_ID): Record<string, unknown> {
  const description = state === 'Complete' ? 'Job completed successfully' : 'Job failed to deliver all events, please retry your replay job'
  return { replay_job_status: { webhook_id: webhookId, job_state: state, job_state_description: description, job_id: jobId } }
}

const listing = (valid: boolean, id = WEBHOOK_ID): Answer => ({ body: { data: [{ id, url: 'https://example.com/webhooks/x', valid }] } })
const replayAnswer = (jobId: string): Answer => ({ body: { data: { job_id: jobId, created_at: '2025-01-15T12:05:00.000Z' } } })

/** Resolves with the replay requests once the stand-in has seen `n` of them. */
async function replays (x: StandIn, n: number): Promise<Seen[]> {
  for (;;) {
    const seen = x.seen.filter((request) => request.path === '/2/webhooks/replay')
    if (seen.length >= n) return seen
    await sleep(5)
  }
}

const requests = (x: StandIn): string[] => x.seen.map((request) => `${request.method} ${request.path}`)

async function setup (t: Test, options: Partial<FastifyXWebhooksOptions> = {}): Promise<{ x: StandIn, app: Awaited<ReturnType<typeof build>>, runs: string[] }> {
  const x = await standIn(t)
  const app = await build(t, { bearerToken: BEARER, apiBaseUrl: x.baseUrl, ...options })
  const runs: string[] = []
  app.x.on('follow.follow', (event) => { runs.push(event.id) })
  return { x, app, runs }
}

t.test('with no checkpoint and no since, recover checks the webhook and replays nothing', async (t) => {
  const { x, app } = await setup(t)
  const report = await app.x.recover({ webhookId: WEBHOOK_ID })
  t.same(report, { webhookId: WEBHOOK_ID, revalidated: false, origin: 'none', window: undefined, jobs: [], events: NO_EVENTS, complete: true })
  t.same(requests(x), ['GET /2/webhooks'])
})

t.test('recover replays from the checkpoint minus the lookback, waits for the job, and counts what came back', async (t) => {
  const { x, app, runs } = await setup(t)
  const before = Date.now()
  t.equal((await app.inject(delivery(follow('live-1')))).statusCode, 200)
  const after = Date.now()

  const recovering = app.x.recover({ webhookId: WEBHOOK_ID })
  const [request] = await replays(x, 1)
  const asked = request?.body as { webhook_id: string, from_date: string, to_date: string }
  t.equal(asked.webhook_id, WEBHOOK_ID)
  t.ok([xDate(before - 10 * MINUTE), xDate(after - 10 * MINUTE)].includes(asked.from_date), 'from the minute of the checkpoint less 10 minutes')
  t.equal((await app.inject(delivery(follow('live-1', true)))).statusCode, 200, 'a replayed copy of what was handled')
  t.equal((await app.inject(delivery(follow('missed-1', true)))).statusCode, 200, 'a replayed event that was missed')
  t.equal((await app.inject(delivery(jobStatus(REPLAY_JOB_ID, 'Complete')))).statusCode, 200)
  const report = await recovering

  t.match(report, {
    webhookId: WEBHOOK_ID,
    revalidated: false,
    origin: 'checkpoint',
    jobs: [{ jobId: REPLAY_JOB_ID, state: 'complete' }],
    events: { received: 2, handled: 1, duplicates: 1, failed: 0 },
    complete: true
  })
  const from = report.window?.from.getTime() as number
  t.ok(from >= before - 10 * MINUTE && from <= after - 10 * MINUTE, 'the window starts 10 minutes before the checkpoint')
  t.same(runs.length, 2, 'the missed event ran; the copy did not')
  t.same(requests(x), ['GET /2/webhooks', 'POST /2/webhooks/replay'])
})

t.test('an invalid webhook is re-validated (X\'s PUT runs a CRC) before the replay', async (t) => {
  const { x, app } = await setup(t)
  const recovering = app.x.recover({ webhookId: INVALID_WEBHOOK_ID, since: new Date(Date.now() - 5 * MINUTE) })
  await replays(x, 1)
  await app.inject(delivery(jobStatus(REPLAY_JOB_ID, 'Complete', INVALID_WEBHOOK_ID)))
  t.match(await recovering, { webhookId: INVALID_WEBHOOK_ID, revalidated: true, origin: 'since', complete: true })
  t.same(requests(x), ['GET /2/webhooks', `PUT /2/webhooks/${INVALID_WEBHOOK_ID}`, 'POST /2/webhooks/replay'])
})

t.test('a webhook that fails the CRC again, or that X does not list, fails the recovery; nothing is replayed', async (t) => {
  const { x, app } = await setup(t)
  x.next(listing(false, INVALID_WEBHOOK_ID), { body: { data: { valid: false } } })
  await t.rejects(app.x.recover({ webhookId: INVALID_WEBHOOK_ID }), {
    code: 'FST_XWH_RECOVERY_FAILED',
    message: /webhook 1146654567674912770 failed: it is invalid and failed X's CRC again; check the route with x-webhooks crc-check https:\/\/example\.com\/webhooks\/x/
  })
  await t.rejects(app.x.recover({ webhookId: '42' }), { code: 'FST_XWH_RECOVERY_FAILED', message: /X lists no webhook with this id/ })
  t.notOk(requests(x).includes('POST /2/webhooks/replay'))
})

t.test('an Incomplete job is replayed again; after three Incomplete ones the report says incomplete', async (t) => {
  const { x, app } = await setup(t)
  const since = new Date(Date.now() - 5 * MINUTE)
  x.next(listing(true), replayAnswer('1'), replayAnswer('2'))
  const healing = app.x.recover({ webhookId: WEBHOOK_ID, since })
  await replays(x, 1)
  await app.inject(delivery(jobStatus('1', 'Incomplete')))
  await replays(x, 2)
  await app.inject(delivery(jobStatus('2', 'Complete')))
  t.match(await healing, { jobs: [{ jobId: '1', state: 'incomplete' }, { jobId: '2', state: 'complete' }], complete: true })
  const windows = (await replays(x, 2)).map((request) => request.body)
  t.same(windows[0], windows[1], 'the same window again')

  x.next(listing(true), replayAnswer('3'), replayAnswer('4'), replayAnswer('5'))
  const failing = app.x.recover({ webhookId: WEBHOOK_ID, since })
  for (const [n, job] of [[3, '3'], [4, '4'], [5, '5']] as const) {
    await replays(x, n)
    await app.inject(delivery(jobStatus(job, 'Incomplete')))
  }
  const report = await failing
  t.same(report.jobs.map((job) => job.state), ['incomplete', 'incomplete', 'incomplete'])
  t.equal(report.complete, false)
})

t.test('a job status that arrives before X answered the replay request still counts', async (t) => {
  const { x, app } = await setup(t)
  x.next(listing(true), { ...replayAnswer(REPLAY_JOB_ID), delay: 200 })
  const recovering = app.x.recover({ webhookId: WEBHOOK_ID, since: new Date(Date.now() - 5 * MINUTE) })
  await replays(x, 1)
  await app.inject(delivery(jobStatus(REPLAY_JOB_ID, 'Complete')))
  t.match(await recovering, { jobs: [{ jobId: REPLAY_JOB_ID, state: 'complete' }], complete: true })
})

t.test('no status within recovery.jobTimeout: the job is reported as no-status', async (t) => {
  const { app } = await setup(t, { recovery: { webhookId: WEBHOOK_ID, onStartup: false, checkEvery: false, jobTimeout: 50 } })
  const report = await app.x.recover({ webhookId: WEBHOOK_ID, since: new Date(Date.now() - 5 * MINUTE) })
  t.same(report.jobs, [{ jobId: REPLAY_JOB_ID, state: 'no-status' }])
  t.equal(report.complete, false)
})

t.test('since is clamped to X\'s 24 hours, and to at least a minute back', async (t) => {
  const { x, app } = await setup(t, { recovery: { webhookId: WEBHOOK_ID, onStartup: false, checkEvery: false, jobTimeout: 1 } })
  const now = Date.now()
  const old = await app.x.recover({ webhookId: WEBHOOK_ID, since: new Date(now - 48 * 60 * MINUTE) })
  const from = old.window?.from.getTime() as number
  t.ok(from >= now - 24 * 60 * MINUTE + 2 * MINUTE && from <= Date.now() - 24 * 60 * MINUTE + 2 * MINUTE, 'two minutes inside the 24 hours')
  const recent = await app.x.recover({ webhookId: WEBHOOK_ID, since: new Date() })
  const window = recent.window as { from: Date, to: Date }
  t.equal(window.to.getTime() - window.from.getTime(), MINUTE, 'a window X can write in whole minutes')
  t.equal((await replays(x, 2)).length, 2)
})

t.test('recover refuses bad arguments, and needs the client', async (t) => {
  const { app } = await setup(t)
  for (const [options, name] of [[undefined, 'webhookId'], [{}, 'webhookId'], [{ webhookId: 'abc' }, 'webhookId'], [{ webhookId: 1 }, 'webhookId'],
    [{ webhookId: WEBHOOK_ID, since: 'yesterday' }, 'since'], [{ webhookId: WEBHOOK_ID, since: new Date(Number.NaN) }, 'since']] as const) {
    await t.rejects(app.x.recover(options as never), { code: 'FST_XWH_INVALID_OPTION', message: new RegExp(`invalid option "${name}"`) }, JSON.stringify(options))
  }
  const bare = await build(t)
  await t.rejects(bare.x.recover({ webhookId: WEBHOOK_ID }), { code: 'FST_XWH_NO_CLIENT' })
})

t.test('X\'s refusals reject as XApiError', async (t) => {
  const { x, app } = await setup(t)
  x.next({ status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } })
  await t.rejects(app.x.recover({ webhookId: WEBHOOK_ID }), { name: 'XApiError', status: 401 })
})

t.test('live deliveries during a recovery are handled, but the saved checkpoint waits for the recovery to end', async (t) => {
  const memory = createMemoryStore()
  const saved: number[] = []
  const store: DedupeStore = {
    ...memory,
    async saveCheckpoint (key, time) {
      saved.push(time)
      await memory.saveCheckpoint?.(key, time)
    }
  }
  const { x, app, runs } = await setup(t, { dedupe: { store } })
  const recovering = app.x.recover({ webhookId: WEBHOOK_ID, since: new Date(Date.now() - 5 * MINUTE) })
  await replays(x, 1)
  t.equal((await app.inject(delivery(follow('live-during')))).statusCode, 200)
  t.same(runs.length, 1, 'handled at once')
  await sleep(1200) // longer than the checkpoint's write interval
  t.same(saved, [], 'not written while the recovery runs')
  await app.inject(delivery(jobStatus(REPLAY_JOB_ID, 'Complete')))
  await recovering
  t.equal(saved.length, 1, 'written when it ends')
})

t.test('replayed deliveries and failed ones do not move the checkpoint', async (t) => {
  const { app } = await setup(t)
  app.x.on('like.create', () => { throw new Error('down') })
  app.x.onError(() => {})
  t.equal((await app.inject(delivery(follow('old', true)))).statusCode, 200)
  t.equal((await app.inject(delivery(fixtureJson('xaa/like.create')))).statusCode, 500)
  t.match(await app.x.recover({ webhookId: WEBHOOK_ID }), { origin: 'none', jobs: [] })
})

t.test('recoveries run one at a time: the second asks X once the first has ended', async (t) => {
  const { x, app } = await setup(t)
  const since = new Date(Date.now() - 5 * MINUTE)
  x.next(listing(true), replayAnswer('1'), listing(true), replayAnswer('2'))
  const first = app.x.recover({ webhookId: WEBHOOK_ID, since })
  const second = app.x.recover({ webhookId: WEBHOOK_ID, since })
  await replays(x, 1)
  await sleep(50)
  t.equal((await replays(x, 1)).length, 1, 'no second job while the first runs')
  await app.inject(delivery(jobStatus('1', 'Complete')))
  await replays(x, 2)
  await app.inject(delivery(jobStatus('2', 'Complete')))
  t.same([(await first).jobs, (await second).jobs], [[{ jobId: '1', state: 'complete' }], [{ jobId: '2', state: 'complete' }]])
})

t.test('the checkpoint outlives the app in its store: a restarted app with the same store replays from it', async (t) => {
  const store = createMemoryStore()
  const first = await setup(t, { dedupe: { store } })
  const handledAt = Date.now()
  await first.app.inject(delivery(follow('before-restart')))
  await first.app.close()
  const second = await setup(t, { dedupe: { store } })
  const recovering = second.app.x.recover({ webhookId: WEBHOOK_ID })
  await replays(second.x, 1)
  await second.app.inject(delivery(jobStatus(REPLAY_JOB_ID, 'Complete')))
  const report = await recovering
  t.equal(report.origin, 'checkpoint')
  t.ok(Math.abs((report.window?.from.getTime() as number) - (handledAt - 10 * MINUTE)) < 5000, 'from the first app\'s last delivery')
})

t.test('a replayed event whose handler fails again is counted as failed', async (t) => {
  const { x, app } = await setup(t)
  app.x.on('like.create', () => { throw new Error('still down') })
  app.x.onError(() => {})
  const recovering = app.x.recover({ webhookId: WEBHOOK_ID, since: new Date(Date.now() - 5 * MINUTE) })
  await replays(x, 1)
  t.equal((await app.inject(delivery({ ...fixtureJson('xaa/like.create'), meta: { replay: true } }))).statusCode, 500)
  await app.inject(delivery(jobStatus(REPLAY_JOB_ID, 'Complete')))
  t.same((await recovering).events, { received: 1, handled: 0, duplicates: 0, failed: 1 })
})

t.test('until a recovery completes, the saved checkpoint stays before the gap, and the next recovery starts there', async (t) => {
  const memory = createMemoryStore()
  const saved: number[] = []
  const store: DedupeStore = { ...memory, saveCheckpoint: async (key, time) => { saved.push(time); await memory.saveCheckpoint?.(key, time) } }
  const { x, app } = await setup(t, { dedupe: { store } })
  await app.inject(delivery(follow('before-the-gap')))
  const gapStart = Date.now()
  x.next({ status: 503, body: { title: 'Service Unavailable', type: 'about:blank', detail: 'Over capacity' } })
  await t.rejects(app.x.recover({ webhookId: WEBHOOK_ID }), { name: 'XApiError', status: 503 })
  t.equal((await app.inject(delivery(follow('live-after-the-failure')))).statusCode, 200)
  await sleep(1200) // longer than the checkpoint's write interval
  t.same(saved, [], 'nothing written while a recovery is unfinished')

  const retry = app.x.recover({ webhookId: WEBHOOK_ID })
  await replays(x, 1)
  await app.inject(delivery(jobStatus(REPLAY_JOB_ID, 'Complete')))
  const report = await retry
  t.equal(report.origin, 'checkpoint')
  t.ok((report.window?.from.getTime() as number) <= gapStart - 10 * MINUTE, 'from the delivery before the failure, not the one after')
  t.equal(saved.length, 1, 'written once a recovery completed')
  t.ok((saved[0] as number) > gapStart, 'the latest delivery')
})

t.test('a retry keeps the since of the recovery it finishes', async (t) => {
  const { x, app } = await setup(t, { recovery: { webhookId: WEBHOOK_ID, onStartup: false, checkEvery: false, jobTimeout: 1 } })
  const since = new Date(Date.now() - 30 * MINUTE)
  x.next({ status: 503, body: { title: 'Service Unavailable', type: 'about:blank', detail: 'Over capacity' } })
  await t.rejects(app.x.recover({ webhookId: WEBHOOK_ID, since }))
  const report = await app.x.recover({ webhookId: WEBHOOK_ID })
  t.equal(report.origin, 'since')
  t.equal(report.window?.from.getTime(), since.getTime())
})

t.test('closing the app stops a recovery that waits for its job; none starts after', async (t) => {
  const { x, app } = await setup(t)
  const waiting = app.x.recover({ webhookId: WEBHOOK_ID, since: new Date(Date.now() - 5 * MINUTE) })
  await replays(x, 1)
  await app.close()
  const report = await waiting
  t.same(report.jobs, [{ jobId: REPLAY_JOB_ID, state: 'no-status' }], 'it stopped waiting (the default jobTimeout is 10 minutes)')
  t.equal(report.complete, false)
  await t.rejects(app.x.recover({ webhookId: WEBHOOK_ID }), { code: 'FST_XWH_RECOVERY_FAILED', message: /the app is closing/ })
})

t.test('the webhook URL in an error leaves its query string out', async (t) => {
  const { x, app } = await setup(t)
  x.next({ body: { data: [{ id: INVALID_WEBHOOK_ID, url: 'https://example.com/webhooks/x?token=s3cr3t', valid: false }] } }, { body: { data: { valid: false } } })
  const error = await app.x.recover({ webhookId: INVALID_WEBHOOK_ID }).catch((error: Error) => error)
  t.match(error, { code: 'FST_XWH_RECOVERY_FAILED', message: /crc-check https:\/\/example\.com\/webhooks\/x$/ })
  t.notMatch((error as Error).message, /s3cr3t/)
})
