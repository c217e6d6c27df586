import { spawn } from 'node:child_process'
import { once } from 'node:events'
import t from 'tap'
import { build } from '../examples/basic.js'
import { signPayload } from '../lib/index.js'
import { delivery, fixture, fixtures, logCapture } from './helpers.js'

const ROOT = new URL('../', import.meta.url)
const TSX = new URL('../node_modules/.bin/tsx', import.meta.url).pathname

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

t.test('examples/basic.ts logs handler failures through onError', async (t) => {
  const logs = logCapture()
  const app = await build('example-secret', { logger: { stream: logs.stream } })
  t.teardown(() => app.close())
  app.x.on('follow', () => { throw new Error('downstream unavailable') })
  t.equal((await app.inject(delivery(fixture('xaa/follow.follow'), 'example-secret'))).statusCode, 500)
  t.ok(logs.records().some((record) => record.msg === 'handlers failed for follow.follow'))
})

t.test('examples/basic.ts runs as a service: reads X_CONSUMER_SECRET, listens on loopback, handles a signed POST', async (t) => {
  const child = spawn(TSX, ['examples/basic.ts'], {
    cwd: ROOT, env: { ...process.env, X_CONSUMER_SECRET: 'service-secret', PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'inherit']
  })
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

t.test('examples/basic.ts without X_CONSUMER_SECRET says what to set and exits 1', async (t) => {
  const child = spawn(TSX, ['examples/basic.ts'], { cwd: ROOT, env: { ...process.env, X_CONSUMER_SECRET: '' }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.match(stderr, /Set X_CONSUMER_SECRET/)
})

t.test('npm run demo: every fixture over real HTTP, the forged delivery refused, exit 0', async (t) => {
  const child = spawn(TSX, ['scripts/demo.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const [code] = await once(child, 'exit')
  t.equal(code, 0, output)
  t.match(output, /✓ forged delivery .* → 401/)
  t.notMatch(output, /✗/)
  t.match(output, new RegExp(`${fixtures().length} fixtures delivered; every answer as expected`))
})
