import t from 'tap'
import { xDate } from '../../lib/client/validate.js'
import { cli, standIn } from './helpers.js'

const ID = '1146654567674912769'
const INVALID = '1146654567674912770'
const JOB = '1858347165456711680'
const MINUTE = 60_000

t.test('recover: a valid webhook, replayed from --since to now; the documented requests', async (t) => {
  const x = await standIn(t)
  const since = new Date(Date.now() - 90 * MINUTE)
  const result = await cli(['recover', '--webhook-id', ID, '--since', since.toISOString(), ...x.args])
  t.equal(result.code, 0)
  t.equal(result.stderr, '')
  t.match(result.stdout, new RegExp(`^Webhook ${ID} is valid\\.\\nReplay job ${JOB} started for ${since.toISOString().slice(0, 16)}.* to .*;\\nX delivers the events again \\(the service skips those it handled\\), then a replay_job_status\\.\\n$`))
  t.same(x.requests.map((request) => `${request.method} ${request.path}`), ['GET /2/webhooks', 'POST /2/webhooks/replay'])
  t.match(x.requests[1]?.body, { webhook_id: ID, from_date: xDate(since.getTime()) })
})

t.test('recover: an invalid webhook is re-validated first; without --since the last 24 hours are replayed', async (t) => {
  const x = await standIn(t)
  const before = Date.now()
  const result = await cli(['recover', '--webhook-id', INVALID, '--json', ...x.args])
  t.equal(result.code, 0)
  const report = result.json()
  t.match(report, { webhookId: INVALID, revalidated: true, origin: 'since', jobs: [{ jobId: JOB, state: 'started' }], complete: false })
  t.ok(new Date(report.window.from).getTime() >= before - 24 * 60 * MINUTE, 'within X\'s 24 hours')
  t.same(x.requests.map((request) => `${request.method} ${request.path}`), ['GET /2/webhooks', `PUT /2/webhooks/${INVALID}`, 'POST /2/webhooks/replay'])
  t.match(result.stdout, /"revalidated": true/)
})

t.test('recover: a webhook that stays invalid or is unknown exits 1; a bad --since or id exits 2', async (t) => {
  const x = await standIn(t)
  x.answer(`PUT /2/webhooks/${INVALID}`, [200, { data: { valid: false } }])
  const invalid = await cli(['recover', '--webhook-id', INVALID, ...x.args])
  t.equal(invalid.code, 1)
  t.match(invalid.stderr, /^error: fastify-x-webhooks: recovery of webhook 1146654567674912770 failed: it is invalid and failed X's CRC again; check the route with x-webhooks crc-check https:\/\/example\.com\/other\n$/)
  const unknown = await cli(['recover', '--webhook-id', '42', '--json', ...x.args])
  t.equal(unknown.code, 1)
  t.match(unknown.error(), { error: { kind: 'x-api', code: 'FST_XWH_RECOVERY_FAILED' } })
  const badSince = await cli(['recover', '--webhook-id', ID, '--since', 'yesterday', ...x.args])
  t.equal(badSince.code, 2)
  t.match(badSince.stderr, /--since must be an ISO 8601 time/)
  const badId = await cli(['recover', '--webhook-id', 'mine', ...x.args])
  t.equal(badId.code, 2)
  t.match(badId.stderr, /invalid option "webhookId"/)
  const missing = await cli(['recover', ...x.args])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /--webhook-id/)
  t.equal(x.requests.filter((request) => request.path === '/2/webhooks/replay').length, 0, 'nothing replayed')
})

t.test('recover --help', async (t) => {
  const result = await cli(['recover', '--help'])
  t.equal(result.code, 0)
  t.match(result.stdout, /Usage: x-webhooks recover --webhook-id ID/)
  t.match(result.stdout, /--since ISO/)
})
