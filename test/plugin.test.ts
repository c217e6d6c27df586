import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { crcResponseToken, signPayload, type AnyXEvent, type XHandlersError } from '../lib/index.js'
import { build, delivery, fixture, PATH, SECRET } from './helpers.js'

const FOLLOW = fixture('xaa/follow.follow')
const FAVORITES = fixture('aaa/favorite')

function errorBody (t: Test, body: string, statusCode: number, code: string): void {
  const parsed = JSON.parse(body)
  t.match(parsed, { statusCode, code, error: String, message: String })
}

t.test('GET with a crc_token answers the signed response_token as JSON', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: `${PATH}?crc_token=challenge_string` })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.same(res.json(), { response_token: 'sha256=SYYKwb5URQ4OnNXL3KWDH9ph6EIaP+4PTQFxLk5FIK4=' })
})

t.test('GET ignores other query parameters, such as a nonce', async (t) => {
  const app = await build(t)
  const res = await app.inject(`${PATH}?nonce=abc&crc_token=challenge_string&x=1`)
  t.same(res.json(), { response_token: crcResponseToken('challenge_string', SECRET) })
})

t.test('GET signs the token exactly as sent: a + stays a +, percent-encoding is decoded', async (t) => {
  const app = await build(t)
  const token = 'ab+cd/ef=='
  t.same((await app.inject(`${PATH}?crc_token=ab+cd/ef==`)).json(), { response_token: crcResponseToken(token, SECRET) })
  t.same((await app.inject(`${PATH}?crc_token=ab%2Bcd%2Fef%3D%3D`)).json(), { response_token: crcResponseToken(token, SECRET) })
})

t.test('GET signs with the first secret of a rotation', async (t) => {
  const app = await build(t, { consumerSecret: ['new-secret', 'old-secret'] })
  const res = await app.inject(`${PATH}?crc_token=challenge_string`)
  t.same(res.json(), { response_token: crcResponseToken('challenge_string', 'new-secret') })
})

t.test('GET without a crc_token answers 400', async (t) => {
  const app = await build(t)
  for (const url of [PATH, `${PATH}?`, `${PATH}?nonce=1`, `${PATH}?crc_token_x=challenge_string`]) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 400, url)
    errorBody(t, res.body, 400, 'FST_XWH_MISSING_CRC_TOKEN')
  }
})

t.test('GET never signs what is not shaped like a token: the CRC route is no signing oracle', async (t) => {
  const app = await build(t)
  const forged = '{"for_user_id":"1","follow_events":[]}'
  const tokens = [
    encodeURIComponent(forged), 'x'.repeat(10_000), 'short', '', 'has%20space', 'semi%3Bcolon', '%E0%A4%A', 'ok_token_1&crc_token=ok_token_2'
  ]
  for (const token of tokens) {
    const res = await app.inject(`${PATH}?crc_token=${token}`)
    t.equal(res.statusCode, 400, token.slice(0, 40))
    errorBody(t, res.body, 400, 'FST_XWH_INVALID_CRC_TOKEN')
    t.notMatch(res.body, /sha256=/)
  }
})

t.test('POST without the signature header answers 401', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: PATH, headers: { 'content-type': 'application/json' }, payload: FOLLOW })
  t.equal(res.statusCode, 401)
  errorBody(t, res.body, 401, 'FST_XWH_MISSING_SIGNATURE')
})

t.test('POST whose signature matches none of the secrets answers 401 and runs no handler', async (t) => {
  const app = await build(t, { consumerSecret: ['one', 'two'] })
  let ran = 0
  app.x.onAny(() => { ran++ })
  const good = signPayload(FOLLOW, 'one')
  const signatures: Array<string | string[]> = [
    signPayload(FOLLOW, 'three'), signPayload(`${FOLLOW.toString()} `, 'one'), good.slice(0, -4), `${good}AAAA`,
    'sha256=not-base64-at-all!!', 'sha256=' + '*'.repeat(44), good.replace('sha256=', 'sha512='), [good, good], `${good},${good}`
  ]
  for (const signature of signatures) {
    const res = await app.inject({
      method: 'POST', url: PATH, payload: FOLLOW, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature }
    })
    t.equal(res.statusCode, 401, String(signature))
    errorBody(t, res.body, 401, 'FST_XWH_INVALID_SIGNATURE')
  }
  t.equal(ran, 0)
})

t.test('POST signed with any secret of a rotation is accepted', async (t) => {
  const app = await build(t, { consumerSecret: ['new', 'old'] })
  t.equal((await app.inject(delivery(FOLLOW, 'old'))).statusCode, 200)
  t.equal((await app.inject(delivery(FOLLOW, 'new'))).statusCode, 200)
})

t.test('the signature header name is configurable', async (t) => {
  const app = await build(t, { signatureHeader: 'X-Twitter-Webhooks-Signature-OAuth2' })
  const signature = signPayload(FOLLOW, SECRET)
  const headers = { 'content-type': 'application/json' }
  t.equal((await app.inject({ method: 'POST', url: PATH, payload: FOLLOW, headers: { ...headers, 'x-twitter-webhooks-signature-oauth2': signature } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: PATH, payload: FOLLOW, headers: { ...headers, 'x-twitter-webhooks-signature': signature } })).statusCode, 401)
})

t.test('POST with a content type other than application/json answers 415', async (t) => {
  const app = await build(t)
  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'multipart/form-data; boundary=x']) {
    const res = await app.inject(delivery(FOLLOW, SECRET, { headers: { 'content-type': contentType } }))
    t.equal(res.statusCode, 415, contentType)
    errorBody(t, res.body, 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
  }
  const noType = await app.inject({ method: 'POST', url: PATH, payload: FOLLOW, headers: { 'x-twitter-webhooks-signature': signPayload(FOLLOW, SECRET), 'content-type': '' } })
  t.equal(noType.statusCode, 415)
  const noBody = await app.inject({ method: 'POST', url: PATH, headers: { 'x-twitter-webhooks-signature': signPayload('', SECRET) } })
  t.equal(noBody.statusCode, 415)
  errorBody(t, noBody.body, 415, 'FST_XWH_UNSUPPORTED_MEDIA_TYPE')
})

t.test('POST accepts a charset suffix on application/json', async (t) => {
  const app = await build(t)
  for (const contentType of ['application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
    t.equal((await app.inject(delivery(FOLLOW, SECRET, { headers: { 'content-type': contentType } }))).statusCode, 200, contentType)
  }
})

t.test('POST over bodyLimit answers 413; exactly at the limit is accepted', async (t) => {
  const body = Buffer.from(JSON.stringify({ data: { event_uuid: '1', event_type: 'x.y', filter: {}, payload: 'p'.repeat(100) } }))
  const app = await build(t, { bodyLimit: body.length })
  t.equal((await app.inject(delivery(body))).statusCode, 200)
  const over = Buffer.concat([body, Buffer.from(' ')])
  const res = await app.inject(delivery(over))
  t.equal(res.statusCode, 413)
  errorBody(t, res.body, 413, 'FST_ERR_CTP_BODY_TOO_LARGE')
})

t.test('the default bodyLimit is 1 MiB', async (t) => {
  const app = await build(t)
  const padding = 'p'.repeat(1_048_576)
  t.equal((await app.inject(delivery(`{"padding":"${padding}"}`))).statusCode, 413)
  t.equal((await app.inject(delivery(`{"p":"${padding.slice(0, 1000)}"}`))).statusCode, 200)
})

t.test('POST signed but not JSON answers 400, before any handler runs', async (t) => {
  const app = await build(t)
  let ran = 0
  app.x.onAny(() => { ran++ })
  const bodies: Array<[string, Buffer | string, string]> = [
    ['garbage', 'not json at all', 'FST_ERR_CTP_INVALID_JSON_BODY'],
    ['truncated', FOLLOW.subarray(0, 50), 'FST_ERR_CTP_INVALID_JSON_BODY'],
    ['empty', '', 'FST_ERR_CTP_EMPTY_JSON_BODY'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'FST_XWH_INVALID_BODY'],
    ['__proto__', '{"for_user_id":"1","__proto__":{"polluted":true}}', 'FST_ERR_CTP_INVALID_JSON_BODY'],
    ['constructor.prototype', '{"constructor":{"prototype":{"polluted":true}}}', 'FST_ERR_CTP_INVALID_JSON_BODY']
  ]
  for (const [name, body, code] of bodies) {
    const res = await app.inject(delivery(body))
    t.equal(res.statusCode, 400, name)
    errorBody(t, res.body, 400, code)
  }
  t.equal(ran, 0)
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})

t.test('POST signed JSON of a shape no product uses answers 200 and is emitted as unknown', async (t) => {
  const app = await build(t)
  const seen: AnyXEvent[] = []
  app.x.on('unknown', (event) => { seen.push(event) })
  const res = await app.inject(delivery({ hello: 'world' }))
  t.equal(res.statusCode, 200)
  t.match(seen, [{ type: 'unknown', product: 'webhook', payload: { hello: 'world' } }])
})

t.test('POST accepted answers 200 only after every handler settled (after-handlers)', async (t) => {
  const app = await build(t)
  const finished: string[] = []
  app.x.on('like.create', async (event) => { await sleep(20); finished.push(event.id) })
  const res = await app.inject(delivery(FAVORITES))
  t.equal(res.statusCode, 200)
  t.equal(finished.length, 1, 'the handler finished before the answer')
})

t.test('immediate mode answers 200 before handlers finish', async (t) => {
  const app = await build(t, { ack: 'immediate' })
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let finished = false
  app.x.on('follow', async () => { await gate; finished = true })
  const res = await app.inject(delivery(FOLLOW))
  t.equal(res.statusCode, 200)
  t.equal(finished, false)
  release()
  await sleep(1)
  t.equal(finished, true)
})

t.test('a failing handler answers 500 after-handlers; the others still run; onError gets all errors together', async (t) => {
  const app = await build(t)
  const ran: string[] = []
  const failures: XHandlersError[] = []
  app.x.on('follow.follow', () => { ran.push('sync throw'); throw new Error('handler secret detail') })
  app.x.on('follow', async () => { await sleep(5); ran.push('async reject'); throw new TypeError('second') })
  app.x.on('xaa:follow.follow', async () => { await sleep(10); ran.push('ok') })
  app.x.onError((error) => { failures.push(error) })
  const res = await app.inject(delivery(FOLLOW))
  t.equal(res.statusCode, 500)
  errorBody(t, res.body, 500, 'FST_XWH_HANDLER_FAILED')
  t.notMatch(res.body, /handler secret detail|second/)
  t.same(ran.sort(), ['async reject', 'ok', 'sync throw'])
  t.equal(failures.length, 1)
  t.equal(failures[0]?.errors.length, 2)
  t.equal(failures[0]?.event.type, 'follow.follow')
})

t.test('one failing event of a batch fails the delivery; the others are handled', async (t) => {
  const app = await build(t)
  const body = JSON.parse(FAVORITES.toString())
  const item = body.favorite_events[0]
  body.favorite_events = [item, { ...item, id: 'second' }, { ...item, id: 'third' }]
  const handled: string[] = []
  app.x.on('like.create', (event) => {
    if (event.id.endsWith('second')) throw new Error('boom')
    handled.push(event.id)
  })
  t.equal((await app.inject(delivery(body))).statusCode, 500)
  t.equal(handled.length, 2)
})

t.test('handlers that outlive handlerTimeout: 200, they keep running, a late failure reaches onError', async (t) => {
  const app = await build(t, { handlerTimeout: 20 })
  let lateFailure: XHandlersError | undefined
  const reported = new Promise<void>((resolve) => { app.x.onError((error) => { lateFailure = error; resolve() }) })
  let finished = false
  app.x.on('follow', async () => { await sleep(60); finished = true; throw new Error('late') })
  const res = await app.inject(delivery(FOLLOW))
  t.equal(res.statusCode, 200)
  t.equal(finished, false)
  await reported
  t.equal(finished, true)
  t.equal((lateFailure?.errors[0] as Error).message, 'late')
})

t.test('in immediate mode a failure reaches onError while X already has its 200', async (t) => {
  const app = await build(t, { ack: 'immediate' })
  const reported = new Promise<XHandlersError>((resolve) => { app.x.onError(resolve) })
  app.x.on('follow', () => { throw new Error('after the answer') })
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
  t.equal(((await reported).errors[0] as Error).message, 'after the answer')
})

t.test('a delivery with no matching handler answers 200', async (t) => {
  const app = await build(t)
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 200)
})

t.test('the path is configurable, and other methods on it are not served', async (t) => {
  const app = await build(t, { path: '/hooks/x-activity' })
  t.equal((await app.inject('/hooks/x-activity?crc_token=challenge_string')).statusCode, 200)
  t.equal((await app.inject(delivery(FOLLOW, SECRET, { url: '/hooks/x-activity' }))).statusCode, 200)
  t.equal((await app.inject(delivery(FOLLOW))).statusCode, 404)
  t.equal((await app.inject({ method: 'PUT', url: '/hooks/x-activity' })).statusCode, 404)
})

t.test('the host\'s onProtoPoisoning policy applies to deliveries too', async (t) => {
  const app = await build(t, {}, { onProtoPoisoning: 'remove' })
  const seen: AnyXEvent[] = []
  app.x.onAny((event) => { seen.push(event) })
  t.equal((await app.inject(delivery('{"hello":"world","__proto__":{"polluted":true}}'))).statusCode, 200)
  t.same(seen[0]?.payload, { hello: 'world' })
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})
