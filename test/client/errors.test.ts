import t from 'tap'
import { XApiError } from '../../lib/client/index.js'
import { reasonOf, X_REASONS } from '../../lib/client/errors.js'
import { WEBHOOK_ID, standIn } from './stand-in.js'

const PROBLEMS = 'https://api.x.com/2/problems'
const MINUTE = 60_000

t.test('every failure reason X documents becomes an XApiError to switch on, with a fix where one is known', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  const reset = Math.floor(Date.now() / 1000) + 600
  const rateHeaders = { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '449', 'x-rate-limit-reset': String(reset) }
  const now = Date.now()
  const replay = { webhookId: WEBHOOK_ID, from: new Date(now - 10 * MINUTE), to: new Date(now - 5 * MINUTE) }

  // Each reason as X might write it: a `reason` field, the problem's title, a `code`, or the start of a message.
  const cases: Array<{ call: () => Promise<unknown>, status: number, body: unknown, reason: string, type?: string, title?: string, detail?: string, fix: RegExp }> = [
    {
      call: () => client.webhooks.create('https://example.com/webhooks/x'),
      status: 400,
      body: { type: `${PROBLEMS}/invalid-request`, title: 'Invalid Request', detail: 'Non-200 response code during CRC GET', reason: 'CrcValidationFailed' },
      reason: 'CrcValidationFailed',
      type: `${PROBLEMS}/invalid-request`,
      title: 'Invalid Request',
      detail: 'Non-200 response code during CRC GET',
      fix: /X's CRC GET to your URL failed: check the URL answers GET \?crc_token=… .*\(x-webhooks crc-check URL\)/
    },
    {
      call: () => client.webhooks.create('https://example.com/webhooks/x'),
      status: 400,
      body: { type: `${PROBLEMS}/invalid-request`, title: 'UrlValidationFailed', detail: 'The URL is not https' },
      reason: 'UrlValidationFailed',
      title: 'UrlValidationFailed',
      detail: 'The URL is not https',
      fix: /https URL reachable from the internet, with no port, at most 200 characters/
    },
    {
      call: () => client.webhooks.create('https://example.com/webhooks/x'),
      status: 409,
      body: { errors: [{ message: 'DuplicateUrlFailed: a webhook with this URL exists', code: 'DuplicateUrlFailed' }], title: 'Conflict', type: `${PROBLEMS}/duplicate` },
      reason: 'DuplicateUrlFailed',
      title: 'Conflict',
      fix: /already has a webhook with this URL: find it with client\.webhooks\.list\(\)/
    },
    {
      call: () => client.webhooks.create('https://example.com/webhooks/x'),
      status: 403,
      body: { code: 'WebhookLimitExceeded', message: 'Too many webhooks' },
      reason: 'WebhookLimitExceeded',
      detail: 'Too many webhooks',
      fix: /as many webhooks as its plan allows/
    },
    {
      call: () => client.webhooks.delete(WEBHOOK_ID),
      status: 404,
      body: { title: 'Not Found Error', detail: 'WebhookIdInvalid: no such webhook for this app', type: `${PROBLEMS}/resource-not-found`, resource_id: WEBHOOK_ID },
      reason: 'WebhookIdInvalid',
      type: `${PROBLEMS}/resource-not-found`,
      fix: /no webhook with this id belongs to this app/
    },
    {
      call: () => client.webhooks.validate(WEBHOOK_ID),
      status: 400,
      body: { errors: [{ title: 'Invalid Request', detail: 'The webhook failed the check (CrcValidationFailed)', type: `${PROBLEMS}/invalid-request` }] },
      reason: 'CrcValidationFailed',
      type: `${PROBLEMS}/invalid-request`,
      title: 'Invalid Request',
      detail: 'The webhook failed the check (CrcValidationFailed)',
      fix: /crc-check/
    },
    {
      call: () => client.webhooks.replay(replay),
      status: 409,
      body: { title: 'ReplayConflictError', detail: 'A replay job is already in progress' },
      reason: 'ReplayConflictError',
      fix: /wait for its replay_job_status delivery/
    },
    {
      call: () => client.webhooks.replay(replay),
      status: 400,
      body: { errors: [{ reason: 'QueryParamInvalid', message: 'from_date is invalid', parameter: 'from_date' }] },
      reason: 'QueryParamInvalid',
      detail: 'from_date is invalid',
      fix: /check the ids, dates and fields sent/
    },
    {
      call: () => client.aaa.subscribe(WEBHOOK_ID),
      status: 409,
      body: { title: 'DuplicateSubscriptionFailed', detail: 'The user is already subscribed', type: `${PROBLEMS}/invalid-request` },
      reason: 'DuplicateSubscriptionFailed',
      fix: /already subscribed/
    },
    {
      call: () => client.aaa.subscribe(WEBHOOK_ID),
      status: 403,
      body: { title: 'Forbidden', detail: 'SubscriptionLimitExceeded', type: `${PROBLEMS}/client-forbidden` },
      reason: 'SubscriptionLimitExceeded',
      fix: /as many subscriptions as its plan allows/
    },
    {
      call: () => client.aaa.unsubscribe(WEBHOOK_ID, '2244994945'),
      status: 404,
      body: { errors: [{ code: 34, message: 'Sorry, that page does not exist.' }, { message: 'see SubscriptionNotFound' }] },
      reason: 'SubscriptionNotFound',
      detail: 'Sorry, that page does not exist.',
      fix: /there is no such subscription/
    }
  ]
  t.same([...new Set(cases.map((c) => c.reason))].sort(), [...X_REASONS].sort(), 'every documented reason is tried')

  for (const c of cases) {
    x.next({ status: c.status, body: c.body, headers: rateHeaders })
    const error = await c.call().then(() => undefined, (error: unknown) => error)
    t.ok(error instanceof XApiError, `${c.reason}: an XApiError`)
    t.match(error, {
      name: 'XApiError',
      code: 'FST_XWH_API_ERROR',
      status: c.status,
      reason: c.reason,
      ...(c.type === undefined ? {} : { type: c.type }),
      ...(c.title === undefined ? {} : { title: c.title }),
      body: c.body,
      rateLimit: { limit: 450, remaining: 449, reset: new Date(reset * 1000) },
      message: c.fix
    }, c.reason)
    if (c.detail !== undefined) t.equal((error as XApiError).detail, c.detail, `${c.reason}: detail`)
    t.match((error as XApiError).message, new RegExp(`: X answered ${c.status} \\(${c.reason}`), `${c.reason}: the message names the reason`)
  }
})

t.test('the message says what was asked and what X said; status-based fixes when X names no reason', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  const cases: Array<[number, unknown, RegExp]> = [
    [401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }, /^GET \/2\/webhooks: X answered 401 \(Unauthorized\); X did not accept the credentials/],
    [403, { title: 'Client Forbidden', detail: 'This request must be made using an approved developer account', type: `${PROBLEMS}/client-forbidden`, reason: 'client-not-enrolled' }, /\(client-not-enrolled: Client Forbidden: This request must .*\); the app or the token may not do this/],
    [403, { title: 'UsageCapExceeded', detail: 'Usage cap exceeded: Monthly product cap', type: `${PROBLEMS}/usage-capped` }, /\(UsageCapExceeded: Usage cap exceeded: Monthly product cap\); the app or the token/],
    [400, { errors: [{ code: 32, message: 'Could not authenticate you.' }] }, /^GET \/2\/webhooks: X answered 400 \(Could not authenticate you\.\)$/],
    [400, {}, /^GET \/2\/webhooks: X answered 400$/],
    [400, [1, 2], /^GET \/2\/webhooks: X answered 400$/],
    [404, { title: 'Not Found Error', detail: 'Not Found Error' }, /\(Not Found Error\)$/],
    [500, { title: 'Internal Error', type: `${PROBLEMS}/internal-error` }, /\(Internal Error\); X failed to answer: try again later$/],
    [429, { title: 'Too Many Requests', detail: 'Too Many Requests', type: `${PROBLEMS}/rate-limit-exceeded` }, /rate limit reached: try again when the window resets, or pass retryOnRateLimit: true/]
  ]
  for (const [status, body, message] of cases) {
    x.next({ status, body })
    await t.rejects(client.webhooks.list(), { name: 'XApiError', status, message, rateLimit: { limit: undefined, remaining: undefined, reset: undefined } }, `${status} ${JSON.stringify(body)}`)
  }
  x.next({ status: 400, body: { errors: [{ code: 32, message: 'Could not authenticate you.' }] } })
  await t.rejects(client.webhooks.list(), { reason: undefined, errors: [{ code: 32, message: 'Could not authenticate you.' }], detail: 'Could not authenticate you.' })
})

t.test('answers that are not JSON: an HTML error page, plain text, an empty body', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  x.next({ status: 502, raw: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>' })
  await t.rejects(client.webhooks.list(), {
    name: 'XApiError',
    status: 502,
    type: undefined,
    title: undefined,
    reason: undefined,
    detail: '502 Bad Gateway 502 Bad Gateway',
    message: /^GET \/2\/webhooks: X answered 502 \(502 Bad Gateway 502 Bad Gateway\); X failed to answer: try again later$/
  })
  x.next({ status: 503, raw: `<p>${'Service Unavailable '.repeat(20)}</p>` })
  const long = await client.webhooks.list().catch((error: XApiError) => error)
  t.equal((long as XApiError).detail?.length, 200)
  t.match((long as XApiError).detail, /…$/)
  x.next({ status: 400, raw: 'CrcValidationFailed', headers: { 'content-type': 'text/plain' } })
  await t.rejects(client.webhooks.list(), { name: 'XApiError', status: 400, reason: undefined, detail: 'CrcValidationFailed', body: 'CrcValidationFailed' })
  x.next({ status: 504, raw: '' })
  await t.rejects(client.webhooks.list(), { status: 504, detail: undefined, body: undefined, message: /^GET \/2\/webhooks: X answered 504; X failed/ })
  x.next({ status: 500, raw: '<html></html>' })
  await t.rejects(client.webhooks.list(), { name: 'XApiError', status: 500, detail: undefined })
  x.next({ status: 302, raw: '', headers: { location: '/elsewhere' } })
  await t.rejects(client.webhooks.list(), { name: 'XApiError', status: 404 }, 'a redirect is followed; what it leads to is the answer')

  x.next({ status: 200, raw: '<html>maintenance</html>' })
  await t.rejects(client.webhooks.create('https://example.com/x'), { code: 'FST_XWH_UNEXPECTED_RESPONSE', message: /POST \/2\/webhooks succeeded but the answer is not one X documents \(no webhook in it\); is baseUrl pointing at the X API\?/ })
  x.next({ status: 204, raw: '' })
  await t.rejects(client.webhooks.delete(WEBHOOK_ID), { code: 'FST_XWH_UNEXPECTED_RESPONSE' })
})

t.test('a 200 that carries only errors is X\'s failure, not an unknown shape', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  const errors = [{ type: `${PROBLEMS}/resource-not-found`, title: 'Not Found Error', detail: 'Could not find webhook', resource_id: WEBHOOK_ID, reason: 'WebhookIdInvalid' }]
  x.next({ body: { errors } })
  await t.rejects(client.webhooks.validate(WEBHOOK_ID), { name: 'XApiError', status: 200, reason: 'WebhookIdInvalid', errors, title: 'Not Found Error', type: `${PROBLEMS}/resource-not-found` })
  x.next({ body: { errors } })
  await t.rejects(client.webhooks.list(), { name: 'XApiError', status: 200, reason: 'WebhookIdInvalid' })
  x.next({ body: { data: {}, errors } })
  await t.rejects(client.webhooks.delete(WEBHOOK_ID), { name: 'XApiError', status: 200, errors }, 'data without what was asked, and errors')
  x.next({ body: { errors: [] } })
  await t.rejects(client.webhooks.validate(WEBHOOK_ID), { code: 'FST_XWH_UNEXPECTED_RESPONSE' })
  x.next({ body: { data: { deleted: true }, errors: [{ title: 'Partial', detail: 'something else' }] } })
  t.same(await client.webhooks.delete(WEBHOOK_ID), { deleted: true }, 'with the data it promised, partial errors do not fail the call')
})

t.test('reasonOf: where X writes its reason, in order', async (t) => {
  t.equal(reasonOf({ reason: 'Explicit', title: 'CrcValidationFailed' }), 'Explicit')
  t.equal(reasonOf({ reason: '  ', errors: [{ reason: 'FromErrors' }] }), 'FromErrors')
  t.equal(reasonOf({ title: 'Invalid Request', detail: 'UrlValidationFailed: not https' }), 'UrlValidationFailed')
  t.equal(reasonOf({ title: 'Forbidden', detail: 'Forbidden' }), undefined, 'one-word titles are not reasons')
  t.equal(reasonOf({ title: 'Something Else', detail: 'Because DuplicateUrlFailed happened' }), 'DuplicateUrlFailed')
  t.equal(reasonOf({ code: 32, message: 'Could not authenticate you.' }), undefined)
  t.equal(reasonOf({ code: 'NotAReasonWord here' }), undefined)
  t.equal(reasonOf({ errors: [{ code: 'UsageCapExceeded' }] }), 'UsageCapExceeded')
  t.equal(reasonOf({ errors: ['CrcValidationFailed', null] }), undefined, 'only objects are problems')
  t.equal(reasonOf('CrcValidationFailed'), undefined, 'a text body is not searched')
  t.equal(reasonOf(undefined), undefined)
})
