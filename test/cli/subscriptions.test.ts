import t from 'tap'
import { BEARER, cli, standIn } from './helpers.js'

const WEBHOOK = '1146654567674912769'
const AAA = `/2/account_activity/webhooks/${WEBHOOK}/subscriptions`
const OAUTH1 = ['--consumer-key', 'ck', '--consumer-secret', 'cs', '--access-token', 'at', '--access-token-secret', 'ats']

t.test('aaa subscribe: with the user\'s OAuth 2.0 token from X_USER_TOKEN, no bearer token needed', async (t) => {
  const x = await standIn(t)
  const result = await cli(['subscriptions', 'aaa', 'subscribe', WEBHOOK, '--base-url', x.url], { X_USER_TOKEN: 'user-token' })
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout, `Subscribed the user to webhook ${WEBHOOK}.\n`)
  t.match(x.requests, [{ method: 'POST', path: `${AAA}/all`, body: {}, authorization: 'Bearer user-token' }])
  const json = await cli(['subscriptions', 'aaa', 'subscribe', WEBHOOK, '--json', '--user-token', 'flag-token', ...x.args], { X_USER_TOKEN: 'user-token' })
  t.same(json.json(), { subscribed: true })
  t.equal(x.requests[1]?.authorization, 'Bearer flag-token', 'the flag wins')
})

t.test('aaa subscribe: OAuth 1.0a from flags, or from the environment', async (t) => {
  const x = await standIn(t)
  t.equal((await cli(['subscriptions', 'aaa', 'subscribe', WEBHOOK, ...OAUTH1, ...x.args], { X_USER_TOKEN: 'ignored: OAuth 1.0a flags given' })).code, 0)
  const env = { X_CONSUMER_KEY: 'ck', X_CONSUMER_SECRET: 'cs', X_ACCESS_TOKEN: 'at', X_ACCESS_TOKEN_SECRET: 'ats' }
  t.equal((await cli(['subscriptions', 'aaa', 'subscribe', WEBHOOK, ...x.args], env)).code, 0)
  for (const request of x.requests) {
    t.match(request.authorization, /^OAuth .*oauth_consumer_key="ck".*oauth_token="at"/)
  }
})

t.test('aaa subscribe: no user context, or OAuth 1.0a with values missing, is a usage error naming them', async (t) => {
  const x = await standIn(t)
  const none = await cli(['subscriptions', 'aaa', 'subscribe', WEBHOOK, ...x.args])
  t.equal(none.code, 2)
  t.equal(none.stderr, 'error: this needs the user\'s own token: --user-token (X_USER_TOKEN) for OAuth 2.0, or for OAuth 1.0a also ' +
    '--consumer-key (X_CONSUMER_KEY), --consumer-secret (X_CONSUMER_SECRET), --access-token (X_ACCESS_TOKEN), --access-token-secret (X_ACCESS_TOKEN_SECRET)\n' +
    'hint: see x-webhooks subscriptions aaa subscribe --help\n')
  const partial = await cli(['subscriptions', 'aaa', 'check', WEBHOOK, '--access-token', 'at', ...x.args], { X_CONSUMER_SECRET: 'cs', X_USER_TOKEN: 'u' })
  t.equal(partial.code, 2)
  t.match(partial.stderr, /for OAuth 1\.0a also --consumer-key \(X_CONSUMER_KEY\), --access-token-secret \(X_ACCESS_TOKEN_SECRET\)\n/)
  t.same(x.requests, [])
})

t.test('aaa subscribe: X says not subscribed (exit 1), or fails (exit 1 with a hint)', async (t) => {
  const x = await standIn(t)
  x.answer(`POST ${AAA}/all`, [200, { data: { subscribed: false } }])
  const no = await cli(['subscriptions', 'aaa', 'subscribe', WEBHOOK, '--user-token', 'u', ...x.args])
  t.equal(no.code, 1)
  t.equal(no.stdout, `X did not subscribe the user to webhook ${WEBHOOK}.\n`)
  x.answer(`POST ${AAA}/all`, [409, { title: 'Conflict', detail: 'DuplicateSubscriptionFailed' }])
  const duplicate = await cli(['subscriptions', 'aaa', 'subscribe', WEBHOOK, '--user-token', 'u', ...x.args])
  t.equal(duplicate.code, 1)
  t.match(duplicate.stderr, /hint: the user is subscribed already: x-webhooks subscriptions aaa check WEBHOOK_ID\n$/)
})

t.test('aaa check: exit 0 when subscribed, 1 when not', async (t) => {
  const x = await standIn(t)
  const yes = await cli(['subscriptions', 'aaa', 'check', WEBHOOK, '--user-token', 'u', ...x.args])
  t.equal(yes.code, 0)
  t.equal(yes.stdout, `The user is subscribed to webhook ${WEBHOOK}.\n`)
  t.match(x.requests, [{ method: 'GET', path: `${AAA}/all`, authorization: 'Bearer u' }])
  x.answer(`GET ${AAA}/all`, [404, { title: 'Not Found', detail: 'SubscriptionNotFound' }])
  const no = await cli(['subscriptions', 'aaa', 'check', WEBHOOK, '--user-token', 'u', '--json', ...x.args])
  t.equal(no.code, 1)
  t.same(no.json(), { subscribed: false })
  x.answer(`GET ${AAA}/all`, [200, { data: { subscribed: false } }])
  t.equal((await cli(['subscriptions', 'aaa', 'check', WEBHOOK, '--user-token', 'u', ...x.args])).stdout, `The user is not subscribed to webhook ${WEBHOOK}.\n`)
})

t.test('aaa list WEBHOOK_ID: the subscribed users, with the app\'s token', async (t) => {
  const x = await standIn(t)
  const result = await cli(['subscriptions', 'aaa', 'list', WEBHOOK, ...x.args])
  t.equal(result.code, 0)
  t.equal(result.stdout, `Webhook ${WEBHOOK} (https://example.com/webhooks/x): 2 subscribed user(s)\n2244994945\n783214\n`)
  t.match(x.requests, [{ method: 'GET', path: `${AAA}/all/list`, authorization: `Bearer ${BEARER}` }])
  const json = await cli(['subscriptions', 'aaa', 'list', WEBHOOK, '--json', ...x.args])
  t.same(json.json(), { applicationId: '29002184', webhookId: WEBHOOK, webhookUrl: 'https://example.com/webhooks/x', userIds: ['2244994945', '783214'] })
  x.answer(`GET ${AAA}/all/list`, [200, { data: { webhook_id: WEBHOOK, subscriptions: [] } }])
  t.equal((await cli(['subscriptions', 'aaa', 'list', WEBHOOK, ...x.args])).stdout, `Webhook ${WEBHOOK}: 0 subscribed user(s)\n`)
})

t.test('aaa unsubscribe WEBHOOK_ID --user-id U', async (t) => {
  const x = await standIn(t)
  const result = await cli(['subscriptions', 'aaa', 'unsubscribe', WEBHOOK, '--user-id', '2244994945', ...x.args])
  t.equal(result.code, 0)
  t.equal(result.stdout, `Unsubscribed user 2244994945 from webhook ${WEBHOOK}.\n`)
  t.match(x.requests, [{ method: 'DELETE', path: `${AAA}/2244994945/all`, authorization: `Bearer ${BEARER}` }])
  x.answer(`DELETE ${AAA}/2244994945/all`, [200, { data: { subscribed: true } }])
  const still = await cli(['subscriptions', 'aaa', 'unsubscribe', WEBHOOK, '--user-id', '2244994945', ...x.args])
  t.equal(still.code, 1)
  t.equal(still.stdout, `User 2244994945 is still subscribed to webhook ${WEBHOOK}.\n`)
  const missing = await cli(['subscriptions', 'aaa', 'unsubscribe', WEBHOOK, ...x.args])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /^error: missing --user-id USER_ID\n/)
})

t.test('aaa count', async (t) => {
  const x = await standIn(t)
  const result = await cli(['subscriptions', 'aaa', 'count', ...x.args])
  t.equal(result.code, 0)
  t.equal(result.stdout, '3 subscription(s), 1 with direct messages, of 50 provisioned.\n')
  t.match(x.requests, [{ method: 'GET', path: '/2/account_activity/subscriptions/count' }])
  const json = await cli(['subscriptions', 'aaa', 'count', '--json', ...x.args])
  t.match(json.json(), { subscriptionsCountAll: 3, subscriptionsCountDirectMessages: 1, provisionedCount: 50, applicationId: '29002184' })
  x.answer('GET /2/account_activity/subscriptions/count', [200, { data: { subscriptions_count_all: '0' } }])
  t.equal((await cli(['subscriptions', 'aaa', 'count', ...x.args])).stdout, '0 subscription(s).\n')
})

t.test('xaa create: a user filter, the tag and webhook, the body X documents', async (t) => {
  const x = await standIn(t)
  const result = await cli(['subscriptions', 'xaa', 'create', '--event-type', 'follow.follow', '--user-id', '2244994945', '--tag', 'follows', '--webhook-id', WEBHOOK, ...x.args])
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout, `Created subscription 1917566233347698688  follow.follow  {"user_id":"2244994945"}  tag=follows  webhook=${WEBHOOK}\n`)
  t.match(x.requests, [{
    method: 'POST',
    path: '/2/activity/subscriptions',
    authorization: `Bearer ${BEARER}`,
    body: { event_type: 'follow.follow', filter: { user_id: '2244994945' }, tag: 'follows', webhook_id: WEBHOOK }
  }])
})

t.test('xaa create: a keyword with a direction, a private type with the user\'s token, --json', async (t) => {
  const x = await standIn(t)
  const result = await cli(['subscriptions', 'xaa', 'create', '--event-type', 'dm.received', '--keyword', 'fastify', '--direction', 'inbound', '--json', ...x.args], { X_USER_TOKEN: 'user-token' })
  t.equal(result.code, 0, result.stderr)
  t.match(result.json(), { subscriptionId: '1917566233347698688', eventType: 'dm.received', filter: { keyword: 'fastify', direction: 'inbound' }, createdAt: '2026-01-31T12:00:00.000Z' })
  t.match(x.requests, [{ authorization: 'Bearer user-token', body: { event_type: 'dm.received', filter: { keyword: 'fastify', direction: 'inbound' } } }])
  t.notOk('tag' in (x.requests[0]?.body as object))
})

t.test('xaa create: usage errors (filters, direction, event type), nothing sent', async (t) => {
  const x = await standIn(t)
  const cases: Array<[string[], RegExp]> = [
    [['--user-id', '1'], /^error: missing --event-type TYPE\n/],
    [['--event-type', 'follow.follow'], /^error: give exactly one filter: --user-id USER_ID or --keyword KEYWORD\n/],
    [['--event-type', 'follow.follow', '--user-id', '1', '--keyword', 'k'], /give exactly one filter/],
    [['--event-type', 'dm.received', '--user-id', '1', '--direction', 'sideways'], /invalid filter\.direction: expected "inbound" or "outbound"/]
  ]
  for (const [args, stderr] of cases) {
    const result = await cli(['subscriptions', 'xaa', 'create', ...args, ...x.args])
    t.equal(result.code, 2, args.join(' '))
    t.match(result.stderr, stderr, args.join(' '))
  }
  t.same(x.requests, [])
})

t.test('xaa list: every page, one line each; --max-results is the page size', async (t) => {
  const x = await standIn(t)
  const result = await cli(['subscriptions', 'xaa', 'list', '--max-results', '2', ...x.args])
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout, [
    `1  follow.follow  {"user_id":"2244994945"}  tag=follows  webhook=${WEBHOOK}`,
    '2  follow.follow  {"user_id":"2244994945"}',
    `3  news.new  {"keyword":"fastify"}  tag=follows  webhook=${WEBHOOK}`,
    ''
  ].join('\n'))
  t.match(x.requests, [
    { method: 'GET', path: '/2/activity/subscriptions', query: { max_results: '2' } },
    { method: 'GET', path: '/2/activity/subscriptions', query: { max_results: '2', pagination_token: 'page-2' } }
  ])
  const json = await cli(['subscriptions', 'xaa', 'list', '--json', ...x.args])
  t.same(json.json().map((item: { subscriptionId: string }) => item.subscriptionId), ['1', '2', '3'])
  t.notOk('max_results' in (x.requests[2]?.query as object))
  x.answer('GET /2/activity/subscriptions', [200, { meta: { total_subscriptions: 0 } }])
  t.equal((await cli(['subscriptions', 'xaa', 'list', ...x.args])).stdout, 'No subscriptions.\n')
})

t.test('xaa list: --max-results outside what X takes is refused', async (t) => {
  const x = await standIn(t)
  t.match((await cli(['subscriptions', 'xaa', 'list', '--max-results', '0', ...x.args])).stderr, /--max-results must be a positive whole number, not "0"/)
  const tooMany = await cli(['subscriptions', 'xaa', 'list', '--max-results', '5000', ...x.args])
  t.equal(tooMany.code, 2)
  t.match(tooMany.stderr, /maxResults/)
  t.same(x.requests, [])
})

t.test('xaa update ID: the tag, the webhook; nothing to change is a usage error', async (t) => {
  const x = await standIn(t)
  const result = await cli(['subscriptions', 'xaa', 'update', '42', '--tag', 'vip', ...x.args])
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout, `Updated subscription 42  follow.follow  {"user_id":"2244994945"}  tag=vip  webhook=${WEBHOOK}\n`)
  t.match(x.requests, [{ method: 'PUT', path: '/2/activity/subscriptions/42', body: { tag: 'vip' } }])
  const json = await cli(['subscriptions', 'xaa', 'update', '42', '--webhook-id', '7', '--json', ...x.args])
  t.match(json.json(), { subscriptionId: '42', webhookId: '7' })
  t.same(x.requests[1]?.body, { webhook_id: '7' })
  const nothing = await cli(['subscriptions', 'xaa', 'update', '42', ...x.args])
  t.equal(nothing.code, 2)
  t.match(nothing.stderr, /^error: nothing to change: give --tag TAG, --webhook-id ID or both\n/)
})

t.test('xaa delete ID: one id, or several in one request', async (t) => {
  const x = await standIn(t)
  const one = await cli(['subscriptions', 'xaa', 'delete', '42', ...x.args])
  t.equal(one.code, 0)
  t.equal(one.stdout, 'Deleted subscription 42.\n')
  const many = await cli(['subscriptions', 'xaa', 'delete', '42', '43', ...x.args])
  t.equal(many.code, 0)
  t.equal(many.stdout, 'Deleted subscriptions 42, 43.\n')
  t.match(x.requests, [
    { method: 'DELETE', path: '/2/activity/subscriptions/42' },
    { method: 'DELETE', path: '/2/activity/subscriptions', query: { ids: '42,43' } }
  ])
  const none = await cli(['subscriptions', 'xaa', 'delete', ...x.args])
  t.equal(none.code, 2)
  t.match(none.stderr, /^error: missing ID\n/)
})

t.test('xaa delete: what X did not delete, and why (exit 1)', async (t) => {
  const x = await standIn(t)
  x.answer('DELETE /2/activity/subscriptions/42', [200, { data: { deleted: false } }])
  const one = await cli(['subscriptions', 'xaa', 'delete', '42', ...x.args])
  t.equal(one.code, 1)
  t.equal(one.stdout, 'X did not delete subscription 42.\n')
  x.answer('DELETE /2/activity/subscriptions', [200, {
    data: [{ subscription_id: '42', deleted: true }, { subscription_id: '43', deleted: false }],
    errors: [{ subscription_id: '44', reason: 'SubscriptionNotFound', message: 'no such subscription' }, { title: 'Something else' }]
  }])
  const many = await cli(['subscriptions', 'xaa', 'delete', '42', '43', '44', ...x.args])
  t.equal(many.code, 1)
  t.equal(many.stdout, [
    'X did not delete every subscription of 42, 43, 44:',
    '  43: not deleted',
    '  44: SubscriptionNotFound: no such subscription',
    '  (no id)',
    ''
  ].join('\n'))
  x.answer('DELETE /2/activity/subscriptions', [200, { data: { deleted: true } }])
  const json = await cli(['subscriptions', 'xaa', 'delete', '42', '43', '--json', ...x.args])
  t.same(json.json(), { deleted: true, results: [], errors: [] })
})
