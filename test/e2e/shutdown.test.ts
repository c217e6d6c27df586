import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import t from 'tap'
import xWebhooks, { signPayload, type FastifyXWebhooksOptions } from '../../lib/index.js'
import { fixture, SECRET } from '../helpers.js'

const FOLLOW = fixture('xaa/follow.follow')
const UNFOLLOW = fixture('xaa/follow.unfollow')

async function listening (options: Partial<FastifyXWebhooksOptions>, serverOptions: FastifyServerOptions = {}): Promise<{ app: FastifyInstance, port: number }> {
  const app = Fastify(serverOptions)
  await app.register(xWebhooks, { consumerSecret: SECRET, ...options })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  return { app, port: typeof address === 'object' && address !== null ? address.port : 0 }
}

async function post (port: number, body: Buffer): Promise<Response> {
  return await fetch(`http://127.0.0.1:${port}/webhooks/x`, {
    method: 'POST', body, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signPayload(body, SECRET) }
  })
}

/** Starts `app.close()` while a first delivery's handlers run, then sends a second delivery on a new connection. */
async function deliverDuringShutdown (app: FastifyInstance, port: number): Promise<{ first: Response, second: Response }> {
  const first = post(port, FOLLOW)
  await sleep(30)
  const closed = app.close()
  await sleep(20)
  const second = await post(port, UNFOLLOW)
  await closed
  return { first: await first, second }
}

t.test('app.close() waits for handlers still running after the answer (immediate mode)', async (t) => {
  const { app, port } = await listening({ ack: 'immediate' })
  let finished = false
  app.x.on('follow', async () => { await sleep(100); finished = true })
  const response = await post(port, FOLLOW)
  t.equal(response.status, 200)
  t.equal(finished, false)
  await app.close()
  t.equal(finished, true, 'close() resolved only after the handler finished')
})

t.test('app.close() waits at most handlerTimeout for handlers that never finish', async (t) => {
  const { app, port } = await listening({ ack: 'immediate', handlerTimeout: 50 })
  let finished = false
  app.x.on('follow', async () => { await new Promise(() => {}); finished = true })
  await post(port, FOLLOW)
  await app.close()
  t.equal(finished, false, 'close() gave up waiting instead of hanging')
})

t.test('a delivery arriving during shutdown gets 503 so that X delivers it elsewhere; the first still completes', async (t) => {
  const { app, port } = await listening({}, { return503OnClosing: false })
  const handled: string[] = []
  app.x.on('follow', async (event) => { await sleep(100); handled.push(event.type) })
  const { first, second } = await deliverDuringShutdown(app, port)
  t.equal(first.status, 200)
  t.equal(second.status, 503)
  t.match(await second.json(), { statusCode: 503, code: 'FST_XWH_SHUTTING_DOWN' })
  t.same(handled, ['follow.follow'], 'the unfollow was not run: X will deliver it again')
})

t.test('with Fastify\'s own return503OnClosing (the default) the answer is 503 too', async (t) => {
  const { app, port } = await listening({})
  app.x.on('follow', async () => { await sleep(100) })
  const { first, second } = await deliverDuringShutdown(app, port)
  t.equal(first.status, 200)
  t.equal(second.status, 503)
})
