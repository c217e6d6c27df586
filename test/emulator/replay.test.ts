import t from 'tap'
import { HOUR, emulator, receiver, until } from './helpers.js'

const MINUTE = 60 * 1000
const xDate = (time: number): string => new Date(time).toISOString().replace(/[-T:]/g, '').slice(0, 12)

t.test('replay re-delivers the window with meta.replay, then replay_job_status', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const other = await receiver(t, '/other')
  const webhook = await x.client.webhooks.create(service.url)
  await x.client.webhooks.create(other.url)
  await x.control('POST', '/_emulator/events', { type: 'follow.follow' })
  await x.control('POST', '/_emulator/events', { type: 'follow.follow', product: 'aaa' })
  const job = await x.client.webhooks.replay({ webhookId: webhook.id, from: new Date(Date.now() - 10 * MINUTE), to: new Date() })
  t.match(job.jobId, /^\d+$/)
  t.ok(job.createdAt instanceof Date)
  await until(() => service.received.length === 5)
  const [xaa, aaa, ...rest] = service.received.map((r) => r.body)
  t.same(rest.slice(0, 2), [{ ...xaa, meta: { replay: true } }, { ...aaa, meta: { replay: true } }])
  t.same(rest[2], { replay_job_status: { webhook_id: webhook.id, job_state: 'Complete', job_state_description: 'Job completed successfully', job_id: job.jobId } })
  t.equal(other.received.length, 2, 'only the webhook named')
  const log = await x.deliveries()
  t.same(log.filter((d) => d.webhook_id === webhook.id).map((d) => [d.type, d.replay]), [
    ['follow.follow', false], ['follow.follow', false], ['follow.follow', true], ['follow.follow', true], ['replay.complete', false]
  ])
})

t.test('Incomplete when a replayed delivery fails every attempt; one job at a time', async (t) => {
  const x = await emulator(t, { retrySchedule: [1000] })
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  await x.control('POST', '/_emulator/events', { type: 'post.create' })
  service.statuses = [500, 500]
  const window = { webhook_id: webhook.id, from_date: xDate(Date.now() - 10 * MINUTE), to_date: xDate(Date.now()) }
  const first = await x.x('POST', '/2/webhooks/replay', window)
  t.same(Object.keys(first.body.data).sort(), ['created_at', 'job_id'])
  const conflict = await x.x('POST', '/2/webhooks/replay', window)
  t.equal(conflict.status, 409)
  t.equal(conflict.body.reason, 'ReplayConflictError')
  await until(() => service.received.length === 2)
  await x.advance(1000)
  await until(() => service.received.length === 4)
  t.match(service.received[3]?.body, { replay_job_status: { job_state: 'Incomplete', job_id: first.body.data.job_id } })
  t.equal((await x.x('POST', '/2/webhooks/replay', window)).status, 200, 'a new job once the last ended')
})

t.test('the window: whole minutes, within 24 h, in order', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  await x.control('POST', '/_emulator/events', { type: 'post.create' })
  await x.advance(2 * HOUR)
  await x.control('POST', '/_emulator/events', { type: 'post.delete' })
  const now = Date.parse(await x.advance(0))
  const replay = (from: unknown, to: unknown) => x.x('POST', '/2/webhooks/replay', { webhook_id: webhook.id, from_date: from, to_date: to })
  for (const [from, to] of [['2025', xDate(now)], [xDate(now - HOUR), '202513011200'], [xDate(now - HOUR), 202601011200], [xDate(now), xDate(now - HOUR)],
    [xDate(now - HOUR), xDate(now + 2 * MINUTE)], [xDate(now - 25 * HOUR), xDate(now)], ['202602301200', xDate(now)]]) {
    const answer = await replay(from, to)
    t.equal(answer.body.reason, 'QueryParamInvalid', `${String(from)} ${String(to)}`)
  }
  t.equal((await replay(xDate(now - HOUR), xDate(now))).status, 200)
  await until(() => service.received.length === 4)
  t.same(service.received.slice(2).map((r) => Object.keys(r.body)[0]), ['data', 'replay_job_status'], 'only the delivery of the last hour')
  t.equal(service.received[2]?.body.data.event_type, 'post.delete')
})

t.test('an empty window completes at once', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  await x.client.webhooks.replay({ webhookId: webhook.id, from: new Date(Date.now() - 10 * MINUTE), to: new Date() })
  await until(() => service.received.length === 1)
  t.match(service.received[0]?.body, { replay_job_status: { job_state: 'Complete' } })
})

t.test('a job that ends after close sends no status', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  await x.control('POST', '/_emulator/events', { type: 'post.create' })
  service.delay = 200
  await x.client.webhooks.replay({ webhookId: webhook.id, from: new Date(Date.now() - 10 * MINUTE), to: new Date() })
  await x.app.close()
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.equal(service.received.length, 2, 'the replayed delivery, no replay_job_status')
})

t.test('nothing is sent after close', async (t) => {
  const x = await emulator(t, { retrySchedule: [60_000] })
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  await x.control('POST', '/_emulator/events', { type: 'post.create' })
  service.statuses = [500]
  await x.client.webhooks.replay({ webhookId: webhook.id, from: new Date(Date.now() - 10 * MINUTE), to: new Date() })
  await until(() => service.received.length === 2)
  await x.app.close()
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(service.received.length, 2)
})
