import t from 'tap'
import { XApiError } from '../../lib/client/index.js'
import { DEFAULT_USER_ID, USER_HEADER } from '../../lib/emulator/index.js'
import { emulator, receiver } from './helpers.js'

const reason = async (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(() => undefined, (error: XApiError) => error.reason)

t.test('AAA subscriptions through the client', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  t.equal(await x.client.aaa.isSubscribed(webhook.id), false)
  t.same(await x.client.aaa.subscribe(webhook.id), { subscribed: true })
  t.equal(await reason(x.client.aaa.subscribe(webhook.id)), 'DuplicateSubscriptionFailed')
  const oauth1 = { consumerKey: 'k', consumerSecret: 's', accessToken: 't', accessTokenSecret: 'ts' }
  t.equal(await x.client.aaa.isSubscribed(webhook.id, oauth1), true, 'OAuth 1.0a user context accepted')
  t.same(await x.client.aaa.listSubscriptions(webhook.id), { applicationId: '29884567', webhookId: webhook.id, webhookUrl: service.url, userIds: [DEFAULT_USER_ID] })
  const other = await x.x('POST', `/2/account_activity/webhooks/${webhook.id}/subscriptions/all`, {}, { authorization: 'Bearer user', [USER_HEADER]: '42' })
  t.same(other.body, { data: { subscribed: true } })
  t.match(await x.client.aaa.countSubscriptions(), { subscriptionsCountAll: 2, subscriptionsCountDirectMessages: 2, provisionedCount: 50 })
  const raw = await x.x('GET', '/2/account_activity/subscriptions/count')
  t.equal(raw.body.data.subscriptions_count_all, '2', 'counts as strings')
  t.same(await x.client.aaa.unsubscribe(webhook.id, '42'), { subscribed: false })
  t.equal(await reason(x.client.aaa.unsubscribe(webhook.id, '42')), 'SubscriptionNotFound')
  t.equal(await reason(x.client.aaa.listSubscriptions('123')), 'WebhookIdInvalid')
  const noAuth = await x.control('POST', `/2/account_activity/webhooks/${webhook.id}/subscriptions/all`, {})
  t.equal(noAuth.status, 401)
  await x.client.webhooks.delete(webhook.id)
  t.equal(await reason(x.client.aaa.isSubscribed(webhook.id)), 'WebhookIdInvalid')
})

t.test('XAA subscriptions through the client', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  const created = await x.client.xaa.createSubscription({ eventType: 'follow.follow', filter: { user_id: '1', direction: 'inbound' }, tag: 'f', webhookId: webhook.id })
  t.match(created, { eventType: 'follow.follow', filter: { user_id: '1', direction: 'inbound' }, tag: 'f', webhookId: webhook.id })
  t.ok(created.createdAt instanceof Date)
  t.equal(await reason(x.client.xaa.createSubscription({ eventType: 'follow.follow', filter: { user_id: '1', direction: 'inbound' }, webhookId: webhook.id })), 'DuplicateSubscriptionFailed')
  t.equal(await reason(x.client.xaa.createSubscription({ eventType: 'news.new', filter: { keyword: 'x' }, webhookId: '123' })), 'WebhookIdInvalid')
  for (let i = 0; i < 4; i++) await x.client.xaa.createSubscription({ eventType: 'news.new', filter: { keyword: `k${i}` } })
  const pages = []
  for await (const page of x.client.xaa.listSubscriptions({ maxResults: 2 })) pages.push(page.length)
  t.same(pages, [2, 2, 1])
  const updated = await x.client.xaa.updateSubscription(created.subscriptionId, { tag: 'g' })
  t.equal(updated.tag, 'g')
  t.equal(await reason(x.client.xaa.updateSubscription(created.subscriptionId, { webhookId: '123' })), 'WebhookIdInvalid')
  t.equal((await x.client.xaa.updateSubscription(created.subscriptionId, { webhookId: webhook.id })).webhookId, webhook.id)
  const unchanged = await x.x('PUT', `/2/activity/subscriptions/${created.subscriptionId}`)
  t.equal(unchanged.body.data.subscription.tag, 'g', 'a PUT without a body changes nothing')
  t.equal(await reason(x.client.xaa.updateSubscription('123', { tag: 'g' })), 'SubscriptionNotFound')
  t.same(await x.client.xaa.deleteSubscription(created.subscriptionId), { deleted: true })
  t.equal(await reason(x.client.xaa.deleteSubscription(created.subscriptionId)), 'SubscriptionNotFound')
  const ids: string[] = []
  for await (const page of x.client.xaa.listSubscriptions()) ids.push(...page.map((s) => s.subscriptionId))
  t.equal(ids.length, 4)
  t.same(await x.client.xaa.deleteSubscriptions(ids.slice(0, 2)), { deleted: true, results: ids.slice(0, 2).map((id) => ({ subscriptionId: id, deleted: true })), errors: [] })
  const partial = await x.client.xaa.deleteSubscriptions([ids[2]!, '404'])
  t.match(partial, { deleted: false, errors: [{ subscriptionId: '404', reason: 'SubscriptionNotFound' }] })
})

t.test('XAA refusals, as X answers them', async (t) => {
  const x = await emulator(t)
  const post = async (body?: unknown) => (await x.x('POST', '/2/activity/subscriptions', body)).body.reason
  t.equal(await post(), 'QueryParamInvalid')
  t.equal(await post({ event_type: 'x', filter: [] }), 'QueryParamInvalid')
  t.equal(await post({ event_type: 'x', filter: {} }), 'QueryParamInvalid')
  t.equal(await post({ event_type: 'x', filter: { user_id: '1', keyword: 'k' } }), 'QueryParamInvalid')
  for (const query of ['max_results=0', 'max_results=1001', 'max_results=x', 'pagination_token=9', 'pagination_token=x']) {
    t.equal((await x.x('GET', `/2/activity/subscriptions?${query}`)).body.reason, 'QueryParamInvalid', query)
  }
  t.equal((await x.x('DELETE', '/2/activity/subscriptions')).body.reason, 'QueryParamInvalid')
  t.equal((await x.x('DELETE', `/2/activity/subscriptions?ids=${Array(101).fill('1').join(',')}`)).body.reason, 'QueryParamInvalid')
  t.same((await x.x('GET', '/2/activity/subscriptions')).body, { data: [], meta: { result_count: 0, total_subscriptions: 0 } })
  t.equal((await x.x('PUT', '/2/activity/subscriptions/1')).body.reason, 'SubscriptionNotFound')
})

t.test('Filtered Stream links through the client', async (t) => {
  const x = await emulator(t)
  const service = await receiver(t)
  const webhook = await x.client.webhooks.create(service.url)
  t.same(await x.client.stream.link(webhook.id, { 'tweet.fields': ['created_at', 'author_id'], expansions: ['author_id'] }), { provisioned: true })
  const [link] = await x.client.stream.listLinks()
  t.match(link, { webhookId: webhook.id, applicationId: '29884567', fields: ['tweet.fields=created_at,author_id', 'expansions=author_id'] })
  t.ok(link?.createdAt instanceof Date)
  t.equal(await reason(x.client.stream.link('123')), 'WebhookIdInvalid')
  t.same(await x.client.stream.unlink(webhook.id), { deleted: true })
  t.same(await x.client.stream.unlink(webhook.id), { deleted: false })
  await x.client.stream.link(webhook.id)
  await x.client.webhooks.delete(webhook.id)
  t.same(await x.client.stream.listLinks(), [], 'a deleted webhook\'s link is gone')
})
