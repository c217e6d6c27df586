import t from 'tap'
import { normalizeDelivery } from '../../lib/index.js'
import { fixtureJson } from '../helpers.js'

type Body = any

t.test('replay_job_status is replay.complete or replay.incomplete, from product webhook', async (t) => {
  for (const [name, type] of [['complete', 'replay.complete'], ['incomplete', 'replay.incomplete']]) {
    const body = fixtureJson(`control/replay_job_status_${name}`) as Body
    t.match(normalizeDelivery(body), [{ type, product: 'webhook', forUserId: undefined, payload: body.replay_job_status }])
  }
})

t.test('a replay_job_status that cannot be read is one unknown event of product webhook', async (t) => {
  const status = (fixtureJson('control/replay_job_status_complete') as Body).replay_job_status
  for (const bad of [{ ...status, job_state: 'Running' }, { ...status, job_id: 1 }, null]) {
    const events = normalizeDelivery({ replay_job_status: bad })
    t.match(events, [{ type: 'unknown', product: 'webhook' }], JSON.stringify(bad))
    t.equal(events.length, 1)
    t.equal(events[0]?.payload, bad)
  }
})

t.test('a Filtered Stream delivery without a readable post is one unknown event of product stream', async (t) => {
  const post = (fixtureJson('stream/post') as Body).data
  for (const bad of [{ ...post, id: 42 }, { ...post, text: undefined }, { ...post, id: '' }, null, 'post']) {
    const body = { ...fixtureJson('stream/post'), data: bad }
    const events = normalizeDelivery(body)
    t.match(events, [{ type: 'unknown', product: 'stream', forUserId: undefined }], JSON.stringify(bad))
    t.equal(events.length, 1)
    t.equal(events[0]?.payload, bad)
    t.equal(events[0]?.envelope, body)
  }
})

t.test('a body no product uses is exactly one unknown event of product webhook, with a stable id', async (t) => {
  const bodies = [
    null, 42, 'for_user_id', true, [1, 2], [], {}, { foo: 1 }, undefined,
    { for_user_id: '1' }, // a user but no events
    { for_user_id: 1, favorite_events: [] }, // for_user_id must be a string
    { favorite_events: [] },
    { data: { id: '1', text: 'no rules, no event_type' } },
    { data: null }
  ]
  const ids = new Set<string>()
  for (const body of bodies) {
    const label = JSON.stringify(body) ?? 'undefined'
    const events = normalizeDelivery(body)
    t.equal(events.length, 1, label)
    t.match(events[0], { type: 'unknown', product: 'webhook', forUserId: undefined, replay: false }, label)
    t.equal(events[0]?.payload, body, label)
    t.equal(events[0]?.envelope, body, label)
    t.equal(normalizeDelivery(structuredClone(body))[0]?.id, events[0]?.id, `${label}: same id on redelivery`)
    ids.add(events[0]?.id as string)
  }
  t.equal(ids.size, bodies.length, 'different bodies, different ids')
})

t.test('keys named like Object.prototype members neither match nor pollute', async (t) => {
  const follow = (fixtureJson('aaa/follow') as Body).follow_events[0]
  const bodies = [
    '{"for_user_id":"1","__proto__":{"x":1},"favorite_events":[]}',
    '{"for_user_id":"1","__proto__":{"x":1},"__proto___events":[{"x":1}],"constructor_events":[{"x":1}]}',
    `{"for_user_id":"1","follow_events":[${JSON.stringify({ ...follow, type: '__proto__' })}]}`,
    '{"data":{"event_uuid":"1","event_type":"__proto__","filter":{"__proto__":{"x":1}},"payload":{"__proto__":{"x":1}}}}',
    '{"__proto__":{"x":1,"replay":true},"meta":{"__proto__":{"replay":true}}}'
  ]
  for (const raw of bodies) {
    const events = normalizeDelivery(JSON.parse(raw))
    t.ok(events.every(({ replay }) => !replay), raw)
    t.ok(events.every(({ type }) => !['like.create', 'follow.follow'].includes(type)), raw)
    t.equal(({} as Body).x, undefined, `${raw}: Object.prototype untouched`)
  }
  t.strictSame(normalizeDelivery(JSON.parse(bodies[0] as string)), [], 'an empty batch stays empty')
  t.match(normalizeDelivery(JSON.parse(bodies[1] as string)), [{ type: 'unknown', product: 'aaa' }, { type: 'unknown', product: 'aaa' }])
})

t.test('a body nested too deep to serialise is still one unknown event, with an id of its own', async (t) => {
  const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000))
  const [first] = normalizeDelivery(deep)
  const [second] = normalizeDelivery(deep)
  t.equal(first?.type, 'unknown')
  t.equal(first?.payload, deep)
  t.match(first?.id, /^webhook::unknown:unhashable:/)
  t.not(first?.id, second?.id, 'not de-duplicated: nothing stable to key it on')
})
