import t, { type Test } from 'tap'
import { HOUR, emulator, receiver } from './helpers.js'

const MINUTE = 60 * 1000

async function registered (t: Test) {
  const x = await emulator(t)
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  const valid = async (): Promise<boolean> => (await x.client.webhooks.list()).find((w) => w.id === webhook.id)?.valid ?? false
  const trigger = async (): Promise<number> => (await x.control('POST', '/_emulator/events', { type: 'follow.follow' })).body.data.delivered
  return { x, service, webhook, valid, trigger }
}

t.test('a wrong response_token invalidates at once; an invalid webhook gets nothing until PUT passes', async (t) => {
  const { x, service, webhook, valid, trigger } = await registered(t)
  service.crc = 'wrong'
  await x.advance(30 * MINUTE)
  t.equal(service.crcs, 2, 'the scheduled CRC ran after 30 minutes')
  t.equal(await valid(), false)
  t.equal(await trigger(), 0)
  t.equal(service.received.length, 0)
  await x.advance(2 * HOUR)
  t.equal(service.crcs, 2, 'no scheduled CRC while invalid')
  t.same(await x.client.webhooks.validate(webhook.id), { valid: false }, 'PUT with the wrong answer still')
  service.crc = 'ok'
  t.same(await x.client.webhooks.validate(webhook.id), { valid: true }, 'PUT revalidates')
  t.equal(await trigger(), 1)
  t.equal(service.received.length, 1)
})

t.test('a 3xx invalidates at once', async (t) => {
  const { x, service, valid } = await registered(t)
  service.crc = 'redirect'
  await x.advance(30 * MINUTE)
  t.equal(await valid(), false)
})

t.test('a 500 stays valid at 27 h, is invalid right after 28 h', async (t) => {
  const { x, service, webhook, valid, trigger } = await registered(t)
  service.crc = 'error'
  await x.advance(27 * HOUR)
  t.equal(await valid(), true)
  t.equal(await trigger(), 1, 'still delivered to')
  t.same(await x.client.webhooks.validate(webhook.id), { valid: true }, 'PUT failing transiently within the grace')
  await x.advance(HOUR - MINUTE)
  t.equal(await valid(), true, 'a minute before 28 h')
  await x.advance(2 * MINUTE)
  t.equal(await valid(), false, 'invalid just after 28 h, not at the next 30-minute check')
  t.equal(await trigger(), 0)
  const crcs = service.crcs
  await x.advance(2 * HOUR)
  t.equal(service.crcs, crcs, 'no scheduled CRC while invalid')
})

t.test('a passing scheduled CRC restarts the 28 h grace', async (t) => {
  const { x, service, valid } = await registered(t)
  service.crc = 'error'
  await x.advance(20 * HOUR)
  service.crc = 'ok'
  await x.advance(HOUR)
  service.crc = 'error'
  await x.advance(27 * HOUR)
  t.equal(await valid(), true, '48 h after creation, 27.5 h after the last pass')
  await x.advance(HOUR)
  t.equal(await valid(), false)
})

t.test('a timeout counts as transient', async (t) => {
  const x = await emulator(t, { crcTimeout: 100 })
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  service.crc = 'slow'
  t.same(await x.client.webhooks.validate(webhook.id), { valid: true })
  await x.advance(29 * HOUR)
  t.same((await x.client.webhooks.list())[0]?.valid, false)
})

t.test('a deleted webhook gets no more CRCs', async (t) => {
  const { x, service, webhook } = await registered(t)
  service.crc = 'error'
  await x.advance(30 * MINUTE)
  await x.client.webhooks.delete(webhook.id)
  const crcs = service.crcs
  await x.advance(30 * HOUR)
  t.equal(service.crcs, crcs)
})
