import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'
import { build } from '../../examples/basic.js'
import { crcResponseToken, isCrcToken } from '../../lib/index.js'
import { cli, closedPort } from './helpers.js'

const SECRET = 'crc-check-secret'

/** The plugin's own example service, listening on loopback. */
async function example (t: Test, secret = SECRET): Promise<string> {
  const app = await build(secret)
  t.teardown(() => app.close())
  return `${await app.listen({ host: '127.0.0.1', port: 0 })}/webhooks/x`
}

/** A service whose GET /webhooks/x answers with `handler`. */
async function service (t: Test, handler: (request: FastifyRequest, reply: FastifyReply) => unknown): Promise<string> {
  const app = Fastify()
  app.get('/webhooks/x', async (request, reply) => handler(request, reply))
  t.teardown(() => app.close())
  return `${await app.listen({ host: '127.0.0.1', port: 0 })}/webhooks/x`
}

function tokenOf (request: FastifyRequest): string {
  return (request.query as { crc_token: string }).crc_token
}

t.test('the plugin\'s example service is valid: exit 0, one line, warnings about X\'s URL rules', async (t) => {
  const url = await example(t)
  const result = await cli(['crc-check', url, '--consumer-secret', SECRET])
  t.equal(result.code, 0)
  t.equal(result.stderr, '')
  const [line, ...warnings] = result.stdout.trimEnd().split('\n')
  t.match(line, new RegExp(`^valid: ${url} answered 200 in \\d+ ms with the right response_token$`))
  t.same(warnings, ['warning: X registers only https URLs', `warning: X refuses URLs with an explicit port (${new URL(url).port}); serve on 443`])
})

t.test('valid with the secret from X_CONSUMER_SECRET, --allow-insecure-url and --json: the result as an object', async (t) => {
  const url = await example(t)
  const result = await cli(['crc-check', url, '--allow-insecure-url', '--json'], { X_CONSUMER_SECRET: SECRET })
  t.equal(result.code, 0)
  const json = result.json()
  t.match(json, { url, result: 'valid', status: 200, elapsedMs: Number, fix: null, warnings: [] })
  t.match(json.reason, /^answered 200 in \d+ ms with the right response_token$/)
})

t.test('a flag wins over X_CONSUMER_SECRET', async (t) => {
  const url = await example(t)
  const result = await cli(['crc-check', url, '--consumer-secret', SECRET, '--allow-insecure-url'], { X_CONSUMER_SECRET: 'another-app' })
  t.equal(result.code, 0)
})

t.test('the token is fresh, CRC-shaped, and added to the query the URL already has', async (t) => {
  const seen: Array<Record<string, string>> = []
  const url = await service(t, (request) => {
    seen.push(request.query as Record<string, string>)
    return { response_token: crcResponseToken(tokenOf(request), SECRET) }
  })
  t.equal((await cli(['crc-check', `${url}?nonce=abc`, '--consumer-secret', SECRET])).code, 0)
  t.equal((await cli(['crc-check', `${url}?nonce=abc`, '--consumer-secret', SECRET])).code, 0)
  t.equal(seen.length, 2)
  t.equal(seen[0]?.nonce, 'abc')
  t.ok(isCrcToken(seen[0]?.crc_token))
  t.not(seen[0]?.crc_token, seen[1]?.crc_token)
})

t.test('a service keyed with another secret is invalid: exit 1, both tokens and the fix', async (t) => {
  const url = await example(t, 'the-bearer-token-by-mistake')
  const result = await cli(['crc-check', url, '--consumer-secret', SECRET, '--allow-insecure-url'])
  t.equal(result.code, 1)
  t.match(result.stdout, /^invalid: \S+ answered 200 in \d+ ms with response_token "sha256=[^"]+", expected "sha256=[^"]+"\. Fix: sign the crc_token with the app's consumer secret/)
  t.equal(result.stdout.split('\n').length, 2, 'one line')
})

t.test('wrong or missing response_token, a body that is not JSON, a 2xx that is not 200: invalid', async (t) => {
  const cases: Array<[string, (request: FastifyRequest, reply: FastifyReply) => unknown, RegExp]> = [
    ['a wrong token', () => ({ response_token: 'sha256=AAAA' }), /with response_token "sha256=AAAA", expected/],
    ['the token without its prefix', (request) => ({ response_token: crcResponseToken(tokenOf(request), SECRET).slice(7) }), /Fix: prefix the token with "sha256="/],
    ['no response_token', () => ({ token: 'x' }), /the JSON has no response_token string/],
    ['JSON null', (_request, reply) => reply.type('application/json').send('null'), /the JSON has no response_token string/],
    ['a number as the token', () => ({ response_token: 42 }), /the JSON has no response_token string/],
    ['HTML', (_request, reply) => reply.type('text/html').send('<h1>hello</h1>'), /the body is not JSON \(text\/html\)/],
    ['no content type and no JSON', (_request, reply) => { reply.hijack(); reply.raw.end('plain') }, /the body is not JSON \(no content type\)/],
    ['a 204', (_request, reply) => reply.code(204).send(), /answered 204 in \d+ ms; X expects 200\. Fix: answer 200 with JSON/],
    ['a 201 with the right token', (request, reply) => reply.code(201).send({ response_token: crcResponseToken(tokenOf(request), SECRET) }), /answered 201/]
  ]
  for (const [name, handler, reason] of cases) {
    const url = await service(t, handler)
    const result = await cli(['crc-check', url, '--consumer-secret', SECRET, '--allow-insecure-url', '--json'])
    t.equal(result.code, 1, name)
    t.equal(result.json().result, 'invalid', name)
    t.match(`${result.json().reason as string}. Fix: ${result.json().fix as string}`, reason, name)
  }
})

t.test('a 302 is invalid: X does not follow redirects', async (t) => {
  let followed = false
  const app = Fastify()
  app.get('/webhooks/x', async (_request, reply) => reply.redirect('/elsewhere'))
  app.get('/elsewhere', async () => { followed = true; return {} })
  app.get('/bare', async (_request, reply) => reply.code(307).send())
  t.teardown(() => app.close())
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const result = await cli(['crc-check', `${base}/webhooks/x`, '--consumer-secret', SECRET, '--allow-insecure-url'])
  t.equal(result.code, 1)
  t.match(result.stdout, /^invalid: \S+ answered 302 in \d+ ms, a redirect to \/elsewhere; X does not follow redirects\. Fix: register the final URL/)
  t.notOk(followed)
  const bare = await cli(['crc-check', `${base}/bare`, '--consumer-secret', SECRET, '--json'])
  t.equal(bare.code, 1)
  t.match(bare.json(), { result: 'invalid', status: 307, reason: /answered 307 in \d+ ms, a redirect; X does not/ })
})

t.test('a 500 is transient: exit 3, with what X does about it', async (t) => {
  const url = await service(t, (_request, reply) => reply.code(500).send({ error: 'boom' }))
  const result = await cli(['crc-check', url, '--consumer-secret', SECRET, '--allow-insecure-url'])
  t.equal(result.code, 3)
  t.match(result.stdout, /^transient: \S+ answered 500 in \d+ ms\. Fix: the service failed: see its logs; X counts this as transient: the webhook turns invalid when no CRC has passed for more than 28 hours\n$/)
})

t.test('4xx answers are transient, with a fix for the usual causes', async (t) => {
  const cases: Array<[number, RegExp]> = [
    [400, /must accept any crc_token/],
    [401, /without authentication/],
    [403, /without authentication/],
    [405, /must answer GET/],
    [418, /answer 200 with JSON/]
  ]
  for (const [status, fix] of cases) {
    const url = await service(t, (_request, reply) => reply.code(status).send())
    const result = await cli(['crc-check', url, '--consumer-secret', SECRET, '--json'])
    t.equal(result.code, 3, String(status))
    t.match(result.json(), { result: 'transient', status, fix }, String(status))
  }
  const app = await build(SECRET)
  t.teardown(() => app.close())
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const long = `${base}/${'a'.repeat(200)}`
  const result = await cli(['crc-check', long, '--consumer-secret', SECRET, '--json'])
  t.equal(result.code, 3, 'nothing at that path')
  t.match(result.json(), { status: 404, fix: /default \/webhooks\/x/ })
  t.match(result.json().warnings, [/only https/, /explicit port/, /longer than 200 characters \(this one has \d+\)/])
})

t.test('a service that does not answer within --timeout is transient', async (t) => {
  const url = await service(t, async () => { await sleep(2_000); return {} })
  const result = await cli(['crc-check', url, '--consumer-secret', SECRET, '--timeout', '150', '--allow-insecure-url'])
  t.equal(result.code, 3)
  t.match(result.stdout, /^transient: \S+ did not answer within 150 ms\. Fix: answer at once, with no I\/O; X counts this as transient/)
})

t.test('connection refused, and a connection closed without an answer, are transient', async (t) => {
  const port = await closedPort()
  const refused = await cli(['crc-check', `http://127.0.0.1:${port}/webhooks/x`, '--consumer-secret', SECRET, '--json'])
  t.equal(refused.code, 3)
  t.match(refused.json(), { result: 'transient', status: null, reason: /^could not be reached: ECONNREFUSED after \d+ ms$/, fix: /make the service reachable/ })

  const url = await service(t, (request, reply) => { reply.hijack(); request.raw.socket.destroy() })
  const closed = await cli(['crc-check', url, '--consumer-secret', SECRET, '--json'])
  t.equal(closed.code, 3)
  t.match(closed.json(), { result: 'transient', status: null, reason: /^could not be reached: \w+ after/ })
})

t.test('what fetch refuses, and a failure without a cause, say what happened', async (t) => {
  const badPort = await cli(['crc-check', 'http://127.0.0.1:1/webhooks/x', '--consumer-secret', SECRET, '--json'])
  t.equal(badPort.code, 3)
  t.match(badPort.json(), { result: 'transient', reason: /^could not be reached: bad port after \d+ ms$/ })
  const proxy: typeof fetch = async () => { throw new Error('proxy refused') }
  const failed = await cli(['crc-check', 'https://example.com/webhooks/x', '--consumer-secret', SECRET, '--json'], {}, { fetch: proxy })
  t.equal(failed.code, 3)
  t.match(failed.json(), { result: 'transient', reason: /^could not be reached: Error: proxy refused after \d+ ms$/ })
})

t.test('a TLS failure is invalid at once, as X rules', async (t) => {
  const url = await example(t)
  const result = await cli(['crc-check', url.replace('http:', 'https:'), '--consumer-secret', SECRET, '--json'])
  t.equal(result.code, 1)
  t.match(result.json(), { result: 'invalid', status: null, reason: /^failed the TLS handshake after \d+ ms \(ERR_SSL_/, fix: /certificate/ })
})

t.test('valid, with warnings for what X dislikes: a slow answer, a content type that is not JSON', async (t) => {
  const url = await service(t, async (request, reply) => {
    await sleep(1_050)
    return reply.type('text/plain').send(JSON.stringify({ response_token: crcResponseToken(tokenOf(request), SECRET) }))
  })
  const result = await cli(['crc-check', url, '--consumer-secret', SECRET, '--allow-insecure-url'])
  t.equal(result.code, 0)
  const [line, ...warnings] = result.stdout.trimEnd().split('\n')
  t.match(line, /^valid: /)
  t.match(warnings, ['warning: the answer is not labelled Content-Type: application/json, which X asks for', /^warning: the answer took \d+ ms; X asks for well under a second/])

  const unlabelled = await service(t, (request, reply) => {
    reply.hijack()
    reply.raw.end(JSON.stringify({ response_token: crcResponseToken(tokenOf(request), SECRET) }))
  })
  const json = await cli(['crc-check', unlabelled, '--consumer-secret', SECRET, '--allow-insecure-url', '--json'])
  t.equal(json.code, 0)
  t.same(json.json().warnings, ['the answer is not labelled Content-Type: application/json, which X asks for'])
})

t.test('usage errors: no secret, no URL, a URL that is not http(s), a bad --timeout', async (t) => {
  const url = await example(t)
  const cases: Array<[string[], RegExp]> = [
    [['crc-check', url], /^error: The app's consumer secret is missing: pass --consumer-secret or set X_CONSUMER_SECRET\nhint: see x-webhooks crc-check --help\n$/],
    [['crc-check', '--consumer-secret', SECRET], /^error: missing URL\n/],
    [['crc-check', 'example.com/webhooks/x', '--consumer-secret', SECRET], /URL must be an http\(s\) URL, not "example\.com\/webhooks\/x"/],
    [['crc-check', 'https://exa mple.com/', '--consumer-secret', SECRET], /URL must be an http\(s\) URL/],
    [['crc-check', url, '--consumer-secret', SECRET, '--timeout', '1s'], /--timeout must be a positive whole number, not "1s"/],
    [['crc-check', url, '--consumer-secret', SECRET, '--bearer-token', 'x'], /^error: Unknown option '--bearer-token'\n/]
  ]
  for (const [argv, stderr] of cases) {
    const result = await cli(argv, { X_CONSUMER_SECRET: '' })
    t.equal(result.code, 2, argv.join(' '))
    t.equal(result.stdout, '')
    t.match(result.stderr, stderr, argv.join(' '))
  }
  const json = await cli(['crc-check', url, '--json'])
  t.equal(json.code, 2)
  t.same(json.error(), { error: { kind: 'usage', message: 'The app\'s consumer secret is missing: pass --consumer-secret or set X_CONSUMER_SECRET', hint: 'see x-webhooks crc-check --help' } })
})
