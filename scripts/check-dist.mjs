// Run by `npm test` after the build: both published entries register, decorate app.x and handle a delivery.
import assert from 'node:assert'
import { createRequire } from 'node:module'
import Fastify from 'fastify'
import esm, { signPayload, xWebhooks as esmNamed } from 'fastify-x-webhooks'
import { createRedisStore as esmRedisStore } from 'fastify-x-webhooks/redis'

const require = createRequire(import.meta.url)
const cjs = require('fastify-x-webhooks')
const cjsRedis = require('fastify-x-webhooks/redis')

async function check (entry, plugin) {
  const app = Fastify()
  await app.register(plugin, { consumerSecret: 'test' })
  const seen = []
  app.x.on('follow', (event) => { seen.push(event.type) })
  const crc = await app.inject('/webhooks/x?crc_token=challenge_string')
  assert.deepStrictEqual(crc.json(), { response_token: 'sha256=SYYKwb5URQ4OnNXL3KWDH9ph6EIaP+4PTQFxLk5FIK4=' })
  const body = JSON.stringify({ data: { event_uuid: '1', event_type: 'follow.follow', filter: { user_id: '2' }, payload: {} } })
  const headers = { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signPayload(body, 'test') }
  assert.strictEqual((await app.inject({ method: 'POST', url: '/webhooks/x', payload: body, headers })).statusCode, 200)
  assert.deepStrictEqual(seen, ['follow.follow'])
  await app.close()
  console.log(`dist: ${entry} registers and decorates app.x`)
}

assert.strictEqual(esmNamed, esm)
// Like every Fastify plugin, require() gives the plugin itself, carrying the named exports.
assert.strictEqual(typeof cjs, 'function')
assert.strictEqual(cjs.default, cjs)
assert.strictEqual(cjs.xWebhooks, cjs)
assert.strictEqual(typeof cjs.normalizeDelivery, 'function')
await check('import xWebhooks from \'fastify-x-webhooks\'', esm)
await check('require(\'fastify-x-webhooks\')', cjs)

// The Redis entry: the store factory from both builds, validating its options with the package's own error, and
// loading no ioredis (an optional peer the application brings; importing ESM fills the same CommonJS cache).
for (const [entry, createRedisStore] of [['import \'fastify-x-webhooks/redis\'', esmRedisStore], ['require(\'fastify-x-webhooks/redis\')', cjsRedis.createRedisStore]]) {
  assert.strictEqual(typeof createRedisStore, 'function')
  assert.throws(() => createRedisStore({}), { code: 'FST_XWH_INVALID_OPTION' })
  console.log(`dist: ${entry} exports createRedisStore`)
}
assert.ok(!Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]ioredis[\\/]/.test(file)), 'the redis entry must not load ioredis')
