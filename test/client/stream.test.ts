import t from 'tap'
import { BEARER, CREATED_AT, LINK, WEBHOOK_ID, standIn, type Shape } from './stand-in.js'

const TYPED_LINK = {
  webhookId: WEBHOOK_ID,
  applicationId: '29884567',
  businessUserId: '1111111111111111111',
  instanceId: '1780000000000000000',
  createdAt: new Date(CREATED_AT),
  fields: LINK.fields
}

for (const shape of ['current', 'other'] as Shape[]) {
  t.test(`${shape} shapes: Filtered Stream links`, async (t) => {
    const x = await standIn(t, shape)
    const client = x.client()
    t.same(await client.stream.link(WEBHOOK_ID, { 'tweet.fields': ['created_at', 'author_id'], expansions: ['author_id'], 'user.fields': ['username'] }), { provisioned: true })
    t.same(await client.stream.link(WEBHOOK_ID), { provisioned: true })
    t.same(await client.stream.listLinks(), [TYPED_LINK])
    t.same(await client.stream.unlink(WEBHOOK_ID), { deleted: true })
    t.same(x.seen.map(({ method, url, body }) => ({ method, url, body })), [
      { method: 'POST', url: `/2/tweets/search/webhooks/${WEBHOOK_ID}?tweet.fields=created_at%2Cauthor_id&expansions=author_id&user.fields=username`, body: undefined },
      { method: 'POST', url: `/2/tweets/search/webhooks/${WEBHOOK_ID}`, body: undefined },
      { method: 'GET', url: '/2/tweets/search/webhooks', body: undefined },
      { method: 'DELETE', url: `/2/tweets/search/webhooks/${WEBHOOK_ID}`, body: undefined }
    ])
    t.same(x.seen[0]?.query, { 'tweet.fields': 'created_at,author_id', expansions: 'author_id', 'user.fields': 'username' })
    for (const seen of x.seen) t.equal(seen.authorization, `Bearer ${BEARER}`)
  })
}

t.test('links in other spellings', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  x.next({ body: { data: [{ webhook_id: 5, extra_info: { nested_name: 1 } }] } })
  t.same(await client.stream.listLinks(), [{ webhookId: '5', extraInfo: { nested_name: 1 }, createdAt: undefined }], 'top-level names in camelCase, nested ones as sent')
  x.next({ body: { data: { links: [] } } })
  t.same(await client.stream.listLinks(), [])
  x.next({ body: {} })
  t.same(await client.stream.listLinks(), [])
  x.next({ body: { data: ['nope'] } })
  await t.rejects(client.stream.listLinks(), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no webhook_id/ })
  x.next({ body: { data: { link: [] } } })
  await t.rejects(client.stream.listLinks(), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no stream links/ })
  x.next({ body: { data: { provisioned: 1 } } })
  await t.rejects(client.stream.link(WEBHOOK_ID), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no provisioned/ })
  x.next({ body: { data: {} } })
  await t.rejects(client.stream.unlink(WEBHOOK_ID), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no deleted/ })
})

t.test('link parameters are checked before anything is sent', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  const bad: Array<[unknown, RegExp]> = [
    ['tweet.fields=id', /invalid params: expected \{ expansions\?/],
    [null, /invalid params/],
    [{ fields: ['id'] }, /takes expansions and \*\.fields parameters, not "fields"/],
    [{ 'Tweet.Fields': ['id'] }, /not "Tweet\.Fields"/],
    [{ 'tweet.fields': 'id,text' }, /invalid params\["tweet\.fields"\]: expected a non-empty list of names/],
    [{ 'tweet.fields': [] }, /params\["tweet\.fields"\]/],
    [{ expansions: ['author_id,entities'] }, /params\["expansions"\]/],
    [{ expansions: [''] }, /params\["expansions"\]/],
    [{ expansions: [1] }, /params\["expansions"\]/]
  ]
  for (const [params, message] of bad) {
    await t.rejects(client.stream.link(WEBHOOK_ID, params as never), { code: 'FST_XWH_INVALID_REQUEST', message }, JSON.stringify(params))
  }
  await t.rejects(client.stream.link('12 3'), { code: 'FST_XWH_INVALID_REQUEST', message: /webhookId/ })
  await t.rejects(client.stream.unlink(''), { code: 'FST_XWH_INVALID_REQUEST', message: /webhookId/ })
  t.equal(x.seen.length, 0)
})
