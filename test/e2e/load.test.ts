import { Agent, request } from 'node:http'
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import xWebhooks, { createMemoryStore, signPayload, type ClaimResult, type DedupeStore, type FastifyXWebhooksOptions } from '../../lib/index.js'
import { SECRET } from '../helpers.js'
import { failsFirst, ordinalOf, pool, random, scenario, singleEventBody } from './load-scenario.js'
import { listen } from './x-sender.js'

// Proof under load (issue 3, item 5), over real HTTP on 127.0.0.1: thousands of unique signed deliveries at high
// concurrency, 20% of them also sent as exact duplicates (some at the same time as the original, some later), every
// one also replayed (`meta.replay`, so other bytes, same event ids), and 2% of events failing in their handler on
// their first attempt, then redelivered as X does. Every event must be handled exactly once in effect, none lost,
// and the heap must stay bounded. The scenario is test/e2e/load-scenario.ts, which bench/delivery-load.ts runs at 100x
// the size.

const DELIVERIES = 3000
const CONCURRENCY = 64
/** `global.gc` when node runs with --expose-gc; otherwise the same function, exposed at run time (as jest does). */
function exposeGc (): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc')
}

const gc = exposeGc()

async function heapAfterGc (): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc()
    await tick()
  }
  return process.memoryUsage().heapUsed
}

const MB = 1024 * 1024
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`

// node:http with keep-alive rather than fetch, which is several times slower here (its client would be the bottleneck).
const agent = new Agent({ keepAlive: true, maxSockets: 2 * CONCURRENCY })
t.teardown(() => agent.destroy())

/** One signed POST over real HTTP, as X sends it; resolves with the status. */
async function post (url: string, body: string): Promise<number> {
  const raw = Buffer.from(body)
  return await new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': raw.length, 'x-twitter-webhooks-signature': signPayload(raw, SECRET) }
    request(url, { method: 'POST', agent, headers }, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode as number)).on('error', reject)
    }).on('error', reject).end(raw)
  })
}

/** Delivers like X (as test/e2e/x-sender.ts does): again on any answer but 200, after 10, 20 and 40 ms. */
async function deliverLikeX (url: string, body: string): Promise<number[]> {
  const statuses = [await post(url, body)]
  for (const delay of [10, 20, 40]) {
    if (statuses.at(-1) === 200) break
    await sleep(delay)
    statuses.push(await post(url, body))
  }
  return statuses
}

async function server (options: Partial<FastifyXWebhooksOptions>): Promise<{ app: FastifyInstance, url: string }> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(xWebhooks, { consumerSecret: SECRET, ...options })
  return { app, url: await listen(app) }
}

/** At most `limit` items of a list, for a readable failure message. */
const some = <T>(list: readonly T[], limit = 10): T[] => list.slice(0, limit)

/** The default store (createMemoryStore with its defaults), counting what its claims answered. */
function countingStore (): DedupeStore & { claims: Record<ClaimResult, number> } {
  const store = createMemoryStore()
  const claims = { claimed: 0, running: 0, done: 0 }
  return {
    claims,
    async claim (id, ttlMs) {
      const result = await store.claim(id, ttlMs)
      claims[result]++
      return result
    },
    complete: store.complete,
    release: store.release
  }
}

t.test('under load, with duplicates, replays and failing first attempts, every event runs exactly once in effect', async (t) => {
  const store = countingStore()
  const { app, url } = await server({ ack: 'after-handlers', dedupe: { store } })
  const attempts = new Map<number, number>()
  const successes = new Map<number, number>()
  const strays: string[] = []
  let unknown = 0
  let replayed = 0
  let reportedFailures = 0
  // The bodies (one parsed object per request) in which a first attempt failed: each must have been answered 500.
  const failedRequests = new WeakSet<object>()
  let failedRequestCount = 0

  app.x.onAny(async (event) => {
    const ordinal = ordinalOf(event.id)
    if (ordinal < 0) {
      strays.push(event.id)
      return
    }
    const attempt = (attempts.get(ordinal) ?? 0) + 1
    attempts.set(ordinal, attempt)
    if (event.type === 'unknown') unknown++
    // Let other requests in while this event holds its claim, as a handler doing I/O would.
    await tick()
    if (attempt === 1 && failsFirst(ordinal)) {
      // The envelope is the request's parsed body: one object per request.
      const request = event.envelope as object
      if (!failedRequests.has(request)) failedRequestCount++
      failedRequests.add(request)
      throw new Error(`first attempt of ${ordinal} fails`)
    }
    if (event.replay) replayed++
    successes.set(ordinal, (successes.get(ordinal) ?? 0) + 1)
  })
  app.x.onError(() => { reportedFailures++ })

  const statuses = new Map<number, number>()
  const unanswered: string[] = []
  let requests = 0
  const load = scenario({ seed: 3 })
  // A warm-up, then two equal rounds: the heap after each (after a forced GC) shows whether memory keeps growing.
  const rounds = [0, 400, 400 + (DELIVERIES - 400) / 2, DELIVERIES]
  const heap: number[] = []
  for (let round = 1; round < rounds.length; round++) {
    const { sends } = load.window((rounds[round] as number) - (rounds[round - 1] as number))
    await pool(sends, CONCURRENCY, async ({ bodies }) => {
      await Promise.all(bodies.map(async (body) => {
        const answers = await deliverLikeX(url, body)
        requests += answers.length
        for (const status of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (answers.at(-1) !== 200) unanswered.push(`${answers.join(',')} ${body.slice(0, 80)}`)
      }))
    })
    heap.push(await heapAfterGc())
  }
  await app.close()

  const unique = load.events
  const failing = Array.from({ length: unique }, (_, ordinal) => ordinal).filter(failsFirst).length
  const wrongCounts = Array.from({ length: unique }, (_, ordinal) => ordinal)
    .filter((ordinal) => successes.get(ordinal) !== 1)
    .map((ordinal) => `${ordinal}: handled ${successes.get(ordinal) ?? 0} times`)
  const invocations = [...attempts.values()].reduce((sum, n) => sum + n, 0)
  t.comment(`${DELIVERIES} deliveries, ${unique} unique events (${failing} failing first), ${requests} requests, ` +
    `statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${replayed} events first handled from a replay copy`)
  t.comment(`claims: ${JSON.stringify(store.claims)}`)
  t.comment(`heap after GC: warm-up ${mb(heap[0] as number)}, round 1 ${mb(heap[1] as number)}, round 2 ${mb(heap[2] as number)}`)

  t.ok(unique > DELIVERIES * 2, `a mix of single events and batches (${unique} events)`)
  t.same(strays, [], 'every event handled is one that was sent')
  t.equal(unknown, 0, 'every event was recognised (the generated bodies are valid)')
  t.same(some(wrongCounts), [], 'every unique event was handled successfully exactly once: none lost, none twice')
  t.equal(successes.size, unique, 'the handled ids are exactly the sent ids')
  t.equal(invocations, unique + failing, 'handlers ran once per event, plus once more for each failed first attempt')
  t.equal(reportedFailures, failing, 'each failed first attempt reached onError')
  t.same(some(unanswered), [], 'every copy was finally answered 200')
  t.same([...statuses.keys()].sort((a, b) => a - b), [200, 500], 'no status but 200, and 500 for failed first attempts')
  t.equal(statuses.get(500) ?? 0, failedRequestCount, 'a 500 for each request in which a first attempt failed, and no other')
  t.equal(store.claims.claimed, unique + failing, 'each event claimed once, and once more after each failed attempt released it')
  t.ok(store.claims.running > 0, 'some copies arrived while the first was still running (and were not run)')
  t.ok(store.claims.done > 0, 'some copies arrived after the first was handled (and were not run)')
  // Round 2 adds ~3,000 ids to the store and to this test's own maps (~0.5 MB). Keeping each handled delivery's
  // parsed body would add ~4 MB (tried: a handler that keeps event.envelope).
  const growth = (heap[2] as number) - (heap[1] as number)
  t.ok(growth < 3 * MB, `the heap stays bounded: round 2 grew it by ${mb(growth)} (bound 3 MB)`)
})

t.test('once the default store is full, the heap stays flat however many new events arrive', async (t) => {
  const max = 500
  const { app, url } = await server({ dedupe: { max } })
  let handled = 0
  app.x.onAny(() => { handled++ })
  const rand = random(7)
  let ordinal = 1_000_000
  const heap: number[] = []
  // Each round, 1,000 new single-event deliveries: more than the store keeps, so the first round fills it.
  for (let round = 0; round < 3; round++) {
    const bodies = Array.from({ length: 1000 }, () => singleEventBody(ordinal++, rand))
    const statuses = new Set<number>()
    await pool(bodies, CONCURRENCY, async (body) => {
      for (const status of await deliverLikeX(url, body)) statuses.add(status)
    })
    t.same([...statuses], [200])
    heap.push(await heapAfterGc())
  }
  await app.close()
  t.equal(handled, 3000)
  t.comment(`heap after GC with max ${max}: ${heap.map(mb).join(', ')}`)
  // Nothing should grow now (measured: under 0.5 MB). Keeping each delivery's parsed body adds ~4 MB (tried).
  const growth = (heap[2] as number) - (heap[0] as number)
  t.ok(growth < 1.5 * MB, `2,000 more events grew the heap by ${mb(growth)} (bound 1.5 MB)`)
})
