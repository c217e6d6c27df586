import t from 'tap'
import { BEARER, CREATED_AT, WEBHOOK_ID, standIn, type Shape } from './stand-in.js'

const MINUTE = 60_000

for (const shape of ['current', 'other'] as Shape[]) {
  t.test(`${shape} shapes: every webhooks method sends X's request with the app's bearer token and returns one typed shape`, async (t) => {
    const x = await standIn(t, shape)
    const client = x.client()

    t.same(await client.webhooks.create('https://example.com/webhooks/x'), {
      id: WEBHOOK_ID, url: 'https://example.com/webhooks/x', valid: true, createdAt: new Date(CREATED_AT)
    })
    t.same(await client.webhooks.list(), [
      { id: WEBHOOK_ID, url: 'https://example.com/webhooks/x', valid: true, createdAt: new Date(CREATED_AT) },
      { id: '1146654567674912770', url: 'https://example.com/other', valid: false, createdAt: new Date(CREATED_AT) }
    ])
    t.same(await client.webhooks.delete(WEBHOOK_ID), { deleted: true })
    t.same(await client.webhooks.validate(WEBHOOK_ID), { valid: true })

    const now = Date.now()
    const from = new Date(now - 2 * 60 * MINUTE)
    const to = new Date(now - 60 * MINUTE)
    t.same(await client.webhooks.replay({ webhookId: WEBHOOK_ID, from, to }), {
      jobId: '1798765432109876543', createdAt: new Date('2025-01-15T12:05:00.000Z')
    })

    const requests = x.seen.map(({ method, url, body, contentType }) => ({ method, url, body, contentType }))
    const expected = [
      { method: 'POST', url: '/2/webhooks', body: { url: 'https://example.com/webhooks/x' }, contentType: 'application/json' },
      { method: 'GET', url: '/2/webhooks?webhook_config.fields=created_at%2Cid%2Curl%2Cvalid', body: undefined, contentType: undefined },
      { method: 'DELETE', url: `/2/webhooks/${WEBHOOK_ID}`, body: undefined, contentType: undefined },
      { method: 'PUT', url: `/2/webhooks/${WEBHOOK_ID}`, body: undefined, contentType: undefined },
      // The older PUT answer says only that the CRC ran: the state is read back from the list.
      ...(shape === 'other' ? [{ method: 'GET', url: '/2/webhooks?webhook_config.fields=created_at%2Cid%2Curl%2Cvalid', body: undefined, contentType: undefined }] : []),
      { method: 'POST', url: '/2/webhooks/replay', body: { webhook_id: WEBHOOK_ID, from_date: xDate(from, 'floor'), to_date: xDate(to, 'ceil') }, contentType: 'application/json' }
    ]
    t.same(requests, expected)
    for (const seen of x.seen) t.equal(seen.authorization, `Bearer ${BEARER}`)
  })
}

function xDate (date: Date, round: 'floor' | 'ceil'): string {
  const minutes = Math[round](date.getTime() / MINUTE) * MINUTE
  return new Date(minutes).toISOString().slice(0, 16).replace(/\D/g, '')
}

t.test('answers in other spellings: numbers for ids, strings for booleans, no created_at, the sent URL when X leaves it out', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  x.next({ body: { data: { id: 42, valid: 'true' } } })
  t.same(await client.webhooks.create('https://example.com/hook'), { id: '42', url: 'https://example.com/hook', valid: true, createdAt: undefined })
  x.next({ body: { data: { id: '1', url: 'https://example.com/a', valid: 'maybe', created_at: 'not a date' } } })
  t.same(await client.webhooks.create('https://example.com/a'), { id: '1', url: 'https://example.com/a', valid: false, createdAt: undefined })
  x.next({ body: { meta: { result_count: 0 } } })
  t.same(await client.webhooks.list(), [], 'X leaves data out when there are no webhooks')
  x.next({ body: { data: { links: [] } } })
  await t.rejects(client.webhooks.list(), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /GET \/2\/webhooks.*no webhook list/ })
  x.next({ body: { data: [{ id: '1' }] } })
  await t.rejects(client.webhooks.list(), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no webhook url/ })
  x.next({ body: { data: ['1'] } })
  await t.rejects(client.webhooks.list(), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no webhook id/ })
  x.next({ body: [] })
  await t.rejects(client.webhooks.list(), { code: 'FST_XWH_UNEXPECTED_RESPONSE' })
})

t.test('validate: older answers', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  x.next({ body: { data: { attempted: false } } })
  t.same(await client.webhooks.validate(WEBHOOK_ID), { valid: false }, 'a CRC that did not run leaves the webhook invalid')
  x.next({ body: { data: { attempted: true } } }, { body: { data: [{ id: WEBHOOK_ID, url: 'https://example.com/webhooks/x', valid: false }] } })
  t.same(await client.webhooks.validate(WEBHOOK_ID), { valid: false }, 'the list says whether the CRC passed')
  x.next({ body: { data: { attempted: true } } }, { body: { data: [] } })
  t.same(await client.webhooks.validate(WEBHOOK_ID), { valid: false }, 'a webhook no longer listed is not valid')
  x.next({ body: { data: {} } })
  await t.rejects(client.webhooks.validate(WEBHOOK_ID), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no valid or attempted/ })
})

t.test('delete and replay: answers without what they promise', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  x.next({ body: { data: {} } })
  await t.rejects(client.webhooks.delete(WEBHOOK_ID), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no deleted/ })
  x.next({ body: { data: { created_at: CREATED_AT } } })
  const now = Date.now()
  await t.rejects(client.webhooks.replay({ webhookId: WEBHOOK_ID, from: new Date(now - 10 * MINUTE), to: new Date(now - 5 * MINUTE) }), {
    code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no job_id/
  })
})

t.test('webhook URLs are checked against X\'s rules before anything is sent', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  const refused: Array<[unknown, RegExp]> = [
    [undefined, /non-empty string/],
    ['', /non-empty string/],
    [42, /non-empty string/],
    [' https://example.com/x', /white space/],
    ['https://example.com/x\n', /white space/],
    ['https://exam\tple.com/x', /white space or control characters/],
    ['https://example.com/a b', /write a space in a path as %20/],
    ['https://example.com/\u0000', /control characters/],
    [`https://example.com/${'a'.repeat(181)}`, /at most 200 characters.*201/],
    ['example.com/webhooks', /not an absolute URL/],
    ['/webhooks/x', /not an absolute URL/],
    ['http://example.com/webhooks/x', /only calls https.*http:.*allowInsecureUrl: true/],
    ['ftp://example.com/webhooks/x', /only calls https.*ftp:/],
    ['https://user:pass@example.com/x', /credentials/],
    ['https://user@example.com/x', /credentials/],
    ['https://example.com/x#part', /fragment/],
    ['https://example.com:8443/x', /port.*example\.com:8443/],
    ['https://example.com:443/x', /port/],
    ['https://example.com:/x', /port/],
    ['https://[2001:db8::1]:8443/x', /port/],
    ['https:example.com:443/x', /port/],
    ['https:\\\\example.com:443\\x', /port/],
    ['https://example.com:443', /port/],
    ['https://localhost/x', /cannot reach localhost/],
    ['https://api.localhost/x', /cannot reach/],
    ['https://127.0.0.1/x', /cannot reach/],
    ['https://10.1.2.3/x', /cannot reach/],
    ['https://172.16.0.1/x', /cannot reach/],
    ['https://172.31.255.1/x', /cannot reach/],
    ['https://192.168.1.1/x', /cannot reach/],
    ['https://169.254.169.254/x', /cannot reach/],
    ['https://0.0.0.0/x', /cannot reach/],
    ['https://[::1]/x', /cannot reach/],
    ['https://[fd00::1]/x', /cannot reach/],
    ['https://[fe80::1]/x', /cannot reach/]
  ]
  for (const [url, message] of refused) {
    await t.rejects(client.webhooks.create(url as string), { code: 'FST_XWH_INVALID_REQUEST', name: 'FastifyError', message }, JSON.stringify(url))
  }
  t.equal(x.seen.length, 0, 'nothing was sent')

  for (const url of [
    'https://example.com/webhooks/x?app=1', `https://example.com/${'a'.repeat(180)}`, 'https://172.32.0.1/x', 'https://[2001:db8::1]/x',
    'https://11.0.0.1/x', 'https://169.1.1.1/x', 'https://192.169.0.1/x', 'https://example.com'
  ]) {
    await client.webhooks.create(url)
  }
  t.equal(x.seen.length, 8)
})

t.test('allowInsecureUrl accepts the emulator\'s http://127.0.0.1:PORT receivers, and nothing looser', async (t) => {
  const x = await standIn(t)
  const client = x.client({ allowInsecureUrl: true })
  for (const url of ['http://127.0.0.1:3000/webhooks/x', 'https://localhost:8443/x', 'http://[::1]:80/x']) {
    t.equal((await client.webhooks.create(url)).url, url)
  }
  await t.rejects(client.webhooks.create('ftp://127.0.0.1/x'), { code: 'FST_XWH_INVALID_REQUEST', message: /ftp:; serve the webhook over https$/ })
  await t.rejects(client.webhooks.create('http://u:p@127.0.0.1:3000/x'), { code: 'FST_XWH_INVALID_REQUEST', message: /credentials/ })
  await t.rejects(client.webhooks.create(`http://127.0.0.1:3000/${'a'.repeat(200)}`), { code: 'FST_XWH_INVALID_REQUEST', message: /200/ })
})

t.test('ids are checked before anything is sent', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  const bad: unknown[] = ['', '../2/webhooks', 'a b', '1/2', Number('1146654567674912769'), undefined, null, 'x'.repeat(65)]
  for (const id of bad) {
    await t.rejects(client.webhooks.delete(id as string), { code: 'FST_XWH_INVALID_REQUEST', message: /invalid id: expected an id as X returns it/ }, String(id))
    await t.rejects(client.webhooks.validate(id as string), { code: 'FST_XWH_INVALID_REQUEST' })
  }
  await t.rejects(client.webhooks.delete(Number('1146654567674912769') as unknown as string), { message: /the number .* keep them as strings/ })
  t.equal(x.seen.length, 0)
})
