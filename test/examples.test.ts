import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import type { Readable } from 'node:stream'
import t from 'tap'
import { build } from '../examples/basic.js'
import { signPayload } from '../lib/index.js'
import { createEmulator } from '../lib/emulator/index.js'
import { delivery, fixture, fixtureJson, fixtures, logCapture } from './helpers.js'

const ROOT = new URL('../', import.meta.url)

/** Runs a TypeScript file as its own process, through the same loaders as this test, so coverage adds up. */
function run (file: string, env: NodeJS.ProcessEnv = process.env): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [...process.execArgv, file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
}

t.test('examples/basic.ts handles every fixture and logs what its handlers saw', async (t) => {
  const logs = logCapture()
  const app = await build('example-secret', { logger: { stream: logs.stream } })
  t.teardown(() => app.close())
  for (const { name, raw } of fixtures()) {
    t.equal((await app.inject(delivery(raw, 'example-secret'))).statusCode, 200, name)
  }
  const messages = logs.records().map((record) => String(record.msg))
  t.ok(messages.includes('aaa follow.follow: @furiouscamper followed user 2244994945'))
  t.ok(messages.includes('xaa follow.follow: @ExampleUser followed user 1111111111111111111'))
  t.ok(messages.includes('xaa post.mention.create: "hey @ExampleUser"'))
  t.ok(messages.some((message) => message.startsWith('xaa profile.update.bio: "Building with the X API" -> ')))
  t.ok(messages.includes('replay job 1995507200941260800 ended: Incomplete'))
  t.equal(messages.filter((message) => message.startsWith('event ')).length, fixtures().length)
})

t.test('examples/basic.ts reads follows with bare or wrapped users, and marks replays', async (t) => {
  const logs = logCapture()
  const app = await build('example-secret', { logger: { stream: logs.stream } })
  t.teardown(() => app.close())
  const body = fixtureJson('xaa/follow.follow') as { data: { payload: { source: unknown } }, meta?: unknown }
  body.data.payload.source = { id: '5', name: 'Bare', username: 'bare_user' }
  body.meta = { replay: true }
  t.equal((await app.inject(delivery(body, 'example-secret'))).statusCode, 200)
  const messages = logs.records().map((record) => String(record.msg))
  t.ok(messages.includes('xaa follow.follow: @bare_user followed user 1111111111111111111'))
  t.ok(messages.some((message) => /^event follow\.follow \(xaa\) id=.* \[replay\]$/.test(message)))
})

t.test('examples/basic.ts logs handler failures through onError', async (t) => {
  const logs = logCapture()
  const app = await build('example-secret', { logger: { stream: logs.stream } })
  t.teardown(() => app.close())
  app.x.on('follow', () => { throw new Error('downstream unavailable') })
  t.equal((await app.inject(delivery(fixture('xaa/follow.follow'), 'example-secret'))).statusCode, 500)
  t.ok(logs.records().some((record) => record.msg === 'handlers failed for follow.follow'))
})

t.test('examples/basic.ts runs as a service: reads X_CONSUMER_SECRET, listens on loopback, handles a signed POST', async (t) => {
  const child = run('examples/basic.ts', { ...process.env, X_CONSUMER_SECRET: 'service-secret', PORT: '0', HOST: '127.0.0.1' })
  t.teardown(() => { child.kill() })
  let output = ''
  child.stdout.setEncoding('utf8')
  const address = await new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match !== null) resolve(match[1] as string)
    })
  })
  const raw = fixture('aaa/follow')
  const response = await fetch(`${address}/webhooks/x`, {
    method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signPayload(raw, 'service-secret') }
  })
  t.equal(response.status, 200)
  child.kill('SIGTERM')
  await once(child, 'exit')
  t.match(output, /aaa follow\.follow: @furiouscamper followed user 2244994945/)
})

t.test('examples/basic.ts with X_BEARER_TOKEN and X_WEBHOOK_ID recovers at startup, and logs the outcome', async (t) => {
  const x = createEmulator({ consumerSecret: 'service-secret', bearerToken: 'example-bearer' })
  t.teardown(() => x.close())
  const apiBaseUrl = await x.listen({ host: '127.0.0.1', port: 0 })
  const child = run('examples/basic.ts', {
    ...process.env, X_CONSUMER_SECRET: 'service-secret', X_BEARER_TOKEN: 'example-bearer', X_WEBHOOK_ID: '1146654567674912769', X_API_BASE_URL: apiBaseUrl, PORT: '0', HOST: '127.0.0.1'
  })
  t.teardown(() => { child.kill() })
  let output = ''
  child.stdout.setEncoding('utf8')
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk
      if (output.includes('recovery (startup) failed')) resolve()
    })
  })
  t.match(output, /X lists no webhook with this id for this app/, 'asked the emulator about the webhook, which it does not know')
  t.notMatch(output, /example-bearer/, 'the token is not logged')
})

t.test('examples/basic.ts without X_CONSUMER_SECRET says what to set and exits 1', async (t) => {
  const child = run('examples/basic.ts', { ...process.env, X_CONSUMER_SECRET: '' })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.match(stderr, /Set X_CONSUMER_SECRET/)
})

t.test('npm run demo: emulator and example service on loopback, every fixture type triggered and handled, the replay skipped as duplicates, exit 0', async (t) => {
  const child = run('scripts/demo.ts')
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const [code] = await once(child, 'exit')
  t.equal(code, 0, output)
  t.notMatch(output, /✗/)
  t.match(output, /^X emulator listening on http:\/\/127\.0\.0\.1:\d+\nexample service \(examples\/basic\.ts\) listening on http:\/\/127\.0\.0\.1:\d+\/webhooks\/x\n/)
  t.match(output, /\n✓ webhooks\.create → webhook \d+, valid: the CRC passed\n/)
  t.match(output, /\n✓ aaa\.subscribe → user subscribed to webhook \d+ .*\n✓ xaa\.createSubscription follow\.follow for user 2244994945 → subscription \d+ /)
  // Every fixture but the replay job statuses, which the replay itself delivers.
  const triggered = fixtures().filter(({ name }) => !name.startsWith('control/')).length
  t.match(output, `Trigger one event of every type in fixtures/ (${triggered})`)
  t.equal(output.match(/\n✓ \[ ?\d+\/\d+\] \S+ \((aaa|xaa|stream)\) → delivered to 1 webhook\(s\), answered 200\n/g)?.length, triggered, 'a progress line for each, each answered 200')
  // The handlers' output, indented under the trigger that caused it.
  t.match(output, /\n {6}aaa follow\.follow: @furiouscamper followed user 2244994945\n✓ \[ ?\d+\/\d+\] follow\.follow \(aaa\)/)
  t.match(output, /\n {6}xaa post\.mention\.create: "hey @ExampleUser"\n✓ \[\d+\/\d+\] post\.mention\.create \(xaa\)/)
  t.equal(output.match(/\n {6}event \S+ \((aaa|xaa|stream)\) id=/g)?.length, triggered, 'onAny saw each triggered event once')
  t.match(output, /\n✓ forged delivery → 401: refused, no handler runs\n/)
  t.equal(output.match(/\n {6}duplicate skipped: /g)?.length, triggered, 'every replayed copy skipped')
  t.notMatch(output, /\[replay\]/, 'no handler ran for a replayed event')
  t.match(output, /\n {6}replay job \d+ ended: Complete\n/)
  t.match(output, new RegExp(`\n✓ ${triggered} of ${triggered} deliveries replayed, every one answered 200\n✓ ${triggered} duplicates skipped by the plugin: no handler ran again for them\n✓ replay_job_status delivered: only the replay.complete handlers ran\n`))
  t.match(output, /\nEmulator and service stopped after \d+\.\d s; every answer as expected\n$/)
})
