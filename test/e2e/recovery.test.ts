import { createHmac, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { build as buildExample } from '../../examples/basic.js'
import xWebhooks, { createMemoryStore, XWebhooksClient, type DedupeStore, type FastifyXWebhooksOptions, type RecoveryReport } from '../../lib/index.js'
import { createEmulator } from '../../lib/emulator/index.js'
import { createRedisStore } from '../../lib/redis.js'
import { logCapture, PATH, SECRET } from '../helpers.js'
import { redisUrl } from '../redis-server.js'
import { waitFor } from './emulator-loop.js'

// Recovery over real HTTP on 127.0.0.1: the emulator plays X, the service runs the plugin with the `recovery`
// option. X's own retries are pushed an hour out, so that only the recovery can bring back what was missed.

const BEARER = 'e2e-recovery-bearer'
const HOUR = 60 * 60_000

interface World {
  emulatorUrl: string
  client: XWebhooksClient
  /** `POST /_emulator/events`, for one webhook. */
  trigger: (type: string, webhookId: string) => Promise<{ delivered: number, held: number }>
  /** `POST /_emulator/crc`: X's scheduled CRC, now. */
  crc: () => Promise<void>
}

async function world (t: Test): Promise<World> {
  const emulator = createEmulator({ consumerSecret: SECRET, bearerToken: BEARER, retrySchedule: [HOUR] })
  t.teardown(() => emulator.close())
  const emulatorUrl = await emulator.listen({ host: '127.0.0.1', port: 0 })
  const control = async (path: string, body: unknown): Promise<any> => {
    const response = await fetch(`${emulatorUrl}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    return ((await response.json()) as { data: unknown }).data
  }
  return {
    emulatorUrl,
    client: new XWebhooksClient({ bearerToken: BEARER, baseUrl: emulatorUrl, allowInsecureUrl: true }),
    trigger: async (type, webhookId) => await control('/_emulator/events', { type, webhook_id: webhookId }),
    crc: async () => { await control('/_emulator/crc', {}) }
  }
}

const portOf = (app: FastifyInstance): number => (app.server.address() as AddressInfo).port

/** Every event the handlers ran for (the replay job's own status aside), across the service's restarts. */
function counter (): { ids: string[], watch: (app: FastifyInstance) => void } {
  const ids: string[] = []
  return { ids, watch: (app) => { app.x.onAny((event) => { if (event.product !== 'webhook') ids.push(event.id) }) } }
}

/** Counts what `app` handles, and has it listen on 127.0.0.1 (port 0: any); closed when the test ends. */
async function serve (t: Test, app: FastifyInstance, handled: ReturnType<typeof counter>, port: number): Promise<FastifyInstance> {
  t.teardown(() => app.close())
  handled.watch(app)
  await app.listen({ host: '127.0.0.1', port })
  return app
}

async function reportLogged (records: () => Array<Record<string, unknown>>, why: string): Promise<RecoveryReport & { window: { from: string, to: string } }> {
  const record = await waitFor(`the ${why} recovery's report`, () => records().find((entry) => entry.msg === `fastify-x-webhooks: recovery (${why}) complete`), 20_000)
  return record.report as RecoveryReport & { window: { from: string, to: string } }
}

t.test('the example service, down while events were sent, recovers at startup: each is handled once, and the report says so', async (t) => {
  const x = await world(t)
  const redis = new Redis(await redisUrl(t))
  t.teardown(async () => { await redis.quit() })
  const store = createRedisStore({ redis, prefix: `xwh-e2e:${randomUUID()}:` })
  const handled = counter()
  const log = logCapture()
  const start = async (port: number, recovery?: FastifyXWebhooksOptions['recovery']): Promise<FastifyInstance> => {
    const app = await buildExample(SECRET, { logger: { stream: log.stream } }, { bearerToken: BEARER, apiBaseUrl: x.emulatorUrl, dedupe: { store }, recovery })
    return await serve(t, app, handled, port)
  }

  const first = await start(0)
  const port = portOf(first)
  const webhook = await x.client.webhooks.create(`http://127.0.0.1:${port}${PATH}`)
  for (const type of ['follow.follow', 'like.create']) t.match(await x.trigger(type, webhook.id), { delivered: 1 })
  await waitFor('the first two events handled', () => handled.ids.length === 2 ? true : undefined)
  await first.close()

  for (const type of ['post.create', 'follow.unfollow', 'dm.received']) t.match(await x.trigger(type, webhook.id), { delivered: 1 }, `${type} sent to a service that is down`)
  t.equal(handled.ids.length, 2, 'nothing handled while it was down')

  await start(port, { webhookId: webhook.id, checkEvery: false })
  const report = await reportLogged(log.records, 'startup')
  t.match(report, {
    webhookId: webhook.id,
    revalidated: false,
    origin: 'checkpoint',
    jobs: [{ state: 'complete' }],
    events: { received: 5, handled: 3, duplicates: 2, failed: 0 },
    complete: true
  })
  t.equal(handled.ids.length, 5, 'the three missed events were handled')
  t.equal(new Set(handled.ids).size, 5, 'each exactly once')
})

t.test('a service answering CRCs wrongly turns invalid; once fixed, the periodic check re-validates and replays, and nothing is lost', async (t) => {
  const x = await world(t)
  const store: DedupeStore = createMemoryStore()
  const handled = counter()
  const log = logCapture()
  let crcWrong = false
  const start = async (port: number, recovery?: FastifyXWebhooksOptions['recovery']): Promise<FastifyInstance> => {
    const app = Fastify({ logger: { stream: log.stream } })
    // Ahead of the plugin's CRC route: a broken deploy that signs CRC tokens with the wrong key.
    app.addHook('onRequest', async (request, reply) => {
      if (!crcWrong || request.method !== 'GET') return
      const token = new URL(request.url, 'http://127.0.0.1').searchParams.get('crc_token') ?? ''
      return await reply.send({ response_token: 'sha256=' + createHmac('sha256', 'a-wrong-secret').update(token).digest('base64') })
    })
    await app.register(xWebhooks, { consumerSecret: SECRET, bearerToken: BEARER, apiBaseUrl: x.emulatorUrl, dedupe: { store }, recovery })
    return await serve(t, app, handled, port)
  }

  // Registered by a first instance; the one with recovery replaces it on the same port, now that the id is known.
  const first = await start(0)
  const port = portOf(first)
  const webhook = await x.client.webhooks.create(`http://127.0.0.1:${port}${PATH}`)
  await first.close()
  await start(port, { webhookId: webhook.id, onStartup: false, checkEvery: 50 })
  for (const type of ['follow.follow', 'like.create']) t.match(await x.trigger(type, webhook.id), { delivered: 1 })
  await waitFor('the first two events handled', () => handled.ids.length === 2 ? true : undefined)

  crcWrong = true
  await x.crc()
  t.equal((await x.client.webhooks.list()).find((item) => item.id === webhook.id)?.valid, false, 'invalid after one wrong CRC answer')
  for (const type of ['post.create', 'follow.unfollow', 'dm.received']) t.same(await x.trigger(type, webhook.id), { delivered: 0, held: 1 }, `${type} held by X`)
  await waitFor('a failed recovery while the CRC is still wrong', () => log.records().find((entry) => entry.msg === 'fastify-x-webhooks: recovery (periodic check) failed'))
  t.equal(handled.ids.length, 2)

  crcWrong = false
  // The first recovery failed (the CRC still wrong): the next checks retry it until one completes.
  const report = await reportLogged(log.records, 'retry')
  t.match(report, { webhookId: webhook.id, revalidated: true, origin: 'checkpoint', jobs: [{ state: 'complete' }], events: { received: 5, handled: 3, duplicates: 2 }, complete: true })
  t.equal((await x.client.webhooks.list()).find((item) => item.id === webhook.id)?.valid, true, 'valid again')
  t.equal(handled.ids.length, 5, 'the three held events were handled')
  t.equal(new Set(handled.ids).size, 5, 'each exactly once')
})
