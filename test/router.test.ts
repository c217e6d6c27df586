import t, { type Test } from 'tap'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { normalizeDelivery, XEventRouter, XHandlersError, type AnyXEvent, type XRoutingKey } from '../lib/index.js'
import { fixtureJson, logCapture } from './helpers.js'

interface LogCall { level: string, args: unknown[] }

/** A pino-shaped logger that records every call. */
function fakeLogger (): FastifyBaseLogger & { calls: LogCall[] } {
  const calls: LogCall[] = []
  const record = (level: string) => (...args: unknown[]) => { calls.push({ level, args }) }
  const logger = {
    calls,
    level: 'info',
    fatal: record('fatal'),
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    trace: record('trace'),
    silent: record('silent'),
    child: () => logger
  }
  return logger as unknown as FastifyBaseLogger & { calls: LogCall[] }
}

function router (): { router: XEventRouter, log: ReturnType<typeof fakeLogger> } {
  const log = fakeLogger()
  return { router: new XEventRouter(log), log }
}

/** Dispatches each event as the plugin does, and collects the failures. */
async function dispatchAll (r: XEventRouter, events: readonly AnyXEvent[]): Promise<XHandlersError[]> {
  const outcomes = await Promise.all(events.map((event) => r.dispatch(event)))
  return outcomes.filter((outcome) => outcome !== undefined)
}

/** The single event a fixture normalises to. */
function event (name: string): AnyXEvent {
  const events = normalizeDelivery(fixtureJson(name))
  if (events.length !== 1) throw new Error(`${name}: expected one event, got ${events.length}`)
  return events[0] as AnyXEvent
}

/** An X Activity API event of any `event_type`, as X would deliver one this version does not know. */
function xaaEvent (eventType: string, uuid = `uuid-${eventType}`): AnyXEvent {
  const body = fixtureJson('xaa/follow.follow') as { data: Record<string, unknown> }
  return normalizeDelivery({ data: { ...body.data, event_type: eventType, event_uuid: uuid } })[0] as AnyXEvent
}

const aaaFollow = event('aaa/follow')
const aaaUnfollow = event('aaa/unfollow')
const aaaPost = event('aaa/tweet_create')
const aaaMention = event('aaa/tweet_create_mention')
const aaaLike = event('aaa/favorite')
const xaaFollow = event('xaa/follow.follow')
const xaaUnfollow = event('xaa/follow.unfollow')
const xaaReply = event('xaa/post.reply.create')
const xaaMention = event('xaa/post.mention.create')
const xaaBio = event('xaa/profile.update.bio')
const xaaBanner = event('xaa/profile.update.banner_picture')
const xaaSpaces = event('xaa/spaces.start')
const streamPost = event('stream/post')
const replayComplete = event('control/replay_job_status_complete')
const webhookUnknown = normalizeDelivery({ hello: 'world' })[0] as AnyXEvent
const xaaUnrecognized = xaaEvent('grok.answer.create')
const xaaInvalidItem = normalizeDelivery({ data: { event_type: 'follow.follow' } })[0] as AnyXEvent
const xaaPosts = xaaEvent('posts.x')

const ALL = [
  aaaFollow, aaaUnfollow, aaaPost, aaaMention, aaaLike, xaaFollow, xaaUnfollow, xaaReply, xaaMention, xaaBio, xaaBanner,
  xaaSpaces, streamPost, replayComplete, webhookUnknown, xaaUnrecognized, xaaInvalidItem, xaaPosts
]

/** Registers a recording handler under `keys`, dispatches every sample event, and returns what it saw. */
async function seen (keys: Parameters<XEventRouter['on']>[0]): Promise<AnyXEvent[]> {
  const { router: r } = router()
  const events: AnyXEvent[] = []
  r.on(keys, (e: AnyXEvent) => { events.push(e) })
  const failures = await dispatchAll(r, ALL)
  if (failures.length > 0) throw failures[0]
  return events
}

function describe (events: AnyXEvent[]): string[] {
  return events.map((e) => `${e.product}:${e.type}`)
}

/** A key the types do not list, for runtime checks the compiler would (rightly) refuse. */
const untyped = (key: unknown): XRoutingKey => key as XRoutingKey

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

t.test('the fixtures normalise to the events these tests rely on', async (t) => {
  t.same(describe(ALL), [
    'aaa:follow.follow', 'aaa:follow.unfollow', 'aaa:post.create', 'aaa:post.mention.create', 'aaa:like.create',
    'xaa:follow.follow', 'xaa:follow.unfollow', 'xaa:post.reply.create', 'xaa:post.mention.create',
    'xaa:profile.update.bio', 'xaa:profile.update.banner_picture', 'xaa:spaces.start', 'stream:stream.post',
    'webhook:replay.complete', 'webhook:unknown', 'xaa:grok.answer.create', 'xaa:unknown', 'xaa:posts.x'
  ])
})

t.test('an exact type key selects that type from every product', async (t) => {
  const events = await seen('follow.follow')
  t.same(describe(events), ['aaa:follow.follow', 'xaa:follow.follow'])
  t.equal(events[0], aaaFollow, 'the handler receives the event object itself')
})

t.test('a prefix key selects every type under it, whole segments only', async (t) => {
  t.same(describe(await seen('post')), [
    'aaa:post.create', 'aaa:post.mention.create', 'xaa:post.reply.create', 'xaa:post.mention.create'
  ], '"post" matches post.create and post.reply.create, not posts.x nor stream.post')
  t.same(describe(await seen('follow')), [
    'aaa:follow.follow', 'aaa:follow.unfollow', 'xaa:follow.follow', 'xaa:follow.unfollow'
  ])
  t.same(describe(await seen('profile.update')), ['xaa:profile.update.bio', 'xaa:profile.update.banner_picture'])
  t.same(describe(await seen('profile')), ['xaa:profile.update.bio', 'xaa:profile.update.banner_picture'])
  t.same(describe(await seen(untyped('posts'))), ['xaa:posts.x'])
  t.same(await seen(untyped('profile.update.b')), [], 'a partial segment matches nothing')
  t.same(await seen(untyped('update')), [], 'only prefixes match, not inner segments')
  t.same(await seen(untyped('profile.update.bio.extra')), [], 'a key longer than the type matches nothing')
  t.same(describe(await seen('stream')), ['stream:stream.post'])
  t.same(describe(await seen('unknown')), ['webhook:unknown', 'xaa:unknown'])
})

t.test('a product-qualified key selects that product only', async (t) => {
  t.same(describe(await seen('aaa:follow')), ['aaa:follow.follow', 'aaa:follow.unfollow'])
  t.same(describe(await seen('xaa:follow.follow')), ['xaa:follow.follow'])
  t.same(describe(await seen('aaa:post.mention.create')), ['aaa:post.mention.create'])
  t.same(describe(await seen('xaa:*')), [
    'xaa:follow.follow', 'xaa:follow.unfollow', 'xaa:post.reply.create', 'xaa:post.mention.create',
    'xaa:profile.update.bio', 'xaa:profile.update.banner_picture', 'xaa:spaces.start', 'xaa:grok.answer.create',
    'xaa:unknown', 'xaa:posts.x'
  ], 'every XAA event, including a type this version does not know and an unrecognised item')
  t.same(describe(await seen('aaa:*')), [
    'aaa:follow.follow', 'aaa:follow.unfollow', 'aaa:post.create', 'aaa:post.mention.create', 'aaa:like.create'
  ])
  t.same(describe(await seen('stream:*')), ['stream:stream.post'])
  t.same(describe(await seen('webhook:*')), ['webhook:replay.complete', 'webhook:unknown'])
  t.same(describe(await seen('webhook:unknown')), ['webhook:unknown'])
  t.same(describe(await seen('webhook:replay')), ['webhook:replay.complete'])
  t.same(await seen(untyped('stream:follow')), [])
})

t.test('an XAA type the router could not name as a key only reaches xaa:* and onAny', async (t) => {
  const { router: r } = router()
  const odd = [xaaEvent('aaa:follow.follow', 'odd-1'), xaaEvent('follow.follow.', 'odd-2'), xaaEvent('post create', 'odd-3')]
  const calls: string[] = []
  r.on(['aaa:follow', 'aaa:*', 'follow', 'follow.follow', 'post', 'aaa:follow.follow'], () => { calls.push('keyed') })
  r.on('xaa:*', (e) => { calls.push(`xaa:* ${e.type}`) })
  r.onAny((e) => { calls.push(`any ${e.type}`) })
  t.same(await dispatchAll(r, odd), [])
  t.same(calls.sort(), [
    'any aaa:follow.follow', 'any follow.follow.', 'any post create',
    'xaa:* aaa:follow.follow', 'xaa:* follow.follow.', 'xaa:* post create'
  ])
})

t.test('an array of keys registers the handler under each', async (t) => {
  t.same(describe(await seen(['post.reply.create', 'post.mention.create'])), [
    'aaa:post.mention.create', 'xaa:post.reply.create', 'xaa:post.mention.create'
  ])
  t.same(describe(await seen(['aaa:like', 'stream:*', 'webhook:replay.complete'])), [
    'aaa:like.create', 'stream:stream.post', 'webhook:replay.complete'
  ])
  t.same(await seen([]), [], 'an empty array registers nothing')
})

t.test('onAny sees every event, known or not', async (t) => {
  const { router: r } = router()
  const events: AnyXEvent[] = []
  r.onAny((e) => { events.push(e) })
  t.same(await dispatchAll(r, ALL), [])
  t.same(events, ALL)
})

t.test('the same handler under two matching keys runs twice', async (t) => {
  const { router: r } = router()
  let calls = 0
  const handler = (): void => { calls++ }
  r.on('follow', handler).on('aaa:follow.follow', handler)
  await dispatchAll(r, [aaaFollow])
  t.equal(calls, 2)
  await dispatchAll(r, [xaaFollow])
  t.equal(calls, 3, 'the XAA follow matches only "follow"')
})

t.test('on, off, onAny and onError return the router', async (t) => {
  const { router: r } = router()
  const handler = (): void => {}
  t.equal(r.on('follow', handler), r)
  t.equal(r.on(['follow', 'post'], handler), r)
  t.equal(r.off('follow', handler), r)
  t.equal(r.off(['follow', 'post'], handler), r)
  t.equal(r.onAny(handler), r)
  t.equal(r.onError(handler), r)
})

t.test('off removes a handler', async (t) => {
  t.test('under one key', async (t) => {
    const { router: r } = router()
    const calls: string[] = []
    const removed = (e: AnyXEvent): void => { calls.push(`removed ${e.type}`) }
    const kept = (e: AnyXEvent): void => { calls.push(`kept ${e.type}`) }
    r.on('follow', removed).on('follow', kept).on('post', removed)
    r.off('follow', removed)
    await dispatchAll(r, [aaaFollow, aaaPost])
    t.same(calls, ['kept follow.follow', 'removed post.create'], 'only under that key, and only that handler')
  })

  t.test('under an array of keys', async (t) => {
    const { router: r } = router()
    let calls = 0
    const handler = (): void => { calls++ }
    r.on(['post.reply.create', 'post.mention.create', 'xaa:*'], handler)
    r.off(['post.reply.create', 'post.mention.create'], handler)
    await dispatchAll(r, [aaaMention, xaaReply])
    t.equal(calls, 1, 'xaa:* still runs it for the XAA reply')
    r.off('xaa:*', handler)
    await dispatchAll(r, [aaaMention, xaaReply])
    t.equal(calls, 1)
  })

  t.test('is a no-op for a handler not registered under the key', async (t) => {
    const { router: r } = router()
    let calls = 0
    const handler = (): void => { calls++ }
    r.on('follow', handler)
    r.off('follow.follow', handler).off('post', () => {})
    await dispatchAll(r, [aaaFollow])
    t.equal(calls, 1)
  })
})

t.test('every handler of an event runs and is awaited, whatever the others do', async (t) => {
  const { router: r, log } = router()
  const syncError = new Error('sync')
  const asyncError = new Error('async')
  const order: string[] = []
  r.on('follow', () => { order.push('sync throw'); throw syncError })
  r.on('follow.follow', async () => { order.push('reject'); await tick(); throw asyncError })
  r.on('aaa:follow', () => {
    order.push('throw undefined')
    throw undefined // eslint-disable-line no-throw-literal
  })
  r.on('aaa:follow.follow', () => {
    order.push('throw 0')
    throw 0 // eslint-disable-line no-throw-literal
  })
  r.on('aaa:*', async () => { await tick(20); order.push('slow done') })
  r.onAny(() => { order.push('any') })

  const failures = await dispatchAll(r, [aaaFollow])
  t.same(order.sort(), ['any', 'reject', 'slow done', 'sync throw', 'throw 0', 'throw undefined'], 'all ran, the slow one finished')
  t.equal(failures.length, 1)
  const [failure] = failures as [XHandlersError]
  t.type(failure, XHandlersError)
  t.type(failure, AggregateError)
  t.equal(failure.name, 'XHandlersError')
  t.equal(failure.event, aaaFollow)
  t.equal(failure.errors.length, 4, 'every error, not the first')
  t.ok(failure.errors.includes(syncError))
  t.ok(failure.errors.includes(asyncError))
  t.ok(failure.errors.includes(0), 'a falsy but not nullish value is reported as thrown')
  const nullish = failure.errors.find((error) => error instanceof Error && error !== syncError && error !== asyncError)
  t.type(nullish, Error, 'a nullish throw is reported as an Error')
  t.match(nullish, { message: /nullish/ })
  t.match(failure.message, /4 handler\(s\) failed for follow\.follow event aaa:/)
  t.same(log.calls, [], 'handler failures go to onError, not to the log')
})

t.test('onError handlers each receive the aggregate error once per failed event', async (t) => {
  const { router: r, log } = router()
  const errors: Array<[string, XHandlersError]> = []
  r.onError((error) => { errors.push(['first', error]) })
  r.onError(async (error) => { await tick(); errors.push(['second', error]) })
  const boom = new Error('boom')
  r.on('follow', () => { throw boom })
  r.on('aaa:follow', async () => { throw new Error('aaa boom') })
  r.on('post', () => {})

  const failures = await dispatchAll(r, [aaaFollow, aaaPost, xaaFollow, streamPost])
  t.same(failures.map((failure) => failure.event), [aaaFollow, xaaFollow], 'the failures, in event order')
  t.equal(errors.length, 4, 'two error handlers, two failed events')
  for (const [name, failure] of [failures[0], failures[1]].flatMap((failure) => [['first', failure], ['second', failure]] as const)) {
    t.equal(errors.filter(([n, e]) => n === name && e === failure).length, 1, `${name} saw ${failure?.event.type} once`)
  }
  t.equal(failures[0]?.errors.length, 2)
  t.same(failures[1]?.errors, [boom])
  t.same(log.calls, [])
})

t.test('onError is not called when every handler succeeds, nor when nothing matches', async (t) => {
  const { router: r } = router()
  let called = false
  r.onError(() => { called = true })
  r.on('follow', async () => {})
  t.same(await dispatchAll(r, [aaaFollow, aaaPost, webhookUnknown]), [])
  t.same(await dispatchAll(r, []), [])
  t.notOk(called)
})

t.test('the event is not enumerable on the error, so serialising it does not leak the payload', async (t) => {
  const { router: r } = router()
  r.on('profile.update', () => { throw new Error('nope') })
  const [failure] = await dispatchAll(r, [xaaBio]) as [XHandlersError]
  t.equal(failure.event, xaaBio)
  t.notOk(Object.keys(failure).includes('event'))
  t.notOk(Object.prototype.propertyIsEnumerable.call(failure, 'event'))
  const json = JSON.stringify(failure)
  t.notMatch(json, /Building with the X API/)
  t.notMatch(json, /"payload"|"envelope"|event_uuid/)
  const direct = new XHandlersError(aaaFollow, [new Error('x')])
  t.same(Object.keys(direct), ['name'])
  t.equal(direct.event, aaaFollow)
})

t.test('a failing onError handler is logged at error level and does not stop the others', async (t) => {
  const { router: r, log } = router()
  const seenBy: string[] = []
  const thrown = new Error('onError sync')
  const rejected = new Error('onError async')
  r.onError(() => { seenBy.push('throws'); throw thrown })
  r.onError(async () => { seenBy.push('rejects'); await tick(); throw rejected })
  r.onError(() => {
    seenBy.push('throws null')
    throw null // eslint-disable-line no-throw-literal
  })
  r.onError(async () => { await tick(5); seenBy.push('healthy') })
  r.on('follow', () => { throw new Error('handler') })

  const failures = await dispatchAll(r, [aaaFollow])
  t.equal(failures.length, 1, 'dispatch still resolves with the failure')
  t.same(seenBy.sort(), ['healthy', 'rejects', 'throws', 'throws null'])
  t.equal(log.calls.length, 3)
  t.ok(log.calls.every((call) => call.level === 'error'))
  const logged = log.calls.map((call) => (call.args[0] as { err: unknown }).err)
  t.ok(logged.includes(thrown))
  t.ok(logged.includes(rejected))
  t.ok(logged.some((err) => err instanceof Error && /nullish/.test(err.message)))
  t.ok(log.calls.every((call) => typeof call.args[1] === 'string'), 'with a message')
})

t.test('a logged onError failure carries no payload, even when it rethrows the aggregate error', async (t: Test) => {
  const capture = logCapture()
  const app = Fastify({ logger: { level: 'trace', stream: capture.stream } })
  t.teardown(() => app.close())
  const r = new XEventRouter(app.log)
  r.on('profile.update.bio', () => { throw new Error('handler failed') })
  r.onError((error) => { throw error })
  const failures = await dispatchAll(r, [xaaBio])
  t.equal(failures.length, 1)
  await tick()
  const records = capture.records()
  t.equal(records.length, 1)
  t.match(records[0], { level: 50, err: { type: 'XHandlersError' } })
  // The event id (product, user, native id) may appear, as in the message; the payload and the envelope may not.
  t.notMatch(capture.lines.join('\n'), /Building with the X API|"payload"|"envelope"|event_uuid/)
})

t.test('dispatch never rejects and leaves no unhandled rejection', async (t) => {
  const unhandled: unknown[] = []
  const listener = (reason: unknown): void => { unhandled.push(reason) }
  process.on('unhandledRejection', listener)
  t.teardown(() => { process.off('unhandledRejection', listener) })

  const { router: r } = router()
  r.onAny(() => Promise.reject(new Error('any')))
  r.on('xaa:*', () => { throw new Error('xaa') })
  r.onError(() => Promise.reject(new Error('error handler')))
  const failures = await dispatchAll(r, ALL)
  t.equal(failures.length, ALL.length)
  t.ok(failures.every((failure, i) => failure.event === ALL[i]))
  await tick(10)
  t.same(unhandled, [])
})

t.test('invalid routing keys throw FST_XWH_INVALID_ROUTING_KEY', async (t) => {
  const invalid: unknown[] = [
    1, null, undefined, {}, [['follow']], '*', 'error', 'nope:x', 'nope:*', 'a..b', '', 'xaa:', ':follow', 'follow.',
    '.follow', 'follow follow', 'xaa:**', 'xaa:follow:x', 'AAA:follow', 'post-create', '**'
  ]
  for (const key of invalid) {
    const { router: r } = router()
    const handler = (): void => {}
    t.throws(() => r.on(untyped(key), handler), { code: 'FST_XWH_INVALID_ROUTING_KEY', name: 'FastifyError' },
      `on(${JSON.stringify(key)})`)
    t.throws(() => r.on([untyped('follow'), untyped(key)], handler), { code: 'FST_XWH_INVALID_ROUTING_KEY' },
      `on([..., ${JSON.stringify(key)}])`)
    t.throws(() => r.off(untyped(key), handler), { code: 'FST_XWH_INVALID_ROUTING_KEY' }, `off(${JSON.stringify(key)})`)
  }
  const { router: r } = router()
  t.throws(() => r.on(untyped('*'), () => {}), { message: /onAny/ }, 'the message points at onAny')
  t.throws(() => r.on(untyped('error'), () => {}), { message: /onError/ }, 'the message points at onError')
  t.throws(() => r.on(untyped('nope:x'), () => {}), { message: /aaa, xaa, stream, webhook/ })
})

t.test('a key array with an invalid key registers none of its keys', async (t) => {
  const { router: r } = router()
  let calls = 0
  t.throws(() => r.on([untyped('follow'), untyped('nope:x')], () => { calls++ }), { code: 'FST_XWH_INVALID_ROUTING_KEY' })
  await dispatchAll(r, [aaaFollow])
  t.equal(calls, 0)
})

t.test('valid exotic keys are accepted', async (t) => {
  const { router: r } = router()
  const handler = (): void => {}
  for (const key of [
    'webhook:unknown', 'stream:*', 'webhook:*', 'stream:stream.post', 'replay', 'replay.incomplete', 'unknown',
    'xaa:unknown', 'xaa:profile.update.verified_badge', 'chat.conversation.member_added', 'aaa:oauth'
  ] as const) {
    t.doesNotThrow(() => r.on(key, handler).off(key, handler), key)
  }
  // Keys this version's types do not list but X may send: allowed at runtime for forward compatibility.
  t.doesNotThrow(() => r.on(untyped('grok.answer'), handler))
  t.same(describe(await seen(untyped('grok.answer'))), ['xaa:grok.answer.create'])
  t.same(describe(await seen(untyped('xaa:grok'))), ['xaa:grok.answer.create'])
})

t.test('many distinct event types still route correctly once the key cache is full', async (t) => {
  const { router: r } = router()
  const events = Array.from({ length: 1100 }, (_, i) => xaaEvent(`t${i}.happened`, `u${i}`))
  let all = 0
  const byPrefix: string[] = []
  r.on('xaa:*', () => { all++ })
  r.on([untyped('t5'), untyped('t1099.happened')], (e) => { byPrefix.push(e.type) })
  t.same(await dispatchAll(r, events), [])
  t.same(await dispatchAll(r, events.slice(1090)), [], 'again, with both cached and uncached types')
  t.equal(all, 1110)
  t.same(byPrefix, ['t5.happened', 't1099.happened', 't1099.happened'])
})

t.test('handlers added or removed after a type was dispatched take effect at the next event of that type', async (t) => {
  const { router: r } = router()
  const follow = event('xaa/follow.follow')
  const seen: string[] = []
  const byType = (): void => { seen.push('type') }
  const byProduct = (): void => { seen.push('product') }
  const any = (): void => { seen.push('any') }
  r.on('follow.follow', byType)
  await r.dispatch(follow)
  r.on('xaa:*', byProduct)
  r.onAny(any)
  await r.dispatch(follow)
  r.off('follow.follow', byType)
  await r.dispatch(follow)
  t.same(seen, ['type', 'any', 'product', 'type', 'any', 'product'], 'onAny first, then product-wide, then by type')
})

t.test('synchronous handlers run in order without waiting on each other; their throws and rejections are all reported', async (t) => {
  const { router: r } = router()
  const order: string[] = []
  r.on('follow.follow', () => { order.push('sync') })
  r.on('follow.follow', async () => {
    order.push('async start')
    await new Promise((resolve) => setImmediate(resolve))
    order.push('async end')
    throw new Error('rejected')
  })
  r.on('follow.follow', () => {
    order.push('throws')
    throw new Error('thrown')
  })
  r.on('follow.follow', () => { throw null }) // eslint-disable-line no-throw-literal
  r.on('follow.follow', async () => await Promise.reject(undefined)) // eslint-disable-line prefer-promise-reject-errors
  const failure = await r.dispatch(event('xaa/follow.follow'))
  t.same(order, ['sync', 'async start', 'throws', 'async end'])
  t.same(failure?.errors.map((error: Error) => error.message), ['thrown', 'a handler threw a nullish value', 'rejected', 'a handler threw a nullish value'])
})
