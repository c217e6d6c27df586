// npm run demo: the whole story on loopback, in one process. The emulator plays X; the example service
// (examples/basic.ts) runs the plugin; the management client registers the webhook (the emulator's CRC passes) and
// subscribes; one event of every fixture type is triggered, a forged delivery is refused, and a replay of the last
// minutes re-delivers everything, which the service skips as duplicates. Exits 1 if any answer is off.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { build } from '../examples/basic.js'
import { startEmulator } from '../lib/cli/emulator.js'
import { normalizeDelivery, signPayload, XWebhooksClient } from '../lib/index.js'
import type { EmulatorDelivery } from '../lib/emulator/types.js'

const started = Date.now()
const FIXTURES = new URL('../fixtures/', import.meta.url)
const secret = randomBytes(24).toString('base64url')
const bearerToken = randomBytes(24).toString('base64url')
const USER_ID = '2244994945'
let failures = 0
/** How many events reached the service's handlers (its onAny logs each), and how many the plugin skipped as duplicates. */
const counts = { handled: 0, skipped: 0 }

// The service's log lines (what its handlers saw, and the duplicates the plugin skipped), indented under the step
// that caused them.
const handlerOutput = new Writable({
  write (chunk, _encoding, callback) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      const record = JSON.parse(line)
      if (/^event /.test(record.msg)) counts.handled++
      // Fastify's own request and startup lines (and its debug lines) are not what the handlers saw.
      if (record.msg === 'fastify-x-webhooks: duplicate skipped') {
        counts.skipped++
        console.log(`      duplicate skipped: ${record.eventType} id=${record.eventId}`)
      } else if (record.req === undefined && record.res === undefined && record.level >= 30 && !/^Server listening/.test(record.msg)) console.log(`      ${record.msg}`)
    }
    callback()
  }
})

function check (ok: boolean, label: string): void {
  if (!ok) failures++
  console.log(`${ok ? '✓' : '✗'} ${label}`)
}

async function control<T> (path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, body === undefined
    ? {}
    : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
  const answer = await response.json() as { data: T }
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(answer)}`)
  return answer.data
}

async function deliveries (): Promise<EmulatorDelivery[]> {
  return await control<EmulatorDelivery[]>('deliveries')
}

/** Polls the emulator's log until `probe` finds what it waits for (or 10 s pass). */
async function waitFor<T> (probe: (logged: EmulatorDelivery[]) => T | undefined): Promise<T | undefined> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) {
    const found = probe(await deliveries())
    if (found !== undefined) return found
  }
  return undefined
}

const statuses = (delivery: EmulatorDelivery): string => delivery.attempts.map((attempt) => attempt.status ?? attempt.error).join(', ')

const emulator = await startEmulator({ port: 0, consumerSecret: secret, bearerToken })
const service = await build(secret, { logger: { level: 'debug', stream: handlerOutput } })
const receiver = `${await service.listen({ host: '127.0.0.1', port: 0 })}/webhooks/x`
console.log(`X emulator listening on ${emulator.url}`)
console.log(`example service (examples/basic.ts) listening on ${receiver}\n`)

try {
  const client = new XWebhooksClient({ bearerToken, baseUrl: emulator.url, allowInsecureUrl: true, userAuth: { userAccessToken: 'demo-user-token' } })

  console.log('1. Register the webhook through the client; the emulator runs X\'s CRC against the service first')
  const webhook = await client.webhooks.create(receiver)
  check(webhook.valid, `webhooks.create → webhook ${webhook.id}, ${webhook.valid ? 'valid: the CRC passed' : 'INVALID'}`)

  console.log('\n2. Subscribe')
  const aaa = await client.aaa.subscribe(webhook.id)
  check(aaa.subscribed, `aaa.subscribe → user subscribed to webhook ${webhook.id} (Account Activity API)`)
  const xaa = await client.xaa.createSubscription({ eventType: 'follow.follow', filter: { user_id: USER_ID }, tag: 'demo', webhookId: webhook.id })
  check(xaa.subscriptionId !== '', `xaa.createSubscription follow.follow for user ${USER_ID} → subscription ${xaa.subscriptionId} (X Activity API)`)

  // Every (type, product) the fixtures hold, as the plugin reads them; replay.complete comes from the replay in step 4.
  const files = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.json')).sort()
  const types = files
    .map((file) => normalizeDelivery(JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')))[0] as { type: string, product: string })
    .filter(({ product }) => product !== 'webhook')
  console.log(`\n3. Trigger one event of every type in fixtures/ (${types.length}) through POST /_emulator/events`)
  const width = String(types.length).length
  for (const [index, { type, product }] of types.entries()) {
    const before = new Set((await deliveries()).map((delivery) => delivery.id))
    const { delivered } = await control<{ delivered: number }>('events', { type, product, webhook_id: webhook.id })
    const sent = (await deliveries()).filter((delivery) => !before.has(delivery.id))
    const answers = sent.map(statuses).join('; ')
    check(delivered === 1 && sent.length === 1 && answers === '200',
      `[${String(index + 1).padStart(width)}/${types.length}] ${type} (${product}) → delivered to ${delivered} webhook(s), answered ${answers || 'nothing'}`)
  }

  console.log('\n   A forged delivery (signed with another secret), straight to the service:')
  const raw = readFileSync(new URL(files[0] as string, FIXTURES))
  const forged = await fetch(receiver, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signPayload(raw, 'not-the-secret') } })
  await forged.arrayBuffer()
  check(forged.status === 401, `forged delivery → ${forged.status}: refused, no handler runs`)

  console.log('\n4. Replay the last 10 minutes through the client: X re-delivers everything; the service has handled it all')
  const originals = (await deliveries()).filter((delivery) => !delivery.replay)
  const handled = counts.handled
  const job = await client.webhooks.replay({ webhookId: webhook.id, from: new Date(started - 10 * 60_000), to: new Date() })
  console.log(`  webhooks.replay → job ${job.jobId}`)
  const replayed = await waitFor((logged) => {
    const copies = logged.filter((delivery) => delivery.replay && delivery.type !== 'replay.complete' && delivery.attempts.length > 0)
    const done = logged.some((delivery) => delivery.type === 'replay.complete' && delivery.attempts.length > 0)
    return done && copies.length >= originals.length ? copies : undefined
  })
  const copies = replayed ?? []
  check(copies.length === originals.length && copies.every((delivery) => statuses(delivery) === '200'),
    `${copies.length} of ${originals.length} deliveries replayed, every one answered 200`)
  check(counts.skipped === originals.length, `${counts.skipped} duplicates skipped by the plugin: no handler ran again for them`)
  check(replayed !== undefined && counts.handled === handled + 1, 'replay_job_status delivered: only the replay.complete handlers ran')
} catch (error) {
  failures++
  console.log(`✗ ${(error as Error).stack}`)
} finally {
  await service.close()
  await emulator.close()
}

const seconds = ((Date.now() - started) / 1000).toFixed(1)
console.log(`\nEmulator and service stopped after ${seconds} s; ${failures === 0 ? 'every answer as expected' : `${failures} unexpected answer(s)`}`)
process.exitCode = failures === 0 ? 0 : 1
