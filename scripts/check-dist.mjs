// Run by `npm test` after the build: the published ES module entry registers, decorates app.x and handles a delivery.
import assert from 'node:assert'
import Fastify from 'fastify'
import xWebhooks, { signPayload, xWebhooks as named } from 'fastify-x-webhooks'

assert.strictEqual(named, xWebhooks)
const app = Fastify()
await app.register(xWebhooks, { consumerSecret: 'test' })
const seen = []
app.x.on('follow', (event) => { seen.push(event.type) })
const crc = await app.inject('/webhooks/x?crc_token=challenge_string')
assert.deepStrictEqual(crc.json(), { response_token: 'sha256=SYYKwb5URQ4OnNXL3KWDH9ph6EIaP+4PTQFxLk5FIK4=' })
const body = JSON.stringify({ for_user_id: '2', follow_events: [{ type: 'follow', created_timestamp: '1', source: { id_str: '3' }, target: { id_str: '2' } }] })
const res = await app.inject({ method: 'POST', url: '/webhooks/x', payload: body, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signPayload(body, 'test') } })
assert.strictEqual(res.statusCode, 200)
assert.deepStrictEqual(seen, ['follow.follow'])
await app.close()
console.log('dist (ES module): import xWebhooks from \'fastify-x-webhooks\' registers and decorates app.x')
