import t from 'tap'
import { DEFAULT_RECOVERY_SETTINGS, recover } from '../lib/recovery.js'
import { standIn, WEBHOOK_ID, type Answer, type StandIn } from './client/stand-in.js'

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
  t.same(report.jobs, [{ jobId: '1798765432109876543', state: 'started' }], 'without deliveries to watch, the job is only started')
  t.equal(report.complete, false)
  t.same(slept, [30_000, 30_000])
  t.match(logged, [[{ webhookId: WEBHOOK_ID }, /another replay job is running for this webhook; waiting/], [{}, /waiting/], [{ jobId: '1798765432109876543', state: 'started' }, 'fastify-x-webhooks: replay job ended']])
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
