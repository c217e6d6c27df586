import Fastify from 'fastify'
import t from 'tap'
import { XApiError, XWebhooksClient } from '../../lib/client/index.js'
import { Http, rateLimitOf } from '../../lib/client/http.js'
import { BEARER, OAUTH1, OAUTH2, WEBHOOK_ID, standIn } from './stand-in.js'

function http (baseUrl: string, options: Partial<ConstructorParameters<typeof Http>[0]> = {}): Http {
  return new Http({ bearerToken: BEARER, baseUrl: new URL(baseUrl), timeout: 10_000, retryOnRateLimit: false, maxRateLimitWait: 900_000, fetch, ...options })
}

t.test('OAuth 1.0a signs the exact method and URL, query included, as sent', async (t) => {
  const x = await standIn(t)
  const query = { 'tweet.fields': 'created_at,author_id', q: 'a b+c/d=e~f!*\'()é', empty: '', skipped: undefined }
  for (const method of ['GET', 'POST', 'PUT', 'DELETE'] as const) {
    x.next({ body: { data: {} } })
    await http(x.baseUrl).request({ method, path: '/2/signed/path', query, body: method === 'POST' ? { any: 'json' } : undefined, auth: { kind: 'user', user: OAUTH1 } })
  }
  t.equal(x.seen.length, 4)
  for (const seen of x.seen) {
    t.equal(seen.oauth?.valid, true, `${seen.method}: the stand-in recomputes the same signature`)
    t.same(seen.query, { 'tweet.fields': 'created_at,author_id', q: 'a b+c/d=e~f!*\'()é', empty: '' }, 'the query arrives as given')
  }
  t.equal(x.seen[0]?.url, '/2/signed/path?tweet.fields=created_at%2Cauthor_id&q=a%20b%2Bc%2Fd%3De~f%21%2A%27%28%29%C3%A9&empty=', 'RFC 3986 encoding, spaces as %20')
  t.same(x.seen[1]?.body, { any: 'json' }, 'the JSON body is sent, and (as OAuth 1.0a says for non-form bodies) not signed')
})

t.test('each auth kind writes its own Authorization header', async (t) => {
  const x = await standIn(t)
  const client = http(x.baseUrl)
  x.next({ body: {} }, { body: {} })
  await client.request({ method: 'GET', path: '/2/a', auth: { kind: 'app' } })
  await client.request({ method: 'GET', path: '/2/b', auth: { kind: 'user', user: OAUTH2 } })
  t.same(x.seen.map((seen) => seen.authorization), [`Bearer ${BEARER}`, 'Bearer user-oauth2-token'])
  for (const seen of x.seen) t.equal(seen.contentType, undefined, 'no content type without a body')
})

t.test('baseUrl: a proxy\'s path prefix is kept; the default is https://api.x.com', async (t) => {
  const x = await standIn(t)
  for (const prefix of ['/proxy', '/proxy/', '/proxy//']) {
    await x.client({ baseUrl: `${x.baseUrl}${prefix}` }).webhooks.list()
  }
  t.same(x.seen.map((seen) => seen.path), ['/proxy/2/webhooks', '/proxy/2/webhooks', '/proxy/2/webhooks'])

  const urls: string[] = []
  const client = new XWebhooksClient({
    bearerToken: BEARER,
    fetch: async (url) => {
      urls.push(String(url))
      return new Response(JSON.stringify({ data: [] }), { status: 200, headers: { 'content-type': 'application/json' } })
    }
  })
  t.same(await client.webhooks.list(), [])
  t.same(urls, ['https://api.x.com/2/webhooks?webhook_config.fields=created_at%2Cid%2Curl%2Cvalid'])
})

t.test('requests time out: no answer, or an answer that stalls half-way', async (t) => {
  const x = await standIn(t)
  const client = x.client({ timeout: 100 })
  x.next({ delay: 400, body: { data: [] } })
  const started = Date.now()
  await t.rejects(client.webhooks.list(), {
    code: 'FST_XWH_REQUEST_TIMEOUT',
    statusCode: 504,
    message: 'fastify-x-webhooks: GET /2/webhooks timed out: no complete answer from X within 100 ms; try again, or raise the client\'s timeout option'
  })
  t.ok(Date.now() - started < 350, 'abandoned at the timeout, not when X answers')
  x.next({ stall: 400 })
  await t.rejects(client.webhooks.delete(WEBHOOK_ID), { code: 'FST_XWH_REQUEST_TIMEOUT', message: /DELETE \/2\/webhooks\/1146654567674912769 timed out/ })
})

t.test('X cannot be reached: the error names the cause and what to check', async (t) => {
  const closed = Fastify()
  const address = await closed.listen({ host: '127.0.0.1', port: 0 })
  await closed.close()
  const client = new XWebhooksClient({ bearerToken: BEARER, baseUrl: address })
  const error = await client.webhooks.list().catch((error: unknown) => error)
  t.match(error, {
    code: 'FST_XWH_REQUEST_FAILED',
    statusCode: 502,
    message: /^fastify-x-webhooks: GET \/2\/webhooks could not reach X \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); check the client's baseUrl, DNS and the network$/
  })
  t.type((error as Error).cause, TypeError, 'fetch\'s own error is the cause')

  const throwing = (thrown: unknown): XWebhooksClient => new XWebhooksClient({ bearerToken: BEARER, fetch: async () => { throw thrown } })
  await t.rejects(throwing(new Error('proxy refused')).webhooks.list(), { code: 'FST_XWH_REQUEST_FAILED', message: /could not reach X \(proxy refused\)/ })
  await t.rejects(throwing('a string').webhooks.list(), { code: 'FST_XWH_REQUEST_FAILED', message: /could not reach X \(a string\)/ })
})

t.test('429: an XApiError with the rate limit, and a retry after the reset only when asked', async (t) => {
  const x = await standIn(t)
  const seconds = (offset: number): string => String(Math.floor(Date.now() / 1000) + offset)
  const limited = (reset?: string) => ({
    status: 429,
    body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'https://api.x.com/2/problems/rate-limit-exceeded' },
    headers: { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '0', ...(reset === undefined ? {} : { 'x-rate-limit-reset': reset }) }
  })

  const reset = seconds(60)
  x.next(limited(reset))
  await t.rejects(x.client().webhooks.list(), {
    name: 'XApiError',
    status: 429,
    rateLimit: { limit: 450, remaining: 0, reset: new Date(Number(reset) * 1000) },
    message: new RegExp(`rate limit reached: try again after ${new Date(Number(reset) * 1000).toISOString().replace(/\./g, '\\.')}, or pass retryOnRateLimit: true`)
  })
  t.equal(x.seen.length, 1, 'not retried by default')

  const retrying = x.client({ retryOnRateLimit: true })
  x.seen.length = 0
  x.next(limited(seconds(-5)))
  t.equal((await retrying.webhooks.list()).length, 2, 'a reset already past: retried at once (with a small margin)')
  t.equal(x.seen.length, 2)

  x.seen.length = 0
  const until = Number(seconds(1)) * 1000
  x.next(limited(String(until / 1000)))
  t.same(await retrying.aaa.subscribe(WEBHOOK_ID), { subscribed: true })
  t.ok(Date.now() >= until, 'waited for the reset')
  t.equal(x.seen.length, 2)
  t.not(x.seen[0]?.oauth?.params.oauth_nonce, x.seen[1]?.oauth?.params.oauth_nonce, 'the retry is signed afresh')
  t.equal(x.seen[1]?.oauth?.valid, true)

  x.seen.length = 0
  x.next(limited(seconds(-5)), limited(seconds(60)))
  await t.rejects(retrying.webhooks.list(), { name: 'XApiError', status: 429 }, 'retried once, not twice')
  t.equal(x.seen.length, 2)

  x.seen.length = 0
  x.next(limited(seconds(3600)))
  await t.rejects(retrying.webhooks.list(), { name: 'XApiError', status: 429 }, 'a reset beyond maxRateLimitWait (15 minutes) is not waited for')
  x.next(limited(seconds(5)))
  await t.rejects(x.client({ retryOnRateLimit: true, maxRateLimitWait: 1000 }).webhooks.list(), { name: 'XApiError', status: 429 }, 'nor beyond a smaller cap')
  x.next(limited())
  await t.rejects(retrying.webhooks.list(), { name: 'XApiError', status: 429 }, 'no reset header: no wait')
  t.equal(x.seen.length, 3)

  x.next({ status: 503, body: { title: 'Service Unavailable' } })
  await t.rejects(retrying.webhooks.list(), { name: 'XApiError', status: 503 }, 'only a 429 is retried')
})

t.test('rate-limit headers: numbers and a Date, undefined when missing or malformed', async (t) => {
  t.same(rateLimitOf(new Headers({ 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': ' 12 ', 'x-rate-limit-reset': '1767225600' })), {
    limit: 450, remaining: 12, reset: new Date('2026-01-01T00:00:00.000Z')
  })
  t.same(rateLimitOf(new Headers({ 'x-rate-limit-limit': 'many', 'x-rate-limit-remaining': '-1', 'x-rate-limit-reset': '' })), {
    limit: undefined, remaining: undefined, reset: undefined
  })
  t.same(rateLimitOf(new Headers()), { limit: undefined, remaining: undefined, reset: undefined })
})

t.test('XApiError is an Error with a stack, and only X\'s answers are XApiErrors', async (t) => {
  const x = await standIn(t)
  x.next({ status: 400, body: { title: 'Invalid Request', detail: 'bad' } })
  const error = await x.client().webhooks.list().catch((error: unknown) => error)
  t.ok(error instanceof XApiError)
  t.ok(error instanceof Error)
  t.equal((error as XApiError).request, 'GET /2/webhooks')
  t.match((error as Error).stack, /^XApiError: GET \/2\/webhooks: X answered 400/)
})
