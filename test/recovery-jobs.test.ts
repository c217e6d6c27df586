import t from 'tap'
import { DEFAULT_RECOVERY_SETTINGS, recover } from '../lib/recovery.js'
import { REPLAY_JOB_ID, standIn, WEBHOOK_ID, type Answer, type StandIn } from './client/stand-in.js'

// lib/recovery.ts on its own, with a clock and a sleep of the test's: X answering ReplayConflictError.

const listing: Answer = { body: { data: [{ id: WEBHOOK_ID, url: 'https://example.com/webhooks/x', valid: true }] } }
const conflict: Answer = { status: 409, body: { title: 'Conflict', detail: 'A replay job is already running for this webhook', reason: 'ReplayConflictError', type: 'about:blank' } }
const since = new Date(Date.now() - 5 * 60_000)

function context (x: StandIn, settings: Partial<typeof DEFAULT_RECOVERY_SETTINGS> = {}) {
  let now = Date.now()
  const slept: number[] = []
  const logged: unknown[] = []
  return {
    slept,
    logged,
    context: {
      client: x.client(),
      settings: { ...DEFAULT_RECOVERY_SETTINGS, ...settings },
      log: { info: (...args: unknown[]) => { logged.push(args) } },
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms)
        now += ms
      }
    }
  }
}

t.test('while X answers ReplayConflictError, recover waits and asks again', async (t) => {
  const x = await standIn(t)
  x.next(listing, conflict, conflict)
  const { context: ctx, slept, logged } = context(x)
  const report = await recover(ctx, { webhookId: WEBHOOK_ID, since })
  t.same(report.jobs, [{ jobId: REPLAY_JOB_ID, state: 'started' }], 'without deliveries to watch, the job is only started')
  t.equal(report.complete, false)
  t.same(slept, [30_000, 30_000])
  t.match(logged, [[{ webhookId: WEBHOOK_ID }, /another replay job is running for this webhook; waiting/], [{}, /waiting/], [{ jobId: REPLAY_JOB_ID, state: 'started' }, 'fastify-x-webhooks: replay job ended']])
})

t.test('a conflict that outlasts jobTimeout fails the recovery; other refusals are X\'s errors', async (t) => {
  const x = await standIn(t)
  x.next(listing, conflict, conflict)
  const { context: ctx, slept } = context(x, { jobTimeout: 100, conflictWait: 60 })
  await t.rejects(recover(ctx, { webhookId: WEBHOOK_ID, since }), {
    code: 'FST_XWH_RECOVERY_FAILED',
    message: /X kept answering ReplayConflictError: another replay job for this webhook is still running; try again when it ends/
  })
  t.same(slept, [60])

  x.next(listing, { status: 400, body: { title: 'Invalid Request', detail: 'from_date is invalid', reason: 'QueryParamInvalid', type: 'about:blank' } })
  await t.rejects(recover(context(x).context, { webhookId: WEBHOOK_ID, since }), { name: 'XApiError', reason: 'QueryParamInvalid' })
})

t.test('the default sleep and clock are real ones', async (t) => {
  const x = await standIn(t)
  x.next(listing, conflict)
  const report = await recover({ client: x.client(), settings: { ...DEFAULT_RECOVERY_SETTINGS, conflictWait: 10 }, log: { info () {} } }, { webhookId: WEBHOOK_ID, since })
  t.equal(report.jobs.length, 1)
})

t.test('the window is clamped to X\'s 24 hours again before each ask, and closing stops the waiting', async (t) => {
  const x = await standIn(t)
  x.next(listing, conflict)
  const { context: ctx } = context(x, { conflictWait: 3 * 60_000 })
  const report = await recover(ctx, { webhookId: WEBHOOK_ID, since: new Date(Date.now() - 48 * 60 * 60_000) })
  const asked = x.seen.filter((request) => request.path === '/2/webhooks/replay').map((request) => (request.body as { from_date: string }).from_date)
  t.equal(asked.length, 2)
  t.ok(asked[1] as string > (asked[0] as string), `the second ask starts later (${asked.join(' then ')}): still inside 24 hours`)
  t.equal(report.window?.from.toISOString().slice(0, 16).replace(/\D/g, ''), asked[1])

  const closing = new AbortController()
  x.next(listing, conflict)
  const aborting = { ...context(x).context, signal: closing.signal, sleep: async () => { closing.abort() } }
  await t.rejects(recover(aborting, { webhookId: WEBHOOK_ID, since }), { code: 'FST_XWH_RECOVERY_FAILED', message: /the app is closing/ })
})

t.test('closed while X answers the replay request: the job is not waited for; bad options are refused', async (t) => {
  const x = await standIn(t)
  const closing = new AbortController()
  x.next(listing, { body: { data: { job_id: '7', created_at: '2025-01-15T12:05:00.000Z' } }, delay: 100 })
  const recovering = recover({ ...context(x).context, signal: closing.signal, observe: () => () => {} }, { webhookId: WEBHOOK_ID, since })
  while (!x.seen.some((request) => request.path === '/2/webhooks/replay')) await new Promise((resolve) => setTimeout(resolve, 5))
  closing.abort()
  t.same((await recovering).jobs, [{ jobId: '7', state: 'no-status' }])
  await t.rejects(recover(context(x).context, null as never), { code: 'FST_XWH_INVALID_OPTION', message: /"webhookId"/ })
})
