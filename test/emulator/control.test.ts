import { readdirSync } from 'node:fs'
import t from 'tap'
import { normalizeDelivery } from '../../lib/events/index.js'
import { emulator, receiver, until } from './helpers.js'

const FIXTURES = new URL('../../fixtures/', import.meta.url)

t.test('every fixture type, by product, fresh ids each time', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  await x.client.webhooks.create(service.url)
  const cases = ['aaa', 'xaa', 'stream', 'control'].flatMap((dir) => readdirSync(new URL(`${dir}/`, FIXTURES)).map((file) => ({ dir, file })))
  t.equal(cases.length, 43)
  const seen = new Set<string>()
  for (const { dir, file } of cases) {
    const { default: body } = await import(new URL(`${dir}/${file}`, FIXTURES).href, { with: { type: 'json' } })
    const [expected] = normalizeDelivery(body)
    const product = dir === 'control' ? 'webhook' : dir
    for (let i = 0; i < 2; i++) {
      const answer = await x.control('POST', '/_emulator/events', { type: expected!.type, product })
      t.same(answer.body, { data: { delivered: 1, held: 0 } }, `${dir}/${file}`)
      const [event] = normalizeDelivery(service.received.at(-1)?.body)
      t.equal(event?.type, expected!.type)
      t.equal(event?.product, expected!.product)
      t.notOk(seen.has(event!.id), `${event!.id} is new`)
      seen.add(event!.id)
    }
  }
})

t.test('product defaults to xaa where several have the type, else the only one', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  const product = async (type: string): Promise<string | undefined> => {
    await x.control('POST', '/_emulator/events', { type })
    return normalizeDelivery(service.received.at(-1)?.body)[0]?.product
  }
  t.equal(await product('follow.follow'), 'xaa')
  t.equal(await product('block.block'), 'aaa')
  t.equal(await product('stream.post'), 'stream')
  t.equal(await product('replay.incomplete'), 'webhook')
  t.match(service.received.at(-1)?.body, { replay_job_status: { webhook_id: webhook.id, job_state: 'Incomplete' } })
  const log = await x.deliveries()
  t.same(log.map((d) => d.product), ['xaa', 'aaa', 'stream', 'webhook'])
})

t.test('for_user_id and payload overrides', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  const last = () => service.received.at(-1)?.body
  await x.control('POST', '/_emulator/events', { type: 'follow.follow', for_user_id: '42' })
  t.equal(last().data.filter.user_id, '42')
  await x.control('POST', '/_emulator/events', { type: 'follow.follow', product: 'aaa', for_user_id: '42' })
  t.equal(last().for_user_id, '42')
  await x.control('POST', '/_emulator/events', { type: 'oauth.revoke', product: 'aaa', for_user_id: '42' })
  t.same(last().user_event.revoke.source, { user_id: '42' })
  await x.control('POST', '/_emulator/events', { type: 'oauth.revoke', product: 'aaa', payload: { date_time: 'x' } })
  t.same(last(), { user_event: { revoke: { date_time: 'x' } } })
  await x.control('POST', '/_emulator/events', { type: 'like.create', payload: { id: '1' } })
  t.same(last().data.payload, { id: '1' })
  await x.control('POST', '/_emulator/events', { type: 'like.create', product: 'aaa', payload: { id: '1' } })
  t.same(last().favorite_events, [{ id: '1' }])
  await x.control('POST', '/_emulator/events', { type: 'stream.post', payload: { id: '7', text: 'hi' } })
  t.same(last().data, { id: '7', text: 'hi' })
  await x.control('POST', '/_emulator/events', { type: 'replay.complete', payload: { job_id: '9' } })
  t.same(last().replay_job_status, { job_id: '9', webhook_id: webhook.id }, 'webhook_id is the receiving webhook')
})

t.test('refusals', async (t) => {
  const x = await emulator(t)
  const events = (body?: unknown) => x.control('POST', '/_emulator/events', body)
  t.match((await events({ type: 'nope' })), { status: 400, body: { detail: /known: .*follow\.follow/ } })
  t.match((await events()), { status: 400 })
  t.match((await events({ type: 'stream.post', product: 'xaa' })), { status: 400, body: { detail: /sent by stream/ } })
  t.match((await events({ type: 'follow.follow', product: 'nope' })), { status: 400 })
  t.match((await events({ type: 'follow.follow', webhook_id: '1' })), { status: 404, body: { title: 'Not Found' } })
  t.same((await events({ type: 'follow.follow' })).body, { data: { delivered: 0, held: 0 } }, 'no webhooks, nothing delivered')
  for (const body of [{}, { advance_ms: -1 }, { advance_ms: 'soon' }]) {
    t.equal((await x.control('POST', '/_emulator/clock', body)).status, 400)
  }
  const before = Date.now()
  const now = Date.parse((await x.control('POST', '/_emulator/clock', { advance_ms: 3_600_000 })).body.data.now)
  t.ok(now >= before + 3_600_000 && now < Date.now() + 3_600_000 + 1000)
})

t.test('events for an invalid webhook are held (logged, not sent); after a PUT a replay delivers them; /_emulator/crc runs X\'s check now', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  const checked = service.crcs
  t.same((await x.control('POST', '/_emulator/crc')).body, { data: [{ id: webhook.id, valid: true }] }, 'a CRC that passes')
  service.crc = 'wrong'
  t.same((await x.control('POST', '/_emulator/crc', { webhook_id: webhook.id })).body, { data: [{ id: webhook.id, valid: false }] }, 'a wrong token: invalid at once')
  t.same((await x.control('POST', '/_emulator/crc', { webhook_id: webhook.id })).body, { data: [{ id: webhook.id, valid: false }] })
  t.equal(service.crcs, checked + 2, 'an invalid webhook is not checked again: it waits for a PUT')
  t.match(await x.control('POST', '/_emulator/crc', { webhook_id: '1' }), { status: 404, body: { detail: 'No webhook with id 1.' } })

  t.same((await x.control('POST', '/_emulator/events', { type: 'follow.follow' })).body, { data: { delivered: 0, held: 1 } })
  t.equal(service.received.length, 0, 'nothing sent')
  t.match(await x.deliveries(), [{ webhook_id: webhook.id, type: 'follow.follow', replay: false, attempts: [] }], 'logged for a replay')

  service.crc = 'ok'
  t.same(await x.client.webhooks.validate(webhook.id), { valid: true })
  await x.client.webhooks.replay({ webhookId: webhook.id, from: new Date(Date.now() - 10 * 60_000), to: new Date() })
  await until(() => service.received.length === 2)
  t.match(service.received.map((received) => received.body), [{ meta: { replay: true }, data: { event_type: 'follow.follow' } }, { replay_job_status: { job_state: 'Complete' } }])
})
