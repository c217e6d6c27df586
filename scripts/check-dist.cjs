// Run by `npm test` after the build: the published CommonJS entry registers, decorates app.x and handles a delivery.
const assert = require('node:assert')
const Fastify = require('fastify')
const xWebhooks = require('fastify-x-webhooks')
const { signPayload, xWebhooks: named, normalizeDelivery } = require('fastify-x-webhooks')

async function main () {
  // Like every Fastify plugin: require() gives the plugin, which carries the named exports.
  assert.strictEqual(typeof xWebhooks, 'function')
  assert.strictEqual(named, xWebhooks)
  assert.strictEqual(xWebhooks.default, xWebhooks)
  const app = Fastify()
  await app.register(xWebhooks, { consumerSecret: 'test' })
  const seen = []
  app.x.on('follow', (event) => { seen.push(event.type) })
  const crc = await app.inject('/webhooks/x?crc_token=challenge_string')
  assert.deepStrictEqual(crc.json(), { response_token: 'sha256=SYYKwb5URQ4OnNXL3KWDH9ph6EIaP+4PTQFxLk5FIK4=' })
  const body = JSON.stringify({ data: { event_uuid: '1', event_type: 'follow.follow', filter: { user_id: '2' }, payload: {} } })
  const res = await app.inject({ method: 'POST', url: '/webhooks/x', payload: body, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signPayload(body, 'test') } })
  assert.strictEqual(res.statusCode, 200)
  assert.deepStrictEqual(seen, ['follow.follow'])
  assert.strictEqual(normalizeDelivery(JSON.parse(body))[0].type, 'follow.follow')
  await app.close()
  console.log('dist (CommonJS): require(\'fastify-x-webhooks\') registers and decorates app.x')
}

main().catch((error) => { console.error(error); process.exitCode = 1 })
