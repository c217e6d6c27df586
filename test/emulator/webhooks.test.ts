import t from 'tap'
import { XApiError, XWebhooksClient } from '../../lib/client/index.js'
import { BEARER, emulator, receiver } from './helpers.js'

t.test('create, list, validate and delete through the real client', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const created = await x.client.webhooks.create(service.url)
  t.match(created, { url: service.url, valid: true })
  t.ok(created.createdAt instanceof Date)
  t.match(created.id, /^\d+$/)
  t.equal(service.crcs, 1, 'the CRC ran before the answer')
  t.same((await x.client.webhooks.list()).map((w) => w.id), [created.id])
  t.same(await x.client.webhooks.validate(created.id), { valid: true })
  t.equal(service.crcs, 2, 'PUT ran a CRC')
  t.same(await x.client.webhooks.delete(created.id), { deleted: true })
  t.same(await x.client.webhooks.list(), [])
})

t.test('answer shapes, as X writes them', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const created = await x.x('POST', '/2/webhooks', { url: service.url })
  t.equal(created.status, 200)
  t.same(Object.keys(created.body.data).sort(), ['created_at', 'id', 'url', 'valid'])
  const list = await x.x('GET', '/2/webhooks?webhook_config.fields=created_at,id,url,valid')
  t.same(list.body, { data: [created.body.data], meta: { result_count: 1 } })
  t.same((await x.x('PUT', `/2/webhooks/${created.body.data.id as string}`)).body, { data: { valid: true } })
  t.same((await x.x('DELETE', `/2/webhooks/${created.body.data.id as string}`)).body, { data: { deleted: true } })
})

t.test('401 without the bearer token, as X answers it', async (t) => {
  const x = await emulator(t)
  const answer = await x.control('GET', '/2/webhooks', undefined)
  t.equal(answer.status, 401)
  t.same(answer.body, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' })
  for (const authorization of ['Bearer wrong', BEARER, 'OAuth oauth_token="x"']) {
    const withHeader = await x.app.inject({ method: 'GET', url: '/2/webhooks', headers: { authorization } })
    t.equal(withHeader.statusCode, 401, authorization)
  }
  const client = new XWebhooksClient({ bearerToken: 'wrong', baseUrl: x.url, allowInsecureUrl: true })
  t.equal(await client.webhooks.list().then(() => 200, (error: XApiError) => error.status), 401)
})

t.test('refusals carry X\'s reasons, which XApiError reads', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const reasonOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
    try {
      await promise
    } catch (error) {
      t.type(error, XApiError)
      return (error as XApiError).reason
    }
    return undefined
  }
  service.crc = 'wrong'
  t.equal(await reasonOf(x.client.webhooks.create(service.url)), 'CrcValidationFailed')
  service.crc = 'ok'
  const created = await x.client.webhooks.create(service.url)
  t.equal(await reasonOf(x.client.webhooks.create(service.url)), 'DuplicateUrlFailed')
  t.equal(await reasonOf(x.client.webhooks.delete('123')), 'WebhookIdInvalid')
  t.equal(await reasonOf(x.client.webhooks.validate('123')), 'WebhookIdInvalid')
  t.equal(await reasonOf(x.client.webhooks.replay({ webhookId: '123', from: new Date(Date.now() - 600_000), to: new Date() })), 'WebhookIdInvalid')
  const crcFailed = await x.x('POST', '/2/webhooks', { url: `${service.url}?again` })
  t.equal(crcFailed.status, 200, 'another URL of the same service passes')
  t.ok(created)
  const problem = (await x.x('DELETE', '/2/webhooks/123')).body
  t.same(problem, {
    title: 'WebhookIdInvalid',
    detail: 'No webhook with id 123 belongs to this app.',
    type: 'https://api.x.com/2/problems/invalid-request',
    reason: 'WebhookIdInvalid',
    status: 400
  })
})

t.test('URL rules: relaxed by default, X\'s own with strict', async (t) => {
  const x = await emulator(t)
  const post = async (app: typeof x, url: unknown) => (await app.x('POST', '/2/webhooks', url === undefined ? undefined : { url })).body.reason
  for (const url of [undefined, '', 'x'.repeat(201), 'not a url', 'ftp://example.com/x']) {
    t.equal(await post(x, url), 'UrlValidationFailed', String(url))
  }
  const strict = await emulator(t, { strict: true })
  for (const url of ['http://127.0.0.1/x', 'https://127.0.0.1:8443/x', 'https://example.com:443/x']) {
    t.equal(await post(strict, url), 'UrlValidationFailed', url)
  }
  // Allowed by the rules; the CRC then fails (nothing listens there).
  t.equal(await post(strict, 'https://[::1]/x'), 'CrcValidationFailed')
  const service = await receiver(t)
  t.equal(await post(strict, service.url), 'UrlValidationFailed')
  t.equal(await post(x, service.url), undefined)
})
