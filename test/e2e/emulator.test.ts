import t from 'tap'
import { normalizeDelivery } from '../../lib/index.js'
import { fixtures } from '../helpers.js'
import { startLoop, statuses, waitFor, type DeliveryRecord, type Loop } from './emulator-loop.js'

// The whole loop over real HTTP on 127.0.0.1: the emulator plays X (CRC, signed deliveries, retries, validity,
// replay), the service runs the plugin, and the management client drives the emulator's /2/webhooks. Each test has
// its own emulator and service.

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const CRC_INTERVAL = 30 * MINUTE

/** Every (type, product) the fixtures hold, derived by normalising each fixture as the plugin would. */
const FIXTURE_TYPES = fixtures().map(({ name, raw }) => {
  const events = normalizeDelivery(JSON.parse(raw.toString('utf8')))
  if (events.length !== 1) throw new Error(`fixture ${name} holds ${events.length} events; expected one`)
  const [event] = events as [typeof events[0]]
  return { fixture: name, type: event.type, product: event.product }
})

/** Registers the service with the emulator through the client; the CRC passes. */
async function register (loop: Loop): Promise<string> {
  const webhook = await loop.client.webhooks.create(loop.receiverUrl)
  if (!webhook.valid) throw new Error(`create answered ${JSON.stringify(webhook)}`)
  return webhook.id
}

async function validity (loop: Loop, id: string): Promise<boolean | undefined> {
  return (await loop.client.webhooks.list()).find((webhook) => webhook.id === id)?.valid
}

/** The deliveries logged since `known` (ids already seen). */
async function newDeliveries (loop: Loop, known: ReadonlySet<string>): Promise<DeliveryRecord[]> {
  return (await loop.deliveries()).filter((delivery) => !known.has(delivery.id))
}

function ids (deliveries: DeliveryRecord[]): Set<string> {
  return new Set(deliveries.map((delivery) => delivery.id))
}

t.test('register + CRC: the client creates the webhook, the emulator\'s CRC reaches the service and passes', async (t) => {
  const loop = await startLoop(t)
  const webhook = await loop.client.webhooks.create(loop.receiverUrl)
  t.equal(webhook.valid, true, 'valid after the CRC on create')
  t.equal(webhook.url, loop.receiverUrl)
  t.type(webhook.id, 'string')
  t.ok(loop.crcs.includes('right'), 'the service answered the CRC')
  const listed = await loop.client.webhooks.list()
  t.match(listed, [{ id: webhook.id, url: loop.receiverUrl, valid: true }])
  t.equal(listed.length, 1)
})

t.test('every fixture type is triggered, delivered, and handled once as that type and product', async (t) => {
  const loop = await startLoop(t)
  const webhookId = await register(loop)
  t.ok(FIXTURE_TYPES.length >= 40, `${FIXTURE_TYPES.length} fixture types`)
  let known = ids(await loop.deliveries())
  for (const { fixture, type, product } of FIXTURE_TYPES) {
    const before = loop.seen.length
    const trigger = product === 'webhook' ? { type, webhook_id: webhookId } : { type, product, webhook_id: webhookId }
    const delivered = await loop.trigger(trigger)
    t.equal(delivered, 1, `${fixture}: ${JSON.stringify(trigger)} delivered to the one webhook`)
    const logged = await waitFor(`${fixture}: its delivery answered`, async () => {
      const fresh = await newDeliveries(loop, known)
      return fresh.length > 0 && fresh.every((delivery) => delivery.attempts.length > 0) ? fresh : undefined
    })
    t.same(logged.map(statuses), [[200]], `${fixture}: one delivery, answered 200 at once`)
    known = new Set([...known, ...ids(logged)])
    t.same(loop.seen.slice(before).map((event) => ({ type: event.type, product: event.product })), [{ type, product }],
      `${fixture}: the handler saw ${product} ${type}, once`)
  }
})

t.test('a handler failing once succeeds on X\'s retry 3 s later', async (t) => {
  const loop = await startLoop(t)
  const webhookId = await register(loop)
  let runs = 0
  let succeeded = 0
  loop.app.x.on('follow.follow', () => {
    if (++runs === 1) throw new Error('database busy')
    succeeded++
  })
  t.equal(await loop.trigger({ type: 'follow.follow', product: 'xaa', webhook_id: webhookId }), 1)
  const [first] = await waitFor('the first attempt', async () => {
    const logged = await loop.deliveries()
    return logged.length === 1 && logged[0]?.attempts.length === 1 ? logged : undefined
  })
  t.same(statuses(first as DeliveryRecord), [500], 'the failing handler made the service answer 500')
  t.equal(runs, 1)
  t.equal(succeeded, 0)

  await loop.advance(3000)
  const [retried] = await waitFor('the retry', async () => {
    const logged = await loop.deliveries()
    return logged[0] !== undefined && logged[0].attempts.length >= 2 ? logged : undefined
  })
  t.same(statuses(retried as DeliveryRecord), [500, 200], 'the deliveries log shows both attempts')
  t.equal(runs, 2, 'the handler ran again on the retry')
  t.equal(succeeded, 1, 'and succeeded once')

  await loop.advance(30_000 + 300_000)
  const logged = await loop.deliveries()
  t.equal(logged.length, 1)
  t.same(statuses(logged[0] as DeliveryRecord), [500, 200], 'no retry after the 200')
  t.equal(runs, 2)
})

t.test('a wrong CRC answer invalidates the webhook at once; it gets no deliveries', async (t) => {
  const loop = await startLoop(t)
  const webhookId = await register(loop)
  loop.setCrc('wrong')
  const asked = loop.crcs.length
  await loop.advance(CRC_INTERVAL)
  t.ok(loop.crcs.slice(asked).includes('wrong'), 'the scheduled CRC reached the service, which answered a wrong token')
  t.equal(await validity(loop, webhookId), false, 'invalid after one wrong answer')
  t.equal(await loop.trigger({ type: 'follow.follow', product: 'xaa' }), 0, 'nothing delivered to an invalid webhook')
  t.equal(await loop.trigger({ type: 'like.create', product: 'xaa', webhook_id: webhookId }), 0, 'not even when named')
  const attempted = (await loop.deliveries()).filter((delivery) => delivery.webhook_id === webhookId && delivery.attempts.length > 0)
  t.same(attempted, [], 'no attempt logged')
  t.same(loop.seen, [], 'no handler ran')
})

t.test('a service answering 500 to CRCs stays valid at 27 h and is invalid after 28 h', async (t) => {
  const loop = await startLoop(t)
  const webhookId = await register(loop)
  loop.setCrc('error')
  for (let elapsed = CRC_INTERVAL; elapsed <= 27 * HOUR; elapsed += CRC_INTERVAL) await loop.advance(CRC_INTERVAL)
  t.ok(loop.crcs.filter((mode) => mode === 'error').length >= 27 * 2, `the scheduled CRCs ran (${loop.crcs.length} asked)`)
  t.equal(await validity(loop, webhookId), true, 'still valid at 27 h: transient failures are tolerated for 28 h')
  t.equal(await loop.trigger({ type: 'follow.follow', product: 'xaa', webhook_id: webhookId }), 1, 'and still delivered to')
  await waitFor('the 27 h delivery handled', () => loop.seen.length === 1 ? true : undefined)

  for (let elapsed = 27 * HOUR; elapsed < 28 * HOUR + CRC_INTERVAL; elapsed += CRC_INTERVAL) await loop.advance(CRC_INTERVAL)
  t.equal(await validity(loop, webhookId), false, 'invalid after 28 h without a successful CRC')
  t.equal(await loop.trigger({ type: 'follow.unfollow', product: 'xaa', webhook_id: webhookId }), 0, 'no deliveries any more')
  t.equal(loop.seen.length, 1)
})

t.test('PUT revalidates: once the service answers CRCs right again, validate() makes it valid and deliveries resume', async (t) => {
  const loop = await startLoop(t)
  const webhookId = await register(loop)
  loop.setCrc('wrong')
  await loop.advance(CRC_INTERVAL)
  t.equal(await validity(loop, webhookId), false, 'invalidated by a wrong CRC answer')
  t.equal(await loop.trigger({ type: 'follow.follow', product: 'xaa', webhook_id: webhookId }), 0)

  loop.setCrc('right')
  const asked = loop.crcs.length
  t.same(await loop.client.webhooks.validate(webhookId), { valid: true })
  t.same(loop.crcs.slice(asked), ['right'], 'the PUT ran one CRC against the service')
  t.equal(await validity(loop, webhookId), true)
  t.equal(await loop.trigger({ type: 'follow.follow', product: 'xaa', webhook_id: webhookId }), 1, 'deliveries resume')
  await waitFor('the event handled', () => loop.seen.length > 0 ? true : undefined)
  t.same(loop.seen.map((event) => [event.type, event.product]), [['follow.follow', 'xaa']])
})

t.test('replay re-delivers the window; the plugin skips what it handled and emits replay.complete', async (t) => {
  const loop = await startLoop(t)
  const webhookId = await register(loop)
  const from = new Date(Date.now() - 10 * MINUTE)
  const triggers = [
    { type: 'follow.follow', product: 'xaa' },
    { type: 'like.create', product: 'aaa' },
    { type: 'stream.post', product: 'stream' }
  ]
  for (const trigger of triggers) t.equal(await loop.trigger({ ...trigger, webhook_id: webhookId }), 1, `${trigger.product} ${trigger.type} delivered`)
  const originals = await waitFor('the originals answered', async () => {
    const logged = await loop.deliveries()
    return logged.length === triggers.length && logged.every((delivery) => delivery.attempts.length > 0) ? logged : undefined
  })
  t.same(originals.map(statuses), triggers.map(() => [200]))
  t.same(loop.seen.map((event) => ({ type: event.type, product: event.product })), triggers, 'each handled once')
  const handled = loop.seen.length

  let jobStatus: { job_id: string, job_state: string } | undefined
  loop.app.x.on('replay', (event) => { jobStatus = event.payload })
  const job = await loop.client.webhooks.replay({ webhookId, from, to: new Date() })
  t.type(job.jobId, 'string')

  const status = await waitFor('replay.complete', () => jobStatus)
  t.match(status, { job_id: job.jobId, job_state: 'Complete' }, 'the replay job status names this job')
  t.match(loop.seen.slice(handled), [{ type: 'replay.complete', product: 'webhook' }], 'onAny saw replay.complete')

  const copies = await waitFor('a replayed copy of every original, answered', async () => {
    const logged = await loop.deliveries()
    const found = originals.map((original) => logged.find((delivery) => delivery.replay && delivery.webhook_id === webhookId &&
      delivery.type === original.type && delivery.product === original.product && delivery.attempts.length > 0))
    return found.every((copy) => copy !== undefined) ? found as DeliveryRecord[] : undefined
  })
  t.same(copies.map(statuses), triggers.map(() => [200]), 'every replayed copy was answered 200')
  t.match(copies[0]?.body, { meta: { replay: true } }, 'the XAA copy carries meta.replay')
  t.same(loop.seen.filter((event) => event.type !== 'replay.complete').length, handled, 'no handler ran again for the copies')
  t.equal(loop.seen.filter((event) => event.type === 'replay.complete').length, 1, 'replay.complete emitted once')
})
