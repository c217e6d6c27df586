import t from 'tap'
import { BEARER, cli, standIn } from './helpers.js'

const WEBHOOK = '1146654567674912769'
const PATH = `/2/tweets/search/webhooks/${WEBHOOK}`

t.test('stream link WEBHOOK_ID: fields and expansions as X\'s query', async (t) => {
  const x = await standIn(t)
  const result = await cli(['stream', 'link', WEBHOOK, '--expansions', 'author_id, attachments.media_keys', '--tweet-fields', 'created_at,public_metrics',
    '--user-fields', 'username', '--media-fields', 'url', '--poll-fields', 'options', '--place-fields', 'country,', ...x.args])
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout, `Linked the filtered stream to webhook ${WEBHOOK}.\n`)
  t.match(x.requests, [{
    method: 'POST',
    path: PATH,
    authorization: `Bearer ${BEARER}`,
    query: {
      expansions: 'author_id,attachments.media_keys',
      'tweet.fields': 'created_at,public_metrics',
      'user.fields': 'username',
      'media.fields': 'url',
      'poll.fields': 'options',
      'place.fields': 'country'
    }
  }])
  const bare = await cli(['stream', 'link', WEBHOOK, '--json', ...x.args])
  t.same(bare.json(), { provisioned: true })
  t.same(x.requests[1]?.query, {})
})

t.test('stream link: X does not provision it (exit 1), or refuses (exit 1)', async (t) => {
  const x = await standIn(t)
  x.answer(`POST ${PATH}`, [200, { data: { provisioned: false } }])
  const no = await cli(['stream', 'link', WEBHOOK, ...x.args])
  t.equal(no.code, 1)
  t.equal(no.stdout, `X did not link the filtered stream to webhook ${WEBHOOK}.\n`)
  x.answer(`POST ${PATH}`, [403, { title: 'Forbidden', type: 'https://api.x.com/2/problems/client-forbidden' }])
  const forbidden = await cli(['stream', 'link', WEBHOOK, ...x.args])
  t.equal(forbidden.code, 1)
  t.match(forbidden.stderr, /^error: POST \/2\/tweets\/search\/webhooks\/\d+: X answered 403 \(Forbidden\)\nhint: the token is valid but not allowed here/)
})

t.test('stream links: one line per link; none', async (t) => {
  const x = await standIn(t)
  x.answer('GET /2/tweets/search/webhooks', [200, {
    data: { links: [{ webhook_id: WEBHOOK, fields: ['tweet.fields=created_at'], expansions: 'author_id', created_at: '2026-01-31T12:00:00.000Z' }, { webhook_id: '7' }] }
  }])
  const result = await cli(['stream', 'links', ...x.args])
  t.equal(result.code, 0, result.stderr)
  t.equal(result.stdout, `${WEBHOOK}  fields=["tweet.fields=created_at"]  expansions=author_id  createdAt=2026-01-31T12:00:00.000Z\n7\n`)
  const json = await cli(['stream', 'links', '--json', ...x.args])
  t.same(json.json(), [{ webhookId: WEBHOOK, fields: ['tweet.fields=created_at'], expansions: 'author_id' }])
  x.answer('GET /2/tweets/search/webhooks', [200, {}])
  t.equal((await cli(['stream', 'links', ...x.args])).stdout, 'No stream links.\n')
})

t.test('stream unlink WEBHOOK_ID', async (t) => {
  const x = await standIn(t)
  const result = await cli(['stream', 'unlink', WEBHOOK, ...x.args])
  t.equal(result.code, 0)
  t.equal(result.stdout, `Unlinked the filtered stream from webhook ${WEBHOOK}.\n`)
  t.match(x.requests, [{ method: 'DELETE', path: PATH }])
  x.answer(`DELETE ${PATH}`, [200, { data: { deleted: false } }])
  const no = await cli(['stream', 'unlink', WEBHOOK, ...x.args])
  t.equal(no.code, 1)
  t.equal(no.stdout, `X did not unlink the filtered stream from webhook ${WEBHOOK}.\n`)
})
