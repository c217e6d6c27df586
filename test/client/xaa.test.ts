import t from 'tap'
import type { XaaSubscription } from '../../lib/client/index.js'
import { BEARER, CREATED_AT, OAUTH1, OAUTH2, WEBHOOK_ID, standIn, subscription, type Shape } from './stand-in.js'

function typed (n: number, extra: Partial<XaaSubscription> = {}): XaaSubscription {
  return {
    subscriptionId: `190000000000000000${n}`,
    eventType: 'follow.follow',
    filter: { user_id: '2244994945', direction: 'inbound' },
    tag: `tag-${n}`,
    webhookId: WEBHOOK_ID,
    createdAt: new Date(CREATED_AT),
    updatedAt: new Date('2025-01-16T08:30:00.000Z'),
    ...extra
  }
}

for (const shape of ['current', 'other'] as Shape[]) {
  t.test(`${shape} shapes: XAA subscriptions`, async (t) => {
    const x = await standIn(t, shape)
    const client = x.client()

    const input = { eventType: 'profile.update.bio', filter: { user_id: '2244994945' }, tag: 'bios', webhookId: WEBHOOK_ID }
    t.same(await client.xaa.createSubscription(input), typed(9, { eventType: 'profile.update.bio', filter: { user_id: '2244994945' }, tag: 'bios' }))

    const pages: XaaSubscription[][] = []
    for await (const page of client.xaa.listSubscriptions({ maxResults: 2 })) pages.push(page)
    t.same(pages, [[typed(1), typed(2)], [typed(3), typed(4)], [typed(5)]], 'every page, following next_token')

    t.same(await client.xaa.updateSubscription('1900000000000000001', { tag: 'renamed' }), typed(1, { tag: 'renamed' }))
    t.same(await client.xaa.deleteSubscription('1900000000000000001'), { deleted: true })
    const many = await client.xaa.deleteSubscriptions(['1900000000000000002', '1900000000000000003'])
    t.same(many, shape === 'current'
      ? { deleted: true, results: [{ subscriptionId: '1900000000000000002', deleted: true }, { subscriptionId: '1900000000000000003', deleted: true }], errors: [] }
      : { deleted: true, results: [], errors: [] })

    t.same(x.seen.map(({ method, url, body }) => ({ method, url, body })), [
      { method: 'POST', url: '/2/activity/subscriptions', body: { event_type: 'profile.update.bio', filter: { user_id: '2244994945' }, tag: 'bios', webhook_id: WEBHOOK_ID } },
      { method: 'GET', url: '/2/activity/subscriptions?max_results=2', body: undefined },
      { method: 'GET', url: '/2/activity/subscriptions?max_results=2&pagination_token=pagination-token-0002', body: undefined },
      { method: 'GET', url: '/2/activity/subscriptions?max_results=2&pagination_token=pagination-token-0004', body: undefined },
      { method: 'PUT', url: '/2/activity/subscriptions/1900000000000000001', body: { tag: 'renamed' } },
      { method: 'DELETE', url: '/2/activity/subscriptions/1900000000000000001', body: undefined },
      { method: 'DELETE', url: '/2/activity/subscriptions?ids=1900000000000000002%2C1900000000000000003', body: undefined }
    ])
    for (const seen of x.seen) t.equal(seen.authorization, `Bearer ${BEARER}`)
  })
}

t.test('createSubscription: X\'s filter sent unchanged; a private event type with the user\'s OAuth 2.0 token', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  await client.xaa.createSubscription({ eventType: 'dm.received', filter: { user_id: '2244994945', direction: 'outbound' } }, OAUTH2)
  await client.xaa.createSubscription({ eventType: 'news.new', filter: { keyword: 'fastify' } })
  t.same(x.seen.map(({ body, authorization }) => ({ body, authorization })), [
    { body: { event_type: 'dm.received', filter: { user_id: '2244994945', direction: 'outbound' } }, authorization: 'Bearer user-oauth2-token' },
    { body: { event_type: 'news.new', filter: { keyword: 'fastify' } }, authorization: `Bearer ${BEARER}` }
  ])
  await t.rejects(client.xaa.createSubscription({ eventType: 'dm.received', filter: { user_id: '1' } }, OAUTH1 as never), {
    code: 'FST_XWH_INVALID_REQUEST', message: /OAuth 2.0 user token/
  })
  await t.rejects(client.xaa.createSubscription({ eventType: 'dm.received', filter: { user_id: '1' } }, { userAccessToken: '' }), {
    code: 'FST_XWH_INVALID_REQUEST', message: /userAccessToken/
  })
  t.equal(x.seen.length, 2)
})

t.test('subscription input is checked before anything is sent', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  const filter = { user_id: '2244994945' }
  const bad: Array<[unknown, RegExp]> = [
    [undefined, /invalid subscription: expected \{ eventType, filter/],
    [{ filter }, /invalid eventType: expected X's event type/],
    [{ eventType: '', filter }, /eventType/],
    [{ eventType: ' follow.follow', filter }, /eventType/],
    [{ eventType: 'follow.follow' }, /invalid filter: expected X's filter object/],
    [{ eventType: 'follow.follow', filter: [] }, /invalid filter/],
    [{ eventType: 'follow.follow', filter: {} }, /exactly one of user_id and keyword$/],
    [{ eventType: 'follow.follow', filter: { user_id: '1', keyword: 'k' } }, /exactly one of user_id and keyword, not both/],
    [{ eventType: 'follow.follow', filter: { userId: '1' } }, /not userId; it is sent unchanged, in X's own names/],
    [{ eventType: 'follow.follow', filter: { user_id: 1 } }, /filter\.user_id/],
    [{ eventType: 'news.new', filter: { keyword: '' } }, /filter\.keyword: expected a non-empty string/],
    [{ eventType: 'dm.sent', filter: { user_id: '1', direction: 'both' } }, /filter\.direction: expected "inbound" or "outbound", got "both"/],
    [{ eventType: 'follow.follow', filter, tag: '' }, /invalid tag: expected a string of 1 to 200 characters/],
    [{ eventType: 'follow.follow', filter, tag: 't'.repeat(201) }, /invalid tag/],
    [{ eventType: 'follow.follow', filter, tag: 5 }, /invalid tag/],
    [{ eventType: 'follow.follow', filter, webhookId: 'hook 1' }, /invalid webhookId/]
  ]
  for (const [input, message] of bad) {
    await t.rejects(client.xaa.createSubscription(input as never), { code: 'FST_XWH_INVALID_REQUEST', message }, JSON.stringify(input))
  }

  const changes: Array<[unknown, RegExp]> = [
    [undefined, /invalid changes: X can change a subscription's tag and webhookId: give at least one/],
    [{}, /give at least one/],
    [{ tag: '' }, /invalid tag/],
    [{ webhookId: '1.5' }, /invalid webhookId/]
  ]
  for (const [change, message] of changes) {
    await t.rejects(client.xaa.updateSubscription('1', change as never), { code: 'FST_XWH_INVALID_REQUEST', message }, JSON.stringify(change))
  }
  await t.rejects(client.xaa.updateSubscription('../1', { tag: 'x' }), { code: 'FST_XWH_INVALID_REQUEST', message: /invalid id/ })
  await t.rejects(client.xaa.deleteSubscription(''), { code: 'FST_XWH_INVALID_REQUEST', message: /invalid id/ })

  const ids: Array<[unknown, RegExp]> = [
    [[], /invalid ids: X deletes 1 to 100 subscriptions at once; got 0: split larger lists into batches of 100/],
    [Array.from({ length: 101 }, (_, i) => String(i + 1)), /got 101/],
    ['1,2', /got no array/],
    [['1', 'two,3'], /invalid ids\[1\]/],
    [['1', 2], /invalid ids\[1\].*the number 2/]
  ]
  for (const [list, message] of ids) {
    await t.rejects(client.xaa.deleteSubscriptions(list as never), { code: 'FST_XWH_INVALID_REQUEST', message }, JSON.stringify(list))
  }

  for (const maxResults of [0, 1001, 2.5, '10']) {
    const pages = client.xaa.listSubscriptions({ maxResults: maxResults as number })
    await t.rejects(async () => { for await (const page of pages) t.fail(`no page expected, got ${page.length}`) }, {
      code: 'FST_XWH_INVALID_REQUEST', message: /maxResults: expected a whole number from 1 to 1000/
    }, `maxResults ${String(maxResults)}: the first step rejects, before anything is sent`)
  }
  t.equal(x.seen.length, 0)

  await client.xaa.updateSubscription('1', { webhookId: WEBHOOK_ID })
  await client.xaa.deleteSubscriptions(Array.from({ length: 100 }, (_, i) => String(i + 1)))
  for await (const page of client.xaa.listSubscriptions({ maxResults: 1000 })) t.equal(page.length, 5)
  for await (const page of client.xaa.listSubscriptions()) t.equal(page.length, 5)
  t.same(x.seen.map((seen) => seen.query.max_results), [undefined, undefined, '1000', undefined])
  t.same(x.seen[0]?.body, { webhook_id: WEBHOOK_ID })
})

t.test('bulk delete: X\'s partial failures are in the answer, with X\'s reasons', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  x.next({
    body: {
      data: [{ subscription_id: '1', deleted: true }, { subscription_id: '2', deleted: false }],
      errors: [{ subscription_id: '2', reason: 'SubscriptionNotFound', message: 'No such subscription' }, { subscription_id: '3', detail: 'gone' }]
    }
  })
  t.same(await client.xaa.deleteSubscriptions(['1', '2', '3']), {
    deleted: false,
    results: [{ subscriptionId: '1', deleted: true }, { subscriptionId: '2', deleted: false }],
    errors: [
      { subscriptionId: '2', reason: 'SubscriptionNotFound', message: 'No such subscription' },
      { subscriptionId: '3', reason: undefined, message: 'gone' }
    ]
  })
  x.next({ body: { errors: [{ subscription_id: '1', reason: 'SubscriptionNotFound', message: 'No such subscription' }] } })
  t.same(await client.xaa.deleteSubscriptions(['1']), {
    deleted: false, results: [], errors: [{ subscriptionId: '1', reason: 'SubscriptionNotFound', message: 'No such subscription' }]
  }, 'only errors: nothing deleted')
  x.next({ body: { data: { deleted: true }, errors: [{ subscription_id: '2', reason: 'SubscriptionNotFound' }] } })
  t.match(await client.xaa.deleteSubscriptions(['1', '2']), { deleted: false, errors: [{ subscriptionId: '2', message: undefined }] })
  x.next({ body: { data: [{ subscription_id: '1', deleted: 'false' }, { subscription_id: '2' }] } })
  t.same(await client.xaa.deleteSubscriptions(['1', '2']), {
    deleted: false, results: [{ subscriptionId: '1', deleted: false }, { subscriptionId: '2', deleted: false }], errors: []
  })
  x.next({ body: { data: [] } })
  t.same(await client.xaa.deleteSubscriptions(['1']), { deleted: false, results: [], errors: [] }, 'nothing listed as deleted')
  x.next({ body: { data: ['1'] } })
  await t.rejects(client.xaa.deleteSubscriptions(['1']), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no subscription_id/ })
  x.next({ body: { data: {} } })
  await t.rejects(client.xaa.deleteSubscriptions(['1']), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no deleted/ })
  x.next({ raw: 'OK', headers: { 'content-type': 'text/plain' } })
  await t.rejects(client.xaa.deleteSubscriptions(['1']), { code: 'FST_XWH_UNEXPECTED_RESPONSE' })
})

t.test('subscriptions in other spellings', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  x.next({ body: { data: { id: 77, event_type: 'post.create', tag: 5, created_at: 'yesterday' } } })
  t.same(await client.xaa.createSubscription({ eventType: 'post.create', filter: { user_id: '1' } }), {
    subscriptionId: '77', eventType: 'post.create', filter: {}, tag: '5', webhookId: undefined, createdAt: undefined, updatedAt: undefined
  })
  x.next({ body: { data: { subscription: { event_type: 'post.create' } } } })
  await t.rejects(client.xaa.createSubscription({ eventType: 'post.create', filter: { user_id: '1' } }), {
    code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /POST \/2\/activity\/subscriptions succeeded but .*no subscription_id/
  })
  x.next({ body: { data: { subscription_id: '1' } } })
  await t.rejects(client.xaa.updateSubscription('1', { tag: 't' }), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no event_type/ })
  x.next({ body: { data: {} } })
  await t.rejects(client.xaa.deleteSubscription('1'), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no deleted/ })
})

t.test('pages: an empty list, no meta, non-object items, and a token X repeats', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  const pages = async (): Promise<unknown[]> => {
    const all: unknown[] = []
    for await (const page of client.xaa.listSubscriptions()) all.push(page)
    return all
  }
  x.next({ body: { meta: { result_count: 0 } } })
  t.same(await pages(), [[]], 'no data: one empty page')
  x.next({ body: { data: [subscription(1)] } })
  t.same(await pages(), [[typed(1)]], 'no meta: the last page')
  x.next({ body: { data: [subscription(1)], meta: { next_token: 'same-token-0000000' } } }, { body: { data: [subscription(2)], meta: { next_token: 'same-token-0000000' } } })
  t.same(await pages(), [[typed(1)], [typed(2)]], 'a repeated token ends the listing')
  x.next({ body: { data: [subscription(1)], meta: 'none' } })
  t.same(await pages(), [[typed(1)]])
  x.next({ body: { data: [7] } })
  await t.rejects(pages(), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no subscription_id/ })
  x.next({ status: 400, body: { title: 'Invalid Request', detail: 'The `pagination_token` query parameter value [x] is not valid', type: 'https://api.x.com/2/problems/invalid-request', reason: 'QueryParamInvalid' } })
  await t.rejects(pages(), { name: 'XApiError', status: 400, reason: 'QueryParamInvalid' })
})
