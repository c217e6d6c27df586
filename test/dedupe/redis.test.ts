import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis, type RedisOptions } from 'ioredis'
import t, { type Test } from 'tap'
import { createRedisStore } from '../../lib/dedupe/redis.js'
import xWebhooks from '../../lib/index.js'
import * as entry from '../../lib/redis.js'
import { delivery, PATH, SECRET } from '../helpers.js'
import { redisUrl } from '../redis-server.js'

// A real Redis, never a mock: REDIS_URL (.ci/run starts one) or a redis-server of this file's own.
const url = await redisUrl(t)
const DAY = 86_400_000

/**
 * A client of its own, closed when the test ends, and a key prefix no other test uses. Its keys, and any listed in
 * `outside` (keys a test has to write elsewhere), are deleted first.
 */
async function setup (t: Test, options: RedisOptions = {}): Promise<{ redis: Redis, prefix: string, outside: string[] }> {
  const redis = new Redis(url, options)
  const prefix = `xwh-test:${randomUUID()}:`
  const outside: string[] = []
  t.teardown(async () => {
    // KEYS sees the server's names, with the client's keyPrefix; DEL adds that keyPrefix itself.
    const keyPrefix = options.keyPrefix ?? ''
    const keys = (await redis.keys(`${keyPrefix}${prefix}*`)).map((key) => key.slice(keyPrefix.length))
    await Promise.all([...keys, ...outside].map((key) => redis.del(key)))
    await redis.quit()
  })
  await redis.ping()
  return { redis, prefix, outside }
}

t.test('the fastify-x-webhooks/redis entry exports the store', async (t) => {
  t.equal(entry.createRedisStore, createRedisStore)
})

t.test('claim, complete and release', async (t) => {
  const { redis, prefix } = await setup(t)
  const store = createRedisStore({ redis, prefix })

  t.equal(await store.claim('a', DAY), 'claimed', 'the first claim runs the event')
  t.equal(await redis.get(`${prefix}a`), 'running')
  t.equal(await store.claim('a', DAY), 'running', 'a second claim while the first holds it')

  await store.release('a')
  t.equal(await redis.exists(`${prefix}a`), 0, 'release forgets a running claim')
  t.equal(await store.claim('a', DAY), 'claimed', 'so that a redelivery runs the event again')

  await store.complete('a', DAY)
  t.equal(await redis.get(`${prefix}a`), 'done')
  t.equal(await store.claim('a', DAY), 'done', 'a handled event is not run again')

  await store.release('a')
  t.equal(await store.claim('a', DAY), 'done', 'a late release does not erase done')

  await store.release('never-claimed')
  t.equal(await redis.exists(`${prefix}never-claimed`), 0, 'releasing an unknown id writes nothing')
})

t.test('every key expires', async (t) => {
  const { redis, prefix } = await setup(t)
  const store = createRedisStore({ redis, prefix })

  t.equal(await store.claim('crashed', 50), 'claimed')
  const claimTtl = await redis.pttl(`${prefix}crashed`)
  t.ok(claimTtl > 0 && claimTtl <= 50, `a claim carries its ttl (PTTL ${claimTtl})`)
  await sleep(120)
  t.equal(await store.claim('crashed', DAY), 'claimed', 'a crashed holder\'s claim expires, so the event is not lost')

  await store.complete('crashed', DAY)
  const doneTtl = await redis.pttl(`${prefix}crashed`)
  t.ok(doneTtl > DAY - 10_000 && doneTtl <= DAY, `complete replaces the claim's ttl with its own (PTTL ${doneTtl})`)

  await store.complete('short', 50)
  t.equal(await store.claim('short', DAY), 'done')
  await sleep(120)
  t.equal(await store.claim('short', DAY), 'claimed', 'done is forgotten after its ttl')

  t.equal(await store.claim('fraction', 10.2), 'claimed')
  t.ok(await redis.pttl(`${prefix}fraction`) <= 11, 'a fractional ttl is rounded up to whole milliseconds')

  await t.rejects(store.claim('forever', 0), /invalid expire time/, 'a ttl Redis cannot expire is refused...')
  await t.rejects(store.complete('forever', -1), /invalid expire time/)
  t.equal(await redis.exists(`${prefix}forever`), 0, '...and leaves no key behind')
})

t.test('100 concurrent claims from two clients: exactly one wins', async (t) => {
  const { redis: first, prefix } = await setup(t)
  const { redis: second } = await setup(t)
  const instances = [createRedisStore({ redis: first, prefix }), createRedisStore({ redis: second, prefix })]

  for (const id of ['race-1', 'race-2', 'race-3']) {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => instances[i % 2]!.claim(id, DAY)))
    t.equal(results.filter((result) => result === 'claimed').length, 1, `${id}: one claim won`)
    t.equal(results.filter((result) => result === 'running').length, 99, `${id}: every other claim saw it running`)
  }
})

t.test('keys live under the prefix', async (t) => {
  const { redis, prefix, outside } = await setup(t)
  const id = randomUUID()

  const byDefault = createRedisStore({ redis })
  outside.push(`xwh:${id}`)
  t.equal(await byDefault.claim(id, DAY), 'claimed')
  t.equal(await redis.get(`xwh:${id}`), 'running', 'the default prefix is xwh:')

  const one = createRedisStore({ redis, prefix: `${prefix}one:` })
  const two = createRedisStore({ redis, prefix: `${prefix}two:` })
  t.equal(await one.claim(id, DAY), 'claimed')
  t.equal(await two.claim(id, DAY), 'claimed', 'two prefixes do not interfere')
  await one.complete(id, DAY)
  t.equal(await two.claim(id, DAY), 'running')
  await two.release(id)
  t.equal(await one.claim(id, DAY), 'done')
  t.same((await redis.keys(`${prefix}*`)).sort(), [`${prefix}one:${id}`], 'each store touches its own keys only')

  const bare = createRedisStore({ redis, prefix: '' })
  t.equal(await bare.claim(`${prefix}bare`, DAY), 'claimed', 'an empty prefix is allowed, e.g. with ioredis keyPrefix')
})

t.test('a client keyPrefix comes before the store prefix', async (t) => {
  const { redis, prefix } = await setup(t, { keyPrefix: 'app:' })
  const store = createRedisStore({ redis, prefix })
  t.equal(await store.claim('a', DAY), 'claimed')
  await store.release('a')
  t.equal(await store.claim('a', DAY), 'claimed')
  t.same(await redis.keys(`app:${prefix}*`), [`app:${prefix}a`])
})

t.test('the scripts are defined once per client and survive a SCRIPT FLUSH', async (t) => {
  const { redis, prefix } = await setup(t)
  const defined: string[] = []
  const defineCommand = redis.defineCommand.bind(redis)
  redis.defineCommand = (name, definition) => {
    defined.push(name)
    defineCommand(name, definition)
  }
  const first = createRedisStore({ redis, prefix })
  const second = createRedisStore({ redis, prefix })
  t.same(defined, ['xwhDedupeClaim', 'xwhDedupeRelease', 'xwhSaveCheckpoint'], 'a second store on the same client reuses them')

  t.equal(await first.claim('a', DAY), 'claimed')
  // A restarted or failed-over server has forgotten every script: ioredis falls back from EVALSHA to EVAL.
  await redis.script('FLUSH')
  t.equal(await second.claim('a', DAY), 'running')
  await redis.script('FLUSH')
  await second.release('a')
  t.equal(await first.claim('a', DAY), 'claimed')
})

t.test('invalid options fail with a clear error', async (t) => {
  const { redis } = await setup(t)
  const create = createRedisStore as (options?: unknown) => unknown
  t.type(t.throws(() => create(), 'no options at all'), TypeError, 'a TypeError, like Node\'s own invalid-argument errors')
  for (const options of [undefined, null, {}, { redis: undefined }, { redis: {} }, { redis: 'redis://127.0.0.1:6379' }]) {
    t.throws(() => create(options), {
      code: 'FST_XWH_INVALID_OPTION',
      message: /invalid option "redis": createRedisStore needs an ioredis client/
    }, `options: ${inspect(options)}`)
  }
  for (const prefix of [null, 1, ['xwh:']]) {
    t.throws(() => create({ redis, prefix }), {
      code: 'FST_XWH_INVALID_OPTION',
      message: /invalid option "prefix": must be a string/
    }, `prefix: ${inspect(prefix)}`)
  }
})

// The plugin over real HTTP, with the store shared through Redis as several instances of a service would share it.

/** An instance of the service: its own Fastify, its own Redis client, the shared prefix; closed when `t` ends. */
async function instance (t: Test, prefix: string): Promise<{ app: FastifyInstance, url: string }> {
  const { redis } = await setup(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(xWebhooks, { consumerSecret: SECRET, dedupe: { store: createRedisStore({ redis, prefix }) } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}${PATH}` }
}

/** One XAA follow event, signed as X signs it. */
function follow (uuid: string): { body: string, headers: Record<string, string> } {
  const { payload, headers } = delivery({ data: { event_uuid: uuid, event_type: 'follow.follow', filter: { user_id: '2244994945' }, payload: {} } })
  return { body: payload as string, headers: headers as Record<string, string> }
}

async function post (url: string, uuid: string): Promise<number> {
  const { body, headers } = follow(uuid)
  return (await fetch(url, { method: 'POST', body, headers })).status
}

t.test('two instances sharing one Redis handle each event once across both', async (t) => {
  const { prefix } = await setup(t)
  const instances = [await instance(t, prefix), await instance(t, prefix)]
  const handled = new Map<string, string[]>()
  instances.forEach(({ app }, index) => {
    app.x.on('follow.follow', async (event) => {
      await sleep(Math.random() * 20) // long enough for copies to arrive while it runs
      handled.set(event.id, [...handled.get(event.id) ?? [], `instance ${index}`])
    })
  })

  // 50 events, each delivered 10 times within a few milliseconds, every other copy to the other instance.
  const uuids = Array.from({ length: 50 }, () => randomUUID())
  const copy = async (uuid: string, i: number): Promise<number> => {
    await sleep(Math.random() * 10)
    return await post(instances[i % 2]!.url, uuid)
  }
  const statuses = await Promise.all(uuids.flatMap((uuid) => Array.from({ length: 10 }, (_, i) => copy(uuid, i))))
  t.ok(statuses.every((status) => status === 200), 'every copy is answered 200')
  t.equal(handled.size, 50, 'every event was handled')
  t.same([...handled.values()].filter((by) => by.length !== 1), [], 'each exactly once across both instances')
  const split = [...handled.values()].flat().filter((by) => by === 'instance 0').length
  t.ok(split > 0 && split < 50, `both did some of the work (instance 0 handled ${split}, instance 1 ${50 - split})`)

  const again = await Promise.all(uuids.map((uuid, i) => post(instances[i % 2]!.url, uuid)))
  t.ok(again.every((status) => status === 200), 'a later copy of a handled event is answered 200...')
  t.equal([...handled.values()].flat().length, 50, '...without running it again')
})

t.test('a killed instance\'s claim expires, so the event is not lost', async (t) => {
  const { redis, prefix } = await setup(t)
  const uuid = randomUUID()

  // The instance that dies: another process, killed (SIGKILL, nothing runs on its way out) while its handler runs.
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const doomed = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', `
    import Fastify from 'fastify'
    import { Redis } from 'ioredis'
    import xWebhooks from './lib/index.js'
    import { createRedisStore } from './lib/redis.js'
    const app = Fastify()
    const store = createRedisStore({ redis: new Redis(process.env.REDIS_URL), prefix: process.env.PREFIX })
    await app.register(xWebhooks, { consumerSecret: process.env.SECRET, handlerTimeout: 2000, dedupe: { store } })
    app.x.on('follow.follow', () => { console.log('handling'); return new Promise(() => {}) })
    await app.listen({ host: '127.0.0.1', port: 0 })
    console.log(app.server.address().port)
  `], { cwd: root, env: { ...process.env, REDIS_URL: url, PREFIX: prefix, SECRET }, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { doomed.kill('SIGKILL') })
  const lines = createInterface({ input: doomed.stdout! })[Symbol.asyncIterator]()
  const port = (await lines.next()).value as string
  t.match(port, /^\d+$/, 'it listens')

  const firstAttempt = t.rejects(post(`http://127.0.0.1:${port}${PATH}`, uuid), 'the first attempt gets no answer, so X delivers it again')
  t.equal((await lines.next()).value, 'handling', 'its handler runs')
  doomed.kill('SIGKILL')
  await once(doomed, 'exit')
  await firstAttempt

  const [key] = await redis.keys(`${prefix}*`)
  t.equal(await redis.get(key!), 'running', 'the dead instance still holds the claim')
  const ttl = await redis.pttl(key!)
  t.ok(ttl > 0 && ttl <= 2000, `for at most its handlerTimeout (PTTL ${ttl})`)

  const survivor = await instance(t, prefix)
  const handled: string[] = []
  survivor.app.x.on('follow.follow', (event) => { handled.push(event.id) })
  t.equal(await post(survivor.url, uuid), 200, 'a copy arriving while the claim holds is a duplicate')
  t.equal(handled.length, 0, 'and does not run')

  while (await redis.exists(key!) === 1) await sleep(50)
  t.equal(await post(survivor.url, uuid), 200, 'once the claim expired, the redelivery...')
  t.equal(handled.length, 1, '...runs the event: it was not lost')
  t.equal(await redis.get(key!), 'done', 'and remembered as done')
})

t.test('checkpoints: the later time wins across instances, under the prefix, and they expire', async (t) => {
  const { redis, prefix } = await setup(t)
  const first = createRedisStore({ redis, prefix })
  const other = new Redis(url)
  t.teardown(async () => { await other.quit() })
  const second = createRedisStore({ redis: other, prefix })
  t.equal(await first.loadCheckpoint?.('checkpoint:/webhooks/x'), undefined)
  await Promise.all([first.saveCheckpoint?.('checkpoint:/webhooks/x', 1_700_000_002_000), second.saveCheckpoint?.('checkpoint:/webhooks/x', 1_700_000_001_000.7)])
  t.equal(await second.loadCheckpoint?.('checkpoint:/webhooks/x'), 1_700_000_002_000)
  await first.saveCheckpoint?.('checkpoint:/webhooks/x', 1_700_000_003_000)
  t.equal(await second.loadCheckpoint?.('checkpoint:/webhooks/x'), 1_700_000_003_000)
  const ttl = await redis.pttl(`${prefix}checkpoint:/webhooks/x`)
  t.ok(ttl > 6 * DAY && ttl <= 7 * DAY, `kept a week (${ttl} ms left)`)
})
