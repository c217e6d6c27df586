// npm run demo: the example service on a free loopback port, and X's side played by this script over real HTTP:
// a CRC, one signed delivery of every fixture, a forged delivery and a duplicate. Exits non-zero if any answer is off.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { build } from '../examples/basic.js'
import { crcResponseToken, signPayload } from '../lib/index.js'

const FIXTURES = new URL('../fixtures/', import.meta.url)
const secret = randomBytes(24).toString('base64url')
let failures = 0

// The service's log lines (what its handlers saw), indented under the delivery that caused them.
const handlerOutput = new Writable({
  write (chunk, _encoding, callback) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      const record = JSON.parse(line)
      // Fastify's own request and startup lines are not what the handlers saw.
      if (record.req === undefined && record.res === undefined && !/^Server listening/.test(record.msg)) console.log(`      ${record.msg}`)
    }
    callback()
  }
})

function report (label: string, status: number, expected: number): void {
  if (status !== expected) failures++
  console.log(`${status === expected ? '✓' : '✗'} ${label} → ${status}${status === expected ? '' : ` (expected ${expected})`}`)
}

async function post (url: string, raw: Buffer, signature: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    body: raw,
    headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature }
  })
  await response.arrayBuffer()
  return response.status
}

const app = await build(secret, { logger: { level: 'info', stream: handlerOutput } })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const url = `${base}/webhooks/x`
console.log(`example service listening on ${url}\n`)

const token = randomBytes(24).toString('base64url')
const crc = await fetch(`${url}?crc_token=${token}`)
const { response_token: responseToken } = await crc.json() as { response_token: string }
report(`CRC challenge (response_token ${responseToken === crcResponseToken(token, secret) ? 'matches' : 'DOES NOT match'})`, crc.status, 200)
if (responseToken !== crcResponseToken(token, secret)) failures++

const files = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.json')).sort()
for (const file of files) {
  const raw = readFileSync(new URL(file, FIXTURES))
  report(`signed delivery ${file}`, await post(url, raw, signPayload(raw, secret)), 200)
}

const first = readFileSync(new URL(files[0] as string, FIXTURES))
report('forged delivery (signed with another secret): no handler runs', await post(url, first, signPayload(first, 'not-the-secret')), 401)
report(`duplicate of ${files[0]}: de-duplicated, no handler runs again`, await post(url, first, signPayload(first, secret)), 200)

await app.close()
console.log(`\n${files.length} fixtures delivered; ${failures === 0 ? 'every answer as expected' : `${failures} unexpected answer(s)`}`)
process.exitCode = failures === 0 ? 0 : 1
