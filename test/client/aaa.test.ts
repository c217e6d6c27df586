import t from 'tap'
import { BEARER, OAUTH1, OAUTH2, WEBHOOK_ID, standIn, type Shape } from './stand-in.js'

const SUBSCRIPTIONS = `/2/account_activity/webhooks/${WEBHOOK_ID}/subscriptions`

for (const shape of ['current', 'other'] as Shape[]) {
  t.test(`${shape} shapes: AAA subscriptions, each with the auth X documents for it`, async (t) => {
    const x = await standIn(t, shape)
    const client = x.client()

    t.same(await client.aaa.subscribe(WEBHOOK_ID), { subscribed: true })
    t.equal(await client.aaa.isSubscribed(WEBHOOK_ID), true)
    t.same(await client.aaa.listSubscriptions(WEBHOOK_ID), {
      applicationId: '29884567', webhookId: WEBHOOK_ID, webhookUrl: 'https://example.com/webhooks/x', userIds: ['1111111111111111111', '2244994945']
    })
    t.same(await client.aaa.unsubscribe(WEBHOOK_ID, '2244994945'), { subscribed: false })
    t.same(await client.aaa.countSubscriptions(), {
      subscriptionsCountAll: 3,
      subscriptionsCountDirectMessages: 1,
      provisionedCount: 50,
      applicationId: shape === 'current' ? undefined : '29884567',
      accountName: 'my-account'
    })

    t.same(x.seen.map(({ method, url, body }) => ({ method, url, body })), [
      { method: 'POST', url: `${SUBSCRIPTIONS}/all`, body: {} },
      { method: 'GET', url: `${SUBSCRIPTIONS}/all`, body: undefined },
      { method: 'GET', url: `${SUBSCRIPTIONS}/all/list`, body: undefined },
      { method: 'DELETE', url: `${SUBSCRIPTIONS}/2244994945/all`, body: undefined },
      { method: 'GET', url: '/2/account_activity/subscriptions/count', body: undefined }
    ])
    // Subscribe and check act for the user, signed with OAuth 1.0a; the rest take the app's bearer token.
    for (const seen of x.seen.slice(0, 2)) {
      t.match(seen.authorization, /^OAuth /)
      t.equal(seen.oauth?.valid, true, `${seen.method} ${seen.url}: a valid HMAC-SHA1 signature`)
      t.match(seen.oauth?.params, {
        oauth_consumer_key: OAUTH1.consumerKey,
        oauth_token: OAUTH1.accessToken,
        oauth_signature_method: 'HMAC-SHA1',
        oauth_version: '1.0',
        oauth_nonce: /^\w{32}$/,
        oauth_timestamp: /^\d{10}$/
      })
    }
    t.not(x.seen[0]?.oauth?.params.oauth_nonce, x.seen[1]?.oauth?.params.oauth_nonce, 'a fresh nonce per request')
    for (const seen of x.seen.slice(2)) t.equal(seen.authorization, `Bearer ${BEARER}`)
  })
}

t.test('the user context can be an OAuth 2.0 user token, given per call or as the client\'s default', async (t) => {
  const x = await standIn(t)
  t.same(await x.client({ userAuth: OAUTH2 }).aaa.subscribe(WEBHOOK_ID), { subscribed: true })
  t.equal(await x.client({ userAuth: undefined }).aaa.isSubscribed(WEBHOOK_ID, OAUTH2), true)
  const other = { ...OAUTH1, accessToken: '2244994945-other' }
  await x.client().aaa.subscribe(WEBHOOK_ID, other)
  t.same(x.seen.map((seen) => seen.authorization?.replace(/^OAuth .*/, 'OAuth')), ['Bearer user-oauth2-token', 'Bearer user-oauth2-token', 'OAuth'])
  t.equal(x.seen[2]?.oauth?.params.oauth_token, '2244994945-other', 'the per-call user signs, not the client\'s')
})

t.test('subscribe and check need a user; a user\'s tokens are checked before anything is sent', async (t) => {
  const x = await standIn(t)
  const anonymous = x.client({ userAuth: undefined })
  await t.rejects(anonymous.aaa.subscribe(WEBHOOK_ID), { code: 'FST_XWH_INVALID_REQUEST', message: /userAuth: this endpoint acts for a user: pass the user's tokens/ })
  await t.rejects(anonymous.aaa.isSubscribed(WEBHOOK_ID), { code: 'FST_XWH_INVALID_REQUEST', message: /client's userAuth option/ })
  const bad: Array<[unknown, RegExp]> = [
    [null, /expected \{ userAccessToken \}/],
    ['token', /expected \{ userAccessToken \}/],
    [{}, /expected \{ userAccessToken \}/],
    [{ userAccessToken: '' }, /userAccessToken must be a non-empty string/],
    [{ userAccessToken: ' t' }, /white space/],
    [{ consumerKey: 'k', consumerSecret: 's' }, /missing or empty: accessToken, accessTokenSecret/],
    [{ ...OAUTH1, accessTokenSecret: '' }, /missing or empty: accessTokenSecret$/]
  ]
  for (const [userAuth, message] of bad) {
    await t.rejects(x.client().aaa.subscribe(WEBHOOK_ID, userAuth as never), { code: 'FST_XWH_INVALID_REQUEST', message }, JSON.stringify(userAuth))
  }
  await t.rejects(x.client().aaa.subscribe('not an id'), { code: 'FST_XWH_INVALID_REQUEST', message: /webhookId/ })
  await t.rejects(x.client().aaa.unsubscribe(WEBHOOK_ID, '12/all'), { code: 'FST_XWH_INVALID_REQUEST', message: /userId/ })
  await t.rejects(x.client().aaa.listSubscriptions(''), { code: 'FST_XWH_INVALID_REQUEST', message: /webhookId/ })
  t.equal(x.seen.length, 0)
})

t.test('isSubscribed: X\'s SubscriptionNotFound is false; other failures are errors', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  x.next({ status: 200, body: { data: { subscribed: false } } })
  t.equal(await client.aaa.isSubscribed(WEBHOOK_ID), false)
  x.next({ status: 404, body: { title: 'SubscriptionNotFound', detail: 'The user is not subscribed', type: 'https://api.x.com/2/problems/resource-not-found' } })
  t.equal(await client.aaa.isSubscribed(WEBHOOK_ID), false)
  x.next({ status: 404, body: { title: 'WebhookIdInvalid', detail: 'No such webhook', type: 'https://api.x.com/2/problems/resource-not-found' } })
  await t.rejects(client.aaa.isSubscribed(WEBHOOK_ID), { name: 'XApiError', status: 404, reason: 'WebhookIdInvalid' })
  x.next({ body: { data: {} } })
  await t.rejects(client.aaa.isSubscribed(WEBHOOK_ID), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no subscribed/ })
})

t.test('lists and counts in other spellings', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  x.next({ body: { data: { subscriptions: ['1', { user_id: 2 }, { nope: true }] } } })
  t.same(await client.aaa.listSubscriptions(WEBHOOK_ID), { applicationId: undefined, webhookId: WEBHOOK_ID, webhookUrl: undefined, userIds: ['1', '2'] })
  x.next({ body: { data: { webhook_id: WEBHOOK_ID } } })
  t.same((await client.aaa.listSubscriptions(WEBHOOK_ID)).userIds, [], 'no subscriptions listed')
  x.next({ body: { data: { subscriptions_count_all: 7, subscriptions_count_direct_messages: 'many' } } })
  t.same(await client.aaa.countSubscriptions(), {
    subscriptionsCountAll: 7, subscriptionsCountDirectMessages: undefined, provisionedCount: undefined, applicationId: undefined, accountName: undefined
  })
  x.next({ body: { data: { subscriptions_count_all: '' } } })
  await t.rejects(client.aaa.countSubscriptions(), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /no subscriptions_count_all/ })
  x.next({ body: { data: {} } })
  await t.rejects(client.aaa.subscribe(WEBHOOK_ID), { code: 'FST_XWH_UNEXPECTED_RESPONSE' })
  x.next({ body: { data: { subscribed: 'yes' } } })
  await t.rejects(client.aaa.unsubscribe(WEBHOOK_ID, '1'), { code: 'FST_XWH_UNEXPECTED_RESPONSE' })
})
