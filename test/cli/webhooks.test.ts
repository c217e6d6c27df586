import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { BEARER, cli, closedPort, standIn } from './helpers.js'

const ID = '1146654567674912769'

t.test('webhooks list: one line per webhook, a hint for the invalid ones; the documented request', async (t) => {
  const x = await standIn(t)
  const result = await cli(['webhooks', 'list', ...x.args])
  t.equal(result.code, 0)
  t.equal(result.stderr, '')
  t.equal(result.stdout, [
    `${ID}  valid    https://example.com/webhooks/x  created 2026-01-31T12:00:00.000Z`,
    '1146654567674912770  INVALID  https://example.com/other  created 2026-01-31T12:00:00.000Z',
    'hint: an invalid webhook gets no events: fix the service (x-webhooks crc-check URL), then x-webhooks webhooks validate ID',
    ''
  ].join('\n'))
  t.match(x.requests, [{ method: 'GET', path: '/2/webhooks', query: { 'webhook_config.fields': 'created_at,id,url,valid' }, authorization: `Bearer ${BEARER}` }])
})

t.test('webhooks list --json: the typed result, dates as ISO strings', async (t) => {
  const x = await standIn(t)
  const result = await cli(['webhooks', 'list', '--json', ...x.args])
  t.equal(result.code, 0)
  t.same(result.json()[0], { id: ID, url: 'https://example.com/webhooks/x', valid: true, createdAt: '2026-01-31T12:00:00.000Z' })
  t.equal(result.json().length, 2)
})

t.test('webhooks list: none, and a webhook X lists without a creation time', async (t) => {
  const x = await standIn(t)
  x.answer('GET /2/webhooks', [200, { meta: { result_count: 0 } }])
  x.answer('GET /2/webhooks', [200, { data: [{ id: ID, url: 'https://example.com/webhooks/x', valid: true }] }])
  t.equal((await cli(['webhooks', 'list', ...x.args])).stdout, 'No webhooks registered.\n')
  t.equal((await cli(['webhooks', 'list', ...x.args])).stdout, `${ID}  valid    https://example.com/webhooks/x\n`)
})

t.test('tokens and base URL come from the environment; a flag wins over its variable', async (t) => {
  const x = await standIn(t)
  const env = { X_BEARER_TOKEN: 'from-env', X_API_BASE_URL: x.url }
  t.equal((await cli(['webhooks', 'list'], env)).code, 0)
  t.equal((await cli(['webhooks', 'list', '--bearer-token', 'from-flag'], env)).code, 0)
  t.same(x.requests.map((request) => request.authorization), ['Bearer from-env', 'Bearer from-flag'])
})

t.test('no bearer token: exit 2 and where to put one; an empty variable counts as none', async (t) => {
  const x = await standIn(t)
  const result = await cli(['webhooks', 'list', '--base-url', x.url], { X_BEARER_TOKEN: '' })
  t.equal(result.code, 2)
  t.equal(result.stderr, 'error: The app\'s bearer token is missing: pass --bearer-token or set X_BEARER_TOKEN\nhint: see x-webhooks webhooks list --help\n')
  t.same(x.requests, [], 'nothing sent')
})

t.test('a base URL the client refuses is a usage error', async (t) => {
  const result = await cli(['webhooks', 'list', '--bearer-token', BEARER, '--base-url', 'ftp://example.com', '--json'])
  t.equal(result.code, 2)
  t.match(result.error(), { error: { kind: 'usage', code: 'FST_XWH_INVALID_OPTION', message: /baseUrl/ } })
})

t.test('webhooks create URL: registered, printed, the URL sent as X documents', async (t) => {
  const x = await standIn(t)
  const result = await cli(['webhooks', 'create', 'https://example.com/hooks/new', ...x.args])
  t.equal(result.code, 0)
  t.equal(result.stdout, `Created webhook ${ID}  valid    https://example.com/hooks/new  created 2026-01-31T12:00:00.000Z\n`)
  t.match(x.requests, [{ method: 'POST', path: '/2/webhooks', body: { url: 'https://example.com/hooks/new' }, authorization: `Bearer ${BEARER}` }])
  const json = await cli(['webhooks', 'create', 'https://example.com/hooks/new', '--json', ...x.args])
  t.same(json.json(), { id: ID, url: 'https://example.com/hooks/new', valid: true, createdAt: '2026-01-31T12:00:00.000Z' })
})

t.test('webhooks create: an answer that says invalid comes with the hint', async (t) => {
  const x = await standIn(t)
  x.answer('POST /2/webhooks', [200, { id: ID, url: 'https://example.com/webhooks/x', valid: false }])
  const result = await cli(['webhooks', 'create', 'https://example.com/webhooks/x', ...x.args])
  t.equal(result.code, 0)
  t.match(result.stdout, /^Created webhook \d+ {2}INVALID {2}https:\/\/example\.com\/webhooks\/x\nhint: an invalid webhook gets no events/)
})

t.test('webhooks create: a URL X would refuse is refused before sending (exit 2); --allow-insecure-url for the emulator', async (t) => {
  const x = await standIn(t)
  const refused = await cli(['webhooks', 'create', 'http://127.0.0.1:8080/webhooks/x', ...x.args])
  t.equal(refused.code, 2)
  t.match(refused.stderr, /^error: .*refused before sending, invalid url: X only calls https URLs.*\nhint: for the emulator's http:\/\/127\.0\.0\.1 receivers, pass --allow-insecure-url\n$/)
  const noHint = await cli(['webhooks', 'create', 'https://example.com/' + 'a'.repeat(200), ...x.args])
  t.equal(noHint.code, 2)
  t.notMatch(noHint.stderr, /hint/)
  t.same(x.requests, [])
  const allowed = await cli(['webhooks', 'create', 'http://127.0.0.1:8080/webhooks/x', '--allow-insecure-url', ...x.args])
  t.equal(allowed.code, 0)
  t.match(x.requests, [{ body: { url: 'http://127.0.0.1:8080/webhooks/x' } }])
})

t.test('X\'s failures: exit 1, X\'s reason, and what to do (human and --json)', async (t) => {
  const x = await standIn(t)
  const problem = {
    type: 'https://api.x.com/2/problems/invalid-request',
    title: 'Invalid Request',
    detail: 'DuplicateUrlFailed: a webhook with this URL exists'
  }
  x.answer('POST /2/webhooks', [400, problem])
  const human = await cli(['webhooks', 'create', 'https://example.com/webhooks/x', ...x.args])
  t.equal(human.code, 1)
  t.equal(human.stdout, '')
  t.equal(human.stderr, 'error: POST /2/webhooks: X answered 400 (DuplicateUrlFailed: Invalid Request: DuplicateUrlFailed: a webhook with this URL exists)\n' +
    'hint: this URL is registered already: x-webhooks webhooks list shows its id\n')
  x.answer('POST /2/webhooks', [400, problem, { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '449', 'x-rate-limit-reset': '1800000000' }])
  const json = await cli(['webhooks', 'create', 'https://example.com/webhooks/x', '--json', ...x.args])
  t.equal(json.code, 1)
  t.same(json.error(), {
    error: {
      kind: 'x-api',
      message: 'POST /2/webhooks: X answered 400 (DuplicateUrlFailed: Invalid Request: DuplicateUrlFailed: a webhook with this URL exists)',
      hint: 'this URL is registered already: x-webhooks webhooks list shows its id',
      status: 400,
      type: problem.type,
      title: problem.title,
      detail: problem.detail,
      reason: 'DuplicateUrlFailed',
      rateLimit: { limit: 450, remaining: 449, reset: '2027-01-15T08:00:00.000Z' }
    }
  })
})

t.test('hints by status: 401, 403, 404, 429 (with and without a reset), 5xx; none for an unknown 4xx', async (t) => {
  const x = await standIn(t)
  const cases: Array<[number, Record<string, string>, string | undefined]> = [
    [401, {}, 'X did not accept the token: check --bearer-token / X_BEARER_TOKEN (or the user\'s token for AAA subscribe and check)'],
    [403, {}, 'the token is valid but not allowed here: the app must be in a project with access to this product and endpoint'],
    [404, {}, 'X knows no such resource: check the id (the list commands show them)'],
    [429, { 'x-rate-limit-reset': '1800000000' }, 'rate limited until 2027-01-15T08:00:00.000Z; --retry-on-rate-limit waits and tries once more'],
    [429, {}, 'rate limited until the window resets; --retry-on-rate-limit waits and tries once more'],
    [503, {}, 'X failed to answer: try again later'],
    [422, {}, undefined]
  ]
  for (const [status, headers, hint] of cases) {
    x.answer('GET /2/webhooks', [status, '', headers])
    const result = await cli(['webhooks', 'list', '--json', ...x.args])
    t.equal(result.code, 1, String(status))
    t.equal(result.error().error.hint, hint, String(status))
    t.equal(result.error().error.message, `GET /2/webhooks: X answered ${status}`, String(status))
  }
})

t.test('--retry-on-rate-limit: after a 429, waits for the reset and tries once more', async (t) => {
  const x = await standIn(t)
  x.answer('GET /2/webhooks', [429, { title: 'Too Many Requests' }, { 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000)) }])
  const result = await cli(['webhooks', 'list', '--retry-on-rate-limit', ...x.args])
  t.equal(result.code, 0)
  t.equal(x.requests.length, 2)
})

t.test('an answer that is not X\'s: exit 1', async (t) => {
  const x = await standIn(t)
  x.answer(`DELETE /2/webhooks/${ID}`, [200, { data: { something: 'else' } }])
  const result = await cli(['webhooks', 'delete', ID, '--json', ...x.args])
  t.equal(result.code, 1)
  t.match(result.error(), { error: { kind: 'x-api', code: 'FST_XWH_UNEXPECTED_RESPONSE' } })
})

t.test('X cannot be reached, or does not answer in time: exit 3', async (t) => {
  const port = await closedPort()
  const refused = await cli(['webhooks', 'list', '--base-url', `http://127.0.0.1:${port}`, '--bearer-token', BEARER])
  t.equal(refused.code, 3)
  t.match(refused.stderr, /^error: .*GET \/2\/webhooks could not reach X \(.*ECONNREFUSED/)
  const x = await standIn(t)
  x.answer('GET /2/webhooks', async () => { await sleep(500); return [200, { data: [] }] })
  const slow = await cli(['webhooks', 'list', '--timeout', '50', '--json', ...x.args])
  t.equal(slow.code, 3)
  t.match(slow.error(), { error: { kind: 'network', code: 'FST_XWH_REQUEST_TIMEOUT', message: /within 50 ms/ } })
})

t.test('webhooks delete ID', async (t) => {
  const x = await standIn(t)
  const result = await cli(['webhooks', 'delete', ID, ...x.args])
  t.equal(result.code, 0)
  t.equal(result.stdout, `Deleted webhook ${ID}.\n`)
  t.match(x.requests, [{ method: 'DELETE', path: `/2/webhooks/${ID}` }])
  x.answer(`DELETE /2/webhooks/${ID}`, [200, { data: { deleted: false } }])
  const no = await cli(['webhooks', 'delete', ID, '--json', ...x.args])
  t.equal(no.code, 1)
  t.same(no.json(), { deleted: false })
})

t.test('webhooks validate ID: exit 0 when X\'s CRC passes, 1 when it stays invalid', async (t) => {
  const x = await standIn(t)
  const ok = await cli(['webhooks', 'validate', ID, ...x.args])
  t.equal(ok.code, 0)
  t.equal(ok.stdout, `Webhook ${ID} passed X's CRC: it is valid.\n`)
  t.match(x.requests, [{ method: 'PUT', path: `/2/webhooks/${ID}` }])
  x.answer(`PUT /2/webhooks/${ID}`, [200, { data: { valid: false } }])
  const failed = await cli(['webhooks', 'validate', ID, ...x.args])
  t.equal(failed.code, 1)
  t.match(failed.stdout, /failed X's CRC: it stays invalid and gets no events\. See why with x-webhooks crc-check URL/)
  x.answer(`PUT /2/webhooks/${ID}`, [400, { title: 'Invalid Request', detail: 'CrcValidationFailed' }])
  const error = await cli(['webhooks', 'validate', ID, ...x.args])
  t.equal(error.code, 1)
  t.match(error.stderr, /hint: the URL did not pass X's CRC: run x-webhooks crc-check URL/)
})

t.test('webhooks replay: ISO times in, X\'s yyyymmddhhmm out', async (t) => {
  const x = await standIn(t)
  const minute = 60_000
  const now = Math.floor(Date.now() / minute) * minute
  const from = new Date(now - 120 * minute)
  const to = new Date(now - 60 * minute)
  const result = await cli(['webhooks', 'replay', '--webhook-id', ID, '--from', from.toISOString(), '--to', to.toISOString(), ...x.args])
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout, `Replay job 1858347165456711680 started for webhook ${ID}, ${from.toISOString()} to ${to.toISOString()}; X delivers a replay_job_status when it ends.\n`)
  const xDate = (date: Date): string => date.toISOString().slice(0, 16).replace(/\D/g, '')
  t.match(x.requests, [{ method: 'POST', path: '/2/webhooks/replay', body: { webhook_id: ID, from_date: xDate(from), to_date: xDate(to) } }])
  const json = await cli(['webhooks', 'replay', '--webhook-id', ID, '--from', from.toISOString(), '--to', to.toISOString(), '--json', ...x.args])
  t.same(json.json(), { jobId: '1858347165456711680', createdAt: '2026-01-31T12:00:00.000Z' })
})

t.test('webhooks replay: usage errors, the client\'s window rules, X\'s conflict', async (t) => {
  const x = await standIn(t)
  const hour = 3_600_000
  const from = new Date(Date.now() - 2 * hour).toISOString()
  const to = new Date(Date.now() - hour).toISOString()
  const usage: Array<[string[], RegExp]> = [
    [['--webhook-id', ID, '--from', from], /^error: missing --to ISO\nhint: see x-webhooks webhooks replay --help\n$/],
    [['--webhook-id', ID, '--from', 'yesterday', '--to', to], /--from must be an ISO 8601 time such as 2026-01-31T14:05:00Z, not "yesterday"/],
    [['--webhook-id', ID, '--from', from, '--to', '2026-13-45T99:00:00Z'], /--to must be an ISO 8601 time/],
    [['--webhook-id', ID, '--from', new Date(Date.now() - 30 * hour).toISOString(), '--to', to], /more than 24 hours ago/],
    [['--webhook-id', ID, '--from', to, '--to', from], /must be before to/]
  ]
  for (const [args, stderr] of usage) {
    const result = await cli(['webhooks', 'replay', ...args, ...x.args])
    t.equal(result.code, 2, args.join(' '))
    t.match(result.stderr, stderr, args.join(' '))
  }
  t.same(x.requests, [])
  x.answer('POST /2/webhooks/replay', [409, { title: 'Conflict', detail: 'ReplayConflictError: a job is running' }])
  const conflict = await cli(['webhooks', 'replay', '--webhook-id', ID, '--from', from, '--to', to, ...x.args])
  t.equal(conflict.code, 1)
  t.match(conflict.stderr, /ReplayConflictError.*\nhint: a replay job is already running for this webhook; wait for its replay_job_status delivery\n$/)
})

t.test('a failure of the CLI itself (stdout closed) is exit 1 with the error on stderr', async (t) => {
  const x = await standIn(t)
  const { run } = await import('../../lib/cli/run.js')
  let stderr = ''
  const code = await run(['webhooks', 'list', ...x.args], {
    stdout: { write: () => { throw new Error('write EPIPE') } },
    stderr: { write: (chunk: string) => { stderr += chunk } },
    env: {}
  })
  t.equal(code, 1)
  t.equal(stderr, 'error: Error: write EPIPE\n')
})
