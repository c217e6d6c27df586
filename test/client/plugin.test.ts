import t from 'tap'
import { XWebhooksClient } from '../../lib/index.js'
import { build } from '../helpers.js'
import { BEARER, WEBHOOK_ID, standIn } from './stand-in.js'

t.test('with bearerToken and apiBaseUrl, app.x.client manages webhooks at that address', async (t) => {
  const x = await standIn(t)
  const app = await build(t, { bearerToken: BEARER, apiBaseUrl: x.baseUrl })
  t.ok(app.x.client instanceof XWebhooksClient)
  t.equal(app.x.client, app.x.client, 'one client for the app')
  t.match(await app.x.client.webhooks.list(), [{ id: WEBHOOK_ID }])
  t.match(x.seen, [{ method: 'GET', authorization: `Bearer ${BEARER}` }])
})

t.test('without bearerToken, app.x.client says which option it needs', async (t) => {
  const app = await build(t)
  t.throws(() => app.x.client, { code: 'FST_XWH_NO_CLIENT', message: /bearerToken/ })
})

t.test('client options are checked at registration', async (t) => {
  await t.rejects(build(t, { apiBaseUrl: 'http://127.0.0.1:8787' }), { code: 'FST_XWH_INVALID_OPTION', message: /"apiBaseUrl".*bearerToken/ })
  await t.rejects(build(t, { bearerToken: '' }), { code: 'FST_XWH_INVALID_OPTION', message: /"bearerToken"/ })
  await t.rejects(build(t, { bearerToken: 'token', apiBaseUrl: 'not a url' }), { code: 'FST_XWH_INVALID_OPTION', message: /"baseUrl"/ })
})
