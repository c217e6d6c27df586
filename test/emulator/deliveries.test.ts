import Fastify from 'fastify'
import t from 'tap'
import xWebhooks, { crcResponseToken } from '../../lib/index.js'
import { describeError } from '../../lib/emulator/deliverer.js'
import { HOUR, SECRET, emulator, receiver, until } from './helpers.js'

t.test('signed JSON deliveries to every valid webhook, or the one named', async (t) => {
  const x = await emulator(t)
  const one = await receiver(t)
  const two = await receiver(t)
  const first = await x.client.webhooks.create(one.url)
  await x.client.webhooks.create(two.url)
  t.same((await x.control('POST', '/_emulator/events', { type: 'like.create' })).body, { data: { delivered: 2, held: 0 } })
  t.equal(one.received.length, 1)
  t.equal(two.received.length, 1)
  t.ok(one.received[0]?.signed, 'x-twitter-webhooks-signature over the body')
  t.equal(one.received[0]?.contentType, 'application/json')
  t.same(one.received[0]?.body, two.received[0]?.body, 'the same event to both')
  t.same((await x.control('POST', '/_emulator/events', { type: 'like.create', webhook_id: first.id })).body, { data: { delivered: 1, held: 0 } })
  t.equal(two.received.length, 1)
  const log = await x.deliveries()
  t.equal(log.length, 3)
  t.match(log[0], { webhook_id: first.id, type: 'like.create', product: 'xaa', replay: false, attempts: [{ status: 200 }] })
  t.match(log[0]?.attempts[0]?.at, /^\d{4}-\d\d-\d\dT/)
  t.same(log[0]?.body, one.received[0]?.body)
})

t.test('the real plugin accepts what the emulator signs', async (t) => {
  const x = await emulator(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(xWebhooks, { consumerSecret: SECRET })
  const seen: string[] = []
  app.x.onAny(async (event) => { seen.push(`${event.product}:${event.type}`) })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  await x.client.webhooks.create(`${address}/webhooks/x`)
  await x.control('POST', '/_emulator/events', { type: 'follow.follow', product: 'aaa' })
  await x.control('POST', '/_emulator/events', { type: 'stream.post' })
  await until(() => seen.length === 2)
  t.same(seen, ['aaa:follow.follow', 'stream:stream.post'])
  t.same((await x.deliveries()).map((d) => d.attempts[0]?.status), [200, 200])
})

t.test('a failed attempt is retried on the schedule, in emulator time', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  await x.client.webhooks.create(service.url)
  service.statuses = [500, 503, 404, 500]
  await x.control('POST', '/_emulator/events', { type: 'follow.follow' })
  t.equal(service.received.length, 1)
  await x.advance(2900)
  t.equal(service.received.length, 1, 'not before 3 s')
  await x.advance(200)
  t.equal(service.received.length, 2, 'after 3 s')
  await x.advance(30_000 + 300_000)
  t.equal(service.received.length, 4, 'after 30 s, then 5 min')
  await x.advance(HOUR)
  t.equal(service.received.length, 4, 'three retries, no more')
  const [entry] = await x.deliveries()
  t.same(entry?.attempts.map((a) => a.status), [500, 503, 404, 500])
  const times = entry!.attempts.map((a) => Date.parse(a.at))
  t.same(times.slice(1).map((time, i) => Math.round((time - times[i]!) / 1000)), [3, 30, 300])
  t.same(service.received.map((r) => r.body), Array(4).fill(entry?.body), 'the same body each time')
})

t.test('a configurable schedule; success stops the retries', async (t) => {
  const x = await emulator(t, { retrySchedule: [10] })
  const service = await receiver(t)
  await x.client.webhooks.create(service.url)
  service.statuses = [201]
  await x.control('POST', '/_emulator/events', { type: 'post.create' })
  await x.advance(10)
  await x.advance(HOUR)
  t.same((await x.deliveries())[0]?.attempts.map((a) => a.status), [201, 200], 'only exactly 200 is success')
})

t.test('on real timers too', async (t) => {
  const x = await emulator(t, { retrySchedule: [20, 20] })
  const service = await receiver(t)
  await x.client.webhooks.create(service.url)
  service.statuses = [500]
  await x.control('POST', '/_emulator/events', { type: 'post.create' })
  await until(() => service.received.length === 2)
  t.pass('retried after 20 ms')
})

t.test('timeouts are recorded; a deleted webhook gets no retries', async (t) => {
  const x = await emulator(t, { deliveryTimeout: 100, retrySchedule: [1000, 1000] })
  const app = Fastify({ forceCloseConnections: true })
  t.teardown(() => app.close())
  let posts = 0
  app.get('/slow', async (request) => ({ response_token: crcResponseToken((request.query as Record<string, string>).crc_token!, SECRET) }))
  app.post('/slow', async () => {
    posts++
    await new Promise((resolve) => setTimeout(resolve, 300))
    return {}
  })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const webhook = await x.client.webhooks.create(`${address}/slow`)
  await x.control('POST', '/_emulator/events', { type: 'post.create', webhook_id: webhook.id })
  t.match((await x.deliveries())[0]?.attempts, [{ status: null, error: 'no answer within 100 ms' }])
  await x.client.webhooks.delete(webhook.id)
  await x.advance(5000)
  t.equal(posts, 1, 'no retry to a deleted webhook')
})

t.test('connection errors are recorded', async (t) => {
  const x = await emulator(t)
  const app = Fastify({ forceCloseConnections: true })
  app.get('/gone', async (request) => ({ response_token: crcResponseToken((request.query as Record<string, string>).crc_token!, SECRET) }))
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  await x.client.webhooks.create(`${address}/gone`)
  await app.close()
  await x.control('POST', '/_emulator/events', { type: 'post.create' })
  t.match((await x.deliveries())[0]?.attempts, [{ status: null, error: /ECONNREFUSED|UND_ERR_SOCKET/ }])
})

t.test('describeError', async (t) => {
  t.equal(describeError(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })), 'ECONNRESET')
  t.equal(describeError(new Error('bad port')), 'Error: bad port')
  t.equal(describeError(undefined), 'undefined')
})

t.test('the log keeps 24 hours', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  await x.client.webhooks.create(service.url)
  await x.control('POST', '/_emulator/events', { type: 'post.create' })
  await x.advance(23 * HOUR)
  await x.control('POST', '/_emulator/events', { type: 'post.delete' })
  t.same((await x.deliveries()).map((d) => d.type), ['post.create', 'post.delete'])
  await x.advance(HOUR + 1000)
  t.same((await x.deliveries()).map((d) => d.type), ['post.delete'])
})
