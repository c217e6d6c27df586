import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { build } from '../../examples/basic.js'
import { startEmulator, type RunningEmulator } from '../../lib/cli/emulator.js'
import { run } from '../../lib/cli/run.js'
import { cli, closedPort } from './helpers.js'

const ROOT = new URL('../../', import.meta.url)
const SECRET = 'emulator-cli-secret'
const BEARER = 'emulator-cli-bearer'

/** A long-running command in-process: its output so far, a way to wait for a line, and stop (abort its signal). */
interface Running {
  stdout: () => string
  stderr: () => string
  /** Waits for the pattern in stdout; resolves with its first group (or the whole match). */
  until: (pattern: RegExp) => Promise<string>
  stop: () => Promise<number>
  done: Promise<number>
}

function start (argv: string[], env: Record<string, string | undefined> = {}): Running {
  let stdout = ''
  let stderr = ''
  const controller = new AbortController()
  const done = run(argv, {
    stdout: { write: (chunk: string) => { stdout += chunk } },
    stderr: { write: (chunk: string) => { stderr += chunk } },
    env,
    signal: controller.signal
  })
  let finished = false
  done.then(() => { finished = true }, () => {})
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    async until (pattern) {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(10)) {
        const match = pattern.exec(stdout)
        if (match !== null) return match[1] ?? match[0]
        if (finished) break
      }
      throw new Error(`no ${pattern} in stdout ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)}`)
    },
    async stop () {
      controller.abort()
      return await done
    },
    done
  }
}

async function emulatorFor (t: Test, options: { retrySchedule?: number[], deliveryTimeout?: number } = {}): Promise<RunningEmulator> {
  const emulator = await startEmulator({ port: 0, consumerSecret: SECRET, bearerToken: BEARER, ...options })
  t.teardown(() => emulator.close())
  return emulator
}

async function serviceFor (t: Test, secret = SECRET): Promise<{ url: string, app: Awaited<ReturnType<typeof build>> }> {
  const app = await build(secret)
  t.teardown(() => app.close())
  return { url: `${await app.listen({ host: '127.0.0.1', port: 0 })}/webhooks/x`, app }
}

// --- x-webhooks emulator ---------------------------------------------------------------------------------------

t.test('emulator: listens on 127.0.0.1, prints its URL, serves X with the bearer it was given, stops on the signal', async (t) => {
  const running = start(['emulator', '--port', '0'], { X_CONSUMER_SECRET: SECRET, X_BEARER_TOKEN: BEARER })
  const url = await running.until(/^X emulator listening on (http:\/\/127\.0\.0\.1:\d+)\n/)
  t.match(running.stdout(), `x-webhooks trigger follow.follow --emulator ${url}`)
  t.equal((await fetch(`${url}/2/webhooks`, { headers: { authorization: `Bearer ${BEARER}` } })).status, 200)
  t.equal((await fetch(`${url}/2/webhooks`, { headers: { authorization: 'Bearer another' } })).status, 401, 'another bearer: 401, as from X')
  t.equal(await running.stop(), 0)
  t.match(running.stdout(), /Ctrl-C stops it\.\nEmulator stopped\.\n$/)
  t.equal(running.stderr(), '')
  await t.rejects(fetch(`${url}/2/webhooks`), 'closed')
})

t.test('emulator --json: the URL as JSON; flags win over the environment; --strict applies X\'s URL rules', async (t) => {
  const running = start(['emulator', '--port', '0', '--json', '--strict', '--consumer-secret', SECRET, '--bearer-token', 'flag-bearer'], { X_BEARER_TOKEN: 'env-bearer' })
  const url = await running.until(/"url": "(http:\/\/127\.0\.0\.1:\d+)"/)
  const create = await fetch(`${url}/2/webhooks`, {
    method: 'POST', body: JSON.stringify({ url: 'http://127.0.0.1:9/webhooks/x' }), headers: { authorization: 'Bearer flag-bearer', 'content-type': 'application/json' }
  })
  t.equal(create.status, 400, 'strict: no http: webhook URLs')
  t.equal(await running.stop(), 0)
  t.same(JSON.parse(running.stdout()), { url }, 'nothing but the JSON')
})

t.test('emulator: a signal that has aborted already stops it at once', async (t) => {
  const controller = new AbortController()
  controller.abort()
  let stdout = ''
  const code = await run(['emulator', '--port', '0', '--consumer-secret', SECRET, '--bearer-token', BEARER], {
    stdout: { write: (chunk: string) => { stdout += chunk } }, stderr: { write: () => {} }, env: {}, signal: controller.signal
  })
  t.equal(code, 0)
  t.match(stdout, /listening on[^]*Emulator stopped\.\n$/)
})

t.test('emulator: port 8787 unless told otherwise', async (t) => {
  const controller = new AbortController()
  controller.abort()
  let output = ''
  const write = (chunk: string): void => { output += chunk }
  const code = await run(['emulator', '--consumer-secret', SECRET, '--bearer-token', BEARER], { stdout: { write }, stderr: { write }, env: {}, signal: controller.signal })
  // Something else on this machine may have 8787; then the emulator says so.
  t.ok(code === 0 || code === 3, `exit ${code}`)
  t.match(output, code === 0 ? 'X emulator listening on http://127.0.0.1:8787\n' : 'could not listen on 127.0.0.1:8787')
})

t.test('emulator: bad or missing options are usage errors (exit 2)', async (t) => {
  for (const port of ['x', '65536', '-1', '123456']) {
    const result = await cli(['emulator', `--port=${port}`, '--consumer-secret', SECRET, '--bearer-token', BEARER])
    t.equal(result.code, 2, port)
    t.match(result.stderr, `error: --port must be a port number (0 for a free one), not "${port}"\nhint: see x-webhooks emulator --help\n`)
  }
  const noSecret = await cli(['emulator', '--port', '0', '--bearer-token', BEARER], { X_CONSUMER_SECRET: '' })
  t.equal(noSecret.code, 2)
  t.match(noSecret.stderr, /^error: The consumer secret is missing: pass --consumer-secret or set X_CONSUMER_SECRET\n/)
  const noBearer = await cli(['emulator', '--port', '0', '--consumer-secret', SECRET])
  t.equal(noBearer.code, 2)
  t.match(noBearer.stderr, /^error: The bearer token is missing: pass --bearer-token or set X_BEARER_TOKEN\n/)
})

t.test('emulator: a port in use is said, with what to do (exit 3)', async (t) => {
  const taken = Fastify()
  t.teardown(() => taken.close())
  await taken.listen({ host: '127.0.0.1', port: 0 })
  const { port } = taken.server.address() as { port: number }
  const result = await cli(['emulator', '--port', String(port), '--consumer-secret', SECRET, '--bearer-token', BEARER, '--json'])
  t.equal(result.code, 3)
  t.match(result.error(), { error: { kind: 'network', code: 'EADDRINUSE', message: `the emulator could not listen on 127.0.0.1:${port}: `, hint: 'pass another --port, or --port 0 for a free one' } })
})

t.test('without a signal in its io, SIGINT or SIGTERM to this process stops it (and the handlers go afterwards)', async (t) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const listeners = process.listenerCount(signal)
    let stdout = ''
    const done = run(['emulator', '--port', '0', '--consumer-secret', SECRET, '--bearer-token', BEARER], {
      stdout: { write: (chunk: string) => { stdout += chunk } }, stderr: { write: () => {} }, env: {}
    })
    while (!stdout.includes('Ctrl-C')) await sleep(10)
    t.equal(process.listenerCount(signal), listeners + 1, `${signal}: listening for it`)
    process.emit(signal, signal)
    t.equal(await done, 0, signal)
    t.match(stdout, /Emulator stopped\.\n$/)
    t.equal(process.listenerCount(signal), listeners, `${signal}: no listener left behind`)
  }
})

t.test('the executable: x-webhooks emulator runs until SIGINT, then closes and exits 0', async (t) => {
  const child = spawn(process.execPath, [...process.execArgv, 'lib/cli/main.ts', 'emulator', '--port', '0'], {
    cwd: ROOT, env: { ...process.env, X_CONSUMER_SECRET: SECRET, X_BEARER_TOKEN: BEARER }, stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { child.kill() })
  let stdout = ''
  child.stdout.setEncoding('utf8')
  const url = await new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
      if (match !== null) resolve(match[1] as string)
    })
  })
  t.equal((await fetch(`${url}/2/webhooks`, { headers: { authorization: `Bearer ${BEARER}` } })).status, 200)
  child.kill('SIGINT')
  const [code] = await once(child, 'exit')
  t.equal(code, 0)
  t.match(stdout, /Emulator stopped\.\n$/)
})

// --- x-webhooks trigger ------------------------------------------------------------------------------------------

t.test('trigger TYPE: delivered to the registered webhook, which handles it; how many is printed', async (t) => {
  const emulator = await emulatorFor(t)
  const service = await serviceFor(t)
  const seen: string[] = []
  service.app.x.onAny((event) => { seen.push(`${event.product} ${event.type} ${event.forUserId}`) })
  const create = await cli(['webhooks', 'create', service.url, '--base-url', emulator.url, '--bearer-token', BEARER, '--allow-insecure-url', '--json'])
  t.equal(create.code, 0, create.stderr)
  const webhookId = create.json().id as string

  const result = await cli(['trigger', 'follow.follow', '--emulator', emulator.url])
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout, 'Triggered follow.follow: delivered to 1 webhook.\n')
  const aaa = await cli(['trigger', 'follow.follow', '--product', 'aaa', '--webhook-id', webhookId, '--for-user-id', '42', '--json'], { X_EMULATOR_URL: `${emulator.url}/` })
  t.equal(aaa.code, 0, aaa.stderr)
  t.same(aaa.json(), { delivered: 1, held: 0 })
  t.same(seen, ['xaa follow.follow 1111111111111111111', 'aaa follow.follow 42'])

  const payload = await cli(['trigger', 'post.mention.create', '--payload', '{"text":"hey from the CLI"}', '--emulator', emulator.url])
  t.equal(payload.code, 0, payload.stderr)
  const [delivery] = (await (await fetch(`${emulator.url}/_emulator/deliveries`)).json() as { data: Array<{ type: string, body: unknown }> }).data.filter((item) => item.type === 'post.mention.create')
  t.match(JSON.stringify(delivery?.body), /hey from the CLI/)
})

t.test('trigger: no webhook to deliver to says so, with a hint; exit 0', async (t) => {
  const emulator = await emulatorFor(t)
  const result = await cli(['trigger', 'like.create', '--product', 'xaa', '--emulator', emulator.url])
  t.equal(result.code, 0)
  t.equal(result.stdout, 'Triggered like.create (xaa): delivered to 0 webhooks.\nhint: no valid webhook got it: register one (x-webhooks listen --forward-to URL, or x-webhooks webhooks create URL)\n')
})

t.test('trigger: what the emulator refuses is a usage error with its reason (exit 2)', async (t) => {
  const emulator = await emulatorFor(t)
  const result = await cli(['trigger', 'no.such.type', '--emulator', emulator.url, '--json'])
  t.equal(result.code, 2)
  t.match(result.error(), { error: { kind: 'usage', status: 400, message: /^POST \/_emulator\/events: the emulator answered 400 \(.+\)$/ } })
  const human = await cli(['trigger', 'no.such.type', '--emulator', emulator.url])
  t.match(human.stderr, /^error: POST \/_emulator\/events: the emulator answered 400 \(.*no\.such\.type.*\)\n$/)
})

t.test('trigger: an answer that is not the emulator\'s (a 500, not JSON) is exit 1', async (t) => {
  const other = Fastify()
  other.post('/_emulator/events', async (_request, reply) => reply.code(500).type('text/plain').send('upstream broke'))
  other.post('/plain/_emulator/events', async (_request, reply) => reply.code(502).send({ errors: [{ message: 'bad gateway' }] }))
  other.post('/bare/_emulator/events', async (_request, reply) => reply.code(503).send({ title: 'Service Unavailable' }))
  other.post('/empty/_emulator/events', async (_request, reply) => reply.code(500).send({}))
  t.teardown(() => other.close())
  const url = await other.listen({ host: '127.0.0.1', port: 0 })
  const cases: Array<[string, string]> = [
    ['', 'answered 500 ("upstream broke")'],
    ['/plain', 'answered 502 (bad gateway)'],
    ['/bare', 'answered 503 (Service Unavailable)'],
    ['/empty', 'answered 500 ({})']
  ]
  for (const [path, said] of cases) {
    const result = await cli(['trigger', 'follow.follow', '--emulator', `${url}${path}`])
    t.equal(result.code, 1, path)
    t.equal(result.stderr, `error: POST /_emulator/events: the emulator ${said}\n`, path)
  }
})

t.test('trigger: no emulator running is exit 3 with how to start one; bad --emulator and --payload are exit 2', async (t) => {
  const port = await closedPort()
  const down = await cli(['trigger', 'follow.follow', '--emulator', `http://127.0.0.1:${port}`])
  t.equal(down.code, 3)
  t.equal(down.stderr, `error: POST /_emulator/events: could not reach the emulator at http://127.0.0.1:${port} (ECONNREFUSED)\nhint: start one with x-webhooks emulator, or point --emulator / X_EMULATOR_URL at it\n`)
  const thrown = await cli(['trigger', 'follow.follow', '--json'], {}, { fetch: async () => { throw new Error('no network') } })
  t.equal(thrown.code, 3)
  t.match(thrown.error(), { error: { kind: 'network', message: 'POST /_emulator/events: could not reach the emulator at http://127.0.0.1:8787 (no network)' } })
  const badUrl = await cli(['trigger', 'follow.follow', '--emulator', 'ftp://example.com'])
  t.equal(badUrl.code, 2)
  t.equal(badUrl.stderr, 'error: --emulator must be an http(s) URL, not "ftp://example.com"\nhint: see x-webhooks trigger --help\n')
  const badPayload = await cli(['trigger', 'follow.follow', '--payload', '{nope'])
  t.equal(badPayload.code, 2)
  t.equal(badPayload.stderr, 'error: --payload must be JSON, not "{nope"\nhint: see x-webhooks trigger --help\n')
  t.equal((await cli(['trigger'])).code, 2, 'TYPE is required')
})

// --- x-webhooks listen -------------------------------------------------------------------------------------------

t.test('listen: registers the URL (CRC passes), prints each attempt as it happens, deletes the webhook on stop', async (t) => {
  const emulator = await emulatorFor(t)
  const service = await serviceFor(t)
  let failNext = true
  service.app.x.on('like.create', () => {
    if (failNext) {
      failNext = false
      throw new Error('fails once')
    }
  })
  const other = await serviceFor(t)
  t.equal((await cli(['webhooks', 'create', other.url, '--base-url', emulator.url, '--bearer-token', BEARER, '--allow-insecure-url'])).code, 0)
  const running = start(['listen', '--forward-to', service.url, '--emulator', emulator.url], { X_BEARER_TOKEN: BEARER })
  const webhookId = await running.until(/^Registered webhook (\d+) for /)
  t.match(running.stdout(), `Registered webhook ${webhookId} for ${service.url} with the emulator at ${emulator.url} (CRC passed).\nWaiting for deliveries`)

  t.equal((await cli(['trigger', 'follow.follow', '--emulator', emulator.url])).code, 0)
  await running.until(/Z {2}follow\.follow \(xaa\) {2}→ 200\n/)
  t.equal((await cli(['trigger', 'like.create', '--emulator', emulator.url])).code, 0)
  await running.until(/Z {2}like\.create \(xaa\) {2}→ 500\n/)
  // X's retry, brought forward with the emulator's clock.
  await fetch(`${emulator.url}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ advance_ms: 4000 }), headers: { 'content-type': 'application/json' } })
  await running.until(/like\.create \(xaa\) \[retry 1\] {2}→ 200\n/)
  const replay = await cli(['webhooks', 'replay', '--webhook-id', webhookId, '--from', new Date(Date.now() - 120_000).toISOString(), '--to', new Date().toISOString(),
    '--base-url', emulator.url, '--bearer-token', BEARER])
  t.equal(replay.code, 0, replay.stderr)
  await running.until(/follow\.follow \(xaa\) \[replay\] {2}→ 200\n/)
  await running.until(/replay\.complete \(webhook\) {2}→ 200\n/)

  t.equal(await running.stop(), 0)
  t.equal(running.stdout().match(/follow\.follow \(xaa\) {2}/g)?.length, 1, 'only the deliveries to its own webhook')
  t.match(running.stdout(), new RegExp(`Deleted webhook ${webhookId}\\.\n$`))
  t.equal(running.stderr(), '')
  const list = await cli(['webhooks', 'list', '--base-url', emulator.url, '--bearer-token', BEARER, '--json'])
  t.same(list.json().map((webhook: { url: string }) => webhook.url), [other.url], 'its webhook is gone')
})

t.test('listen --json: one JSON line per attempt, replays marked; --keep leaves the webhook', async (t) => {
  const emulator = await emulatorFor(t)
  const service = await serviceFor(t)
  const running = start(['listen', '--forward-to', service.url, '--bearer-token', BEARER, '--json', '--keep'], { X_EMULATOR_URL: emulator.url })
  await sleep(300)
  const list = await cli(['webhooks', 'list', '--base-url', emulator.url, '--bearer-token', BEARER, '--json'])
  const webhookId = list.json()[0]?.id as string
  t.ok(webhookId, 'registered')
  t.equal((await cli(['trigger', 'dm.received', '--emulator', emulator.url])).code, 0)
  await running.until(/"type":"dm\.received"/)
  const replay = await cli(['webhooks', 'replay', '--webhook-id', webhookId, '--from', new Date(Date.now() - 120_000).toISOString(), '--to', new Date().toISOString(),
    '--base-url', emulator.url, '--bearer-token', BEARER])
  t.equal(replay.code, 0, replay.stderr)
  await running.until(/"replay":true/)
  t.equal(await running.stop(), 0)
  const lines = running.stdout().trim().split('\n').map((line) => JSON.parse(line))
  t.match(lines[0], { webhook_id: webhookId, type: 'dm.received', product: 'xaa', replay: false, attempt: 1, status: 200, at: /Z$/ })
  t.ok(lines.some((line) => line.replay === true && line.type === 'dm.received'))
  t.same((await cli(['webhooks', 'list', '--base-url', emulator.url, '--bearer-token', BEARER, '--json'])).json().map((webhook: { id: string }) => webhook.id), [webhookId], 'kept')
})

t.test('listen: a URL registered already is reused, not deleted; earlier deliveries are not printed; no answer is shown', async (t) => {
  const emulator = await emulatorFor(t, { deliveryTimeout: 700 })
  const service = await serviceFor(t)
  service.app.x.on('follow.unfollow', async () => { await sleep(1500) })
  const create = await cli(['webhooks', 'create', service.url, '--base-url', emulator.url, '--bearer-token', BEARER, '--allow-insecure-url', '--json'])
  const webhookId = create.json().id as string
  t.equal((await cli(['trigger', 'follow.follow', '--emulator', emulator.url])).code, 0)

  const running = start(['listen', '--forward-to', service.url, '--emulator', emulator.url, '--bearer-token', BEARER])
  await running.until(new RegExp(`^Found webhook ${webhookId} for ${service.url} with the emulator at ${emulator.url} \\(registered already\\)\\.\n`))
  t.equal((await cli(['trigger', 'follow.unfollow', '--emulator', emulator.url])).code, 0)
  await running.until(/follow\.unfollow \(xaa\) {2}→ no answer within 700 ms\n/)
  t.equal(await running.stop(), 0)
  t.notMatch(running.stdout(), /follow\.follow/, 'what was delivered before it started is not printed')
  t.match(running.stdout(), new RegExp(`Left webhook ${webhookId} registered\\.\n$`))
})

t.test('listen: a service that fails the CRC, a missing token, no emulator, a bad URL', async (t) => {
  const emulator = await emulatorFor(t)
  const wrong = await serviceFor(t, 'another-secret')
  const crc = await cli(['listen', '--forward-to', wrong.url, '--emulator', emulator.url, '--bearer-token', BEARER])
  t.equal(crc.code, 1)
  t.match(crc.stderr, /^error: .*CrcValidationFailed.*\nhint: the URL did not pass X's CRC/)

  const noToken = await cli(['listen', '--forward-to', wrong.url, '--emulator', emulator.url])
  t.equal(noToken.code, 2)
  t.match(noToken.stderr, /^error: The emulator's bearer token is missing: pass --bearer-token or set X_BEARER_TOKEN\n/)

  const port = await closedPort()
  const down = await cli(['listen', '--forward-to', wrong.url, '--emulator', `http://127.0.0.1:${port}`, '--bearer-token', BEARER])
  t.equal(down.code, 3)

  const badUrl = await cli(['listen', '--forward-to', 'not a url', '--bearer-token', BEARER])
  t.equal(badUrl.code, 2)
  t.equal(badUrl.stderr, 'error: --forward-to must be an http(s) URL, not "not a url"\nhint: see x-webhooks listen --help\n')
  t.equal((await cli(['listen'])).code, 2, '--forward-to is required')
})

t.test('listen: a duplicate URL the list does not show is X\'s error; the emulator going away mid-listen is exit 3', async (t) => {
  const emulator = await emulatorFor(t)
  const service = await serviceFor(t)
  // A stand-in that says the URL is registered but lists nothing.
  const x = Fastify()
  x.post('/2/webhooks', async (_request, reply) => reply.code(400).send({ title: 'DuplicateUrlFailed', detail: 'URL is already registered', reason: 'DuplicateUrlFailed', status: 400, type: 'about:blank' }))
  x.get('/2/webhooks', async () => ({ data: [], meta: { result_count: 0 } }))
  t.teardown(() => x.close())
  const xUrl = await x.listen({ host: '127.0.0.1', port: 0 })
  const duplicate = await cli(['listen', '--forward-to', service.url, '--emulator', xUrl, '--bearer-token', BEARER])
  t.equal(duplicate.code, 1)
  t.match(duplicate.stderr, /DuplicateUrlFailed/)

  const running = start(['listen', '--forward-to', service.url, '--emulator', emulator.url, '--bearer-token', BEARER])
  await running.until(/^Registered webhook/)
  await emulator.close()
  t.equal(await running.done, 3)
  t.match(running.stderr(), /^error: GET \/_emulator\/deliveries: could not reach the emulator at /)
})
