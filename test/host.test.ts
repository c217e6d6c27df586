import Fastify, { type FastifyInstance } from 'fastify'
import rawBody from 'fastify-raw-body'
import t, { type Test } from 'tap'
import xWebhooks from '../lib/index.js'
import { delivery, fixture, SECRET } from './helpers.js'

// The plugin must leave the host application exactly as it was: its parsers, routes, hooks and error handler.

const FOLLOW = fixture('xaa/follow.follow')
const CRC = '/webhooks/x?crc_token=challenge_string'

async function hostWithPlugin (t: Test, setup: (app: FastifyInstance) => void | Promise<void>): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await setup(app)
  await app.register(xWebhooks, { consumerSecret: SECRET })
  return app
}

t.test('a host JSON route keeps Fastify\'s JSON parser and its errors', async (t) => {
  const app = await hostWithPlugin(t, (app) => {
    app.post('/api/items', async (request) => ({ received: request.body }))
  })
  const ok = await app.inject({ method: 'POST', url: '/api/items', payload: { a: 1 } })
  t.same(ok.json(), { received: { a: 1 } })
  const bad = await app.inject({ method: 'POST', url: '/api/items', headers: { 'content-type': 'application/json' }, payload: '{nope' })
  t.equal(bad.json().code, 'FST_ERR_CTP_INVALID_JSON_BODY')
  const text = await app.inject({ method: 'POST', url: '/api/items', headers: { 'content-type': 'text/plain' }, payload: 'hello' })
  t.same(text.json(), { received: 'hello' }, 'the host still parses text/plain')
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
})

t.test('a host custom JSON parser, before or after the plugin, keeps serving the host routes', async (t) => {
  for (const order of ['before', 'after']) {
    const app = Fastify()
    t.teardown(() => app.close())
    let hostParses = 0
    const addParser = (): void => {
      app.removeContentTypeParser('application/json')
      app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        hostParses++
        done(null, { custom: JSON.parse(body as string) })
      })
    }
    if (order === 'before') addParser()
    await app.register(xWebhooks, { consumerSecret: SECRET })
    if (order === 'after') addParser()
    app.post('/api/items', async (request) => request.body)
    t.same((await app.inject({ method: 'POST', url: '/api/items', payload: { a: 1 } })).json(), { custom: { a: 1 } }, order)
    t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200, `${order}: the webhook still verifies raw bytes`)
    t.equal(hostParses, 1, `${order}: the host parser never saw a webhook body`)
  }
})

t.test('a host that already uses fastify-raw-body (for Stripe, say) can add the plugin', async (t) => {
  const app = await hostWithPlugin(t, async (app) => {
    await app.register(rawBody, { global: false, encoding: 'utf8', runFirst: true })
    app.post('/stripe', { config: { rawBody: true } }, async (request) => ({ raw: request.rawBody }))
  })
  t.same((await app.inject({ method: 'POST', url: '/stripe', payload: { a: 1 } })).json(), { raw: '{"a":1}' })
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  t.equal((await app.inject(CRC)).statusCode, 200)
})

t.test('the host\'s hooks and error handler behave as before, and the plugin adds none to host routes', async (t) => {
  const seen: string[] = []
  const app = await hostWithPlugin(t, (app) => {
    app.addHook('onRequest', async (request) => { seen.push(request.url) })
    app.setErrorHandler(async (_error, _request, reply) => reply.code(418).send({ host: true }))
    app.get('/api/fail', async () => { throw new Error('host failure') })
  })
  t.same((await app.inject('/api/fail')).json(), { host: true })
  t.equal((await app.inject(CRC)).statusCode, 200, 'the host error handler does not change the webhook answers')
  const unsigned = await app.inject({ method: 'POST', url: '/webhooks/x', payload: FOLLOW, headers: { 'content-type': 'application/json' } })
  t.equal(unsigned.statusCode, 401)
  t.equal(unsigned.json().code, 'FST_XWH_MISSING_SIGNATURE')
  t.same(seen, ['/api/fail', CRC, '/webhooks/x'], 'host onRequest hooks still run everywhere, as for any route')
})

t.test('a host prefix applies to the webhook routes, and app.x stays on the prefixed scope', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  let handled = 0
  await app.register(async (api) => {
    await api.register(xWebhooks, { consumerSecret: SECRET })
    api.x.on('follow', () => { handled++ })
  }, { prefix: '/api' })
  t.equal((await app.inject(`/api${CRC}`)).statusCode, 200)
  t.equal((await app.inject(delivery(FOLLOW, SECRET, { url: '/api/webhooks/x' }))).statusCode, 200)
  t.equal(handled, 1)
  t.equal((await app.inject(CRC)).statusCode, 404)
  t.notOk(app.hasDecorator('x'), 'the decorator stays in the scope that registered the plugin')
})

t.test('the prefix option of register() applies too', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(xWebhooks, { consumerSecret: SECRET, prefix: '/v1' })
  t.equal((await app.inject(`/v1${CRC}`)).statusCode, 200)
  t.equal((await app.inject(CRC)).statusCode, 404)
})

t.test('a host hook that fails on the webhook route gets a generic 500: its message stays in the logs', async (t) => {
  const app = await hostWithPlugin(t, (app) => {
    app.addHook('preHandler', async () => { throw new Error('database password rejected') })
  })
  const res = await app.inject(delivery(FOLLOW))
  t.equal(res.statusCode, 500)
  t.same(res.json(), { statusCode: 500, code: 'FST_XWH_INTERNAL', error: 'Internal Server Error', message: 'The webhook route failed' })
})
