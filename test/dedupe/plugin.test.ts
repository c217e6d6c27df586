import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { ClaimResult, DedupeStore, XHandlersError } from '../../lib/index.js'
import { build, delivery, fixture, fixtureJson, logCapture } from '../helpers.js'

const FOLLOW = fixture('xaa/follow.follow')

/** An AAA delivery of three likes, the second with id `second`. */
function threeLikes (): Record<string, unknown> {
  const body = fixtureJson('aaa/favorite') as { favorite_events: Array<Record<string, unknown>> }
  const item = body.favorite_events[0] as Record<string, unknown>
  body.favorite_events = [item, { ...item, id: 'second' }, { ...item, id: 'third' }]
  return body
}

/** A store that records every call and delegates to a map, so tests can see what the plugin asks of it. */
function recordingStore (): DedupeStore & { calls: string[] } {
  const states = new Map<string, ClaimResult>()
  const calls: string[] = []
  return {
    calls,
    async claim (id, ttlMs) {
      calls.push(`claim ${id} ${ttlMs}`)
      const state = states.get(id)
      if (state !== undefined) return state
      states.set(id, 'running')
      return 'claimed'
    },
    async complete (id, ttlMs) { calls.push(`complete ${id} ${ttlMs}`); states.set(id, 'done') },
    async release (id) { calls.push(`release ${id}`); states.delete(id) }
  }
}

t.test('on by default: the same delivery twice runs its handlers once, and both copies get 200', async (t) => {
  const app = await build(t)
  let runs = 0
  app.x.on('follow', () => { runs++ })
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  t.equal(runs, 1)
})

t.test('dedupe: false runs every copy', async (t) => {
  const app = await build(t, { dedupe: false })
  let runs = 0
  app.x.on('follow', () => { runs++ })
  await app.inject(delivery(FOLLOW))
  await app.inject(delivery(FOLLOW))
  t.equal(runs, 2)
})

t.test('a replay of a handled event is skipped; a replay of an unseen one runs, marked as a replay', async (t) => {
  const app = await build(t)
  const seen: boolean[] = []
  app.x.on('follow', (event) => { seen.push(event.replay) })
  const body = fixtureJson('xaa/follow.follow')
  await app.inject(delivery(body))
  await app.inject(delivery({ ...body, meta: { replay: true } }))
  const unseen = fixtureJson('xaa/follow.unfollow')
  await app.inject(delivery({ ...unseen, meta: { replay: true } }))
  t.same(seen, [false, true])
})

t.test('a failed event is released: 500, and X\'s redelivery runs it again, then never more', async (t) => {
  const app = await build(t)
  let attempts = 0
  app.x.on('follow', () => { if (++attempts === 1) throw new Error('first attempt fails') })
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 500)
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  t.equal(attempts, 2)
})

t.test('in a batch, only the event that failed runs again on redelivery', async (t) => {
  const app = await build(t)
  const runs = new Map<string, number>()
  let failSecond = true
  app.x.on('like.create', (event) => {
    runs.set(event.id, (runs.get(event.id) ?? 0) + 1)
    if (event.id.endsWith(':second') && failSecond) throw new Error('downstream unavailable')
  })
  const body = threeLikes()
  t.equal((await app.inject(delivery(body))).statusCode, 500)
  failSecond = false
  t.equal((await app.inject(delivery(body))).statusCode, 200)
  t.same([...runs.values()], [1, 2, 1])
})

t.test('a copy arriving while the first still runs gets 200 at once and runs nothing', async (t) => {
  const app = await build(t)
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let runs = 0
  app.x.on('follow', async () => { runs++; await gate })
  const first = app.inject(delivery(FOLLOW))
  await sleep(10)
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  t.equal(runs, 1)
  release()
  t.equal((await first).statusCode, 200)
})

t.test('a custom store is asked to claim for handlerTimeout and to remember for dedupe.ttl', async (t) => {
  const store = recordingStore()
  const app = await build(t, { handlerTimeout: 5000, dedupe: { store, ttl: 3_600_000 } })
  let fail = true
  app.x.on('follow', () => { if (fail) throw new Error('once') })
  await app.inject(delivery(FOLLOW))
  fail = false
  await app.inject(delivery(FOLLOW))
  await app.inject(delivery(FOLLOW))
  const id = 'xaa:1111111111111111111:follow.follow:-7953119945885597316'
  t.same(store.calls, [`claim ${id} 5000`, `release ${id}`, `claim ${id} 5000`, `complete ${id} 3600000`, `claim ${id} 5000`])
})

t.test('a store that cannot claim fails the delivery (500, X retries) without running handlers', async (t) => {
  const logs = logCapture()
  const store = { ...recordingStore(), claim: async () => { throw new Error('store unreachable') } }
  const app = await build(t, { dedupe: { store } }, { logger: { stream: logs.stream } })
  let runs = 0
  app.x.on('follow', () => { runs++ })
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 500)
  t.equal(runs, 0)
  t.ok(logs.records().some((record) => record.level === 50 && record.msg === 'fastify-x-webhooks: the de-duplication store failed'))
})

t.test('a store that cannot complete or release leaves the handlers\' outcome as it was, and logs', async (t) => {
  const logs = logCapture()
  const failing = async (): Promise<never> => { throw new Error('store unreachable') }
  const store = { ...recordingStore(), complete: failing, release: failing }
  const app = await build(t, { dedupe: { store } }, { logger: { stream: logs.stream } })
  let fail = false
  app.x.on('follow', () => { if (fail) throw new Error('handler') })
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  fail = true
  t.equal((await app.inject(delivery(fixture('xaa/follow.unfollow')))).statusCode, 500)
  const storeErrors = logs.records().filter((record) => record.msg === 'fastify-x-webhooks: the de-duplication store failed')
  t.equal(storeErrors.length, 2)
})

t.test('handlers past handlerTimeout: 200 at once, and once they succeed the event is done', async (t) => {
  const app = await build(t, { handlerTimeout: 20 })
  let runs = 0
  app.x.on('follow', async () => { runs++; await sleep(60) })
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  await sleep(80)
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  t.equal(runs, 1)
})

t.test('a late failure past handlerTimeout reaches onError and releases the claim, so a replay runs it again', async (t) => {
  const app = await build(t, { handlerTimeout: 20 })
  let runs = 0
  const reported = new Promise<XHandlersError>((resolve) => { app.x.onError(resolve) })
  app.x.on('follow', async () => { if (++runs === 1) { await sleep(40); throw new Error('late') } })
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  await reported
  await sleep(5)
  const replay = { ...fixtureJson('xaa/follow.follow'), meta: { replay: true } }
  t.equal((await app.inject(delivery(replay))).statusCode, 200)
  t.equal(runs, 2)
})

t.test('immediate mode de-duplicates too', async (t) => {
  const app = await build(t, { ack: 'immediate' })
  let runs = 0
  app.x.on('follow', () => { runs++ })
  await app.inject(delivery(FOLLOW))
  await sleep(5)
  await app.inject(delivery(FOLLOW))
  await sleep(5)
  t.equal(runs, 1)
})

t.test('dedupe options are checked', async (t) => {
  const bad: Array<[unknown, RegExp]> = [
    [true, /"dedupe"/], ['yes', /"dedupe"/], [null, /"dedupe"/],
    [{ ttl: 0 }, /"dedupe.ttl"/], [{ max: -1 }, /"dedupe.max"/], [{ max: 1.5 }, /"dedupe.max"/],
    [{ store: {} }, /"dedupe.store"/], [{ store: { claim () {}, complete () {} } }, /"dedupe.store"/],
    [{ store: recordingStore(), max: 10 }, /"dedupe.max"/]
  ]
  for (const [dedupe, message] of bad) {
    await t.rejects(build(t, { dedupe: dedupe as never }), { code: 'FST_XWH_INVALID_OPTION', message }, JSON.stringify(dedupe))
  }
})
