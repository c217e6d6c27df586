import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import xWebhooks, { type FastifyXWebhooksOptions, type XHandlersError } from '../../lib/index.js'
import { fixture, fixtureJson, SECRET } from '../helpers.js'
import { deliverLikeX, listen, send } from './x-sender.js'

// The acknowledgement rules over real HTTP, with a sender that redelivers like X: anything but a 200 is retried.

async function service (t: Test, options: Partial<FastifyXWebhooksOptions> = {}): Promise<{ app: FastifyInstance, url: string }> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(xWebhooks, { consumerSecret: SECRET, ...options })
  return { app, url: await listen(app) }
}

t.test('after-handlers: a failing handler answers 500, and X\'s redelivery runs the event again', async (t) => {
  const { app, url } = await service(t)
  let attempts = 0
  app.x.on('follow.follow', () => { if (++attempts === 1) throw new Error('database busy') })
  t.same(await deliverLikeX(url, fixture('xaa/follow.follow')), [500, 200])
  t.equal(attempts, 2)
  t.equal(await send(url, fixture('xaa/follow.follow')), 200, 'a later copy is a duplicate')
  t.equal(attempts, 2)
})

t.test('after-handlers: events of the delivery that succeeded do not run again on redelivery', async (t) => {
  const { app, url } = await service(t)
  const body = fixtureJson('aaa/favorite') as { favorite_events: Array<Record<string, unknown>> }
  const item = body.favorite_events[0] as Record<string, unknown>
  body.favorite_events = [item, { ...item, id: 'flaky' }, { ...item, id: 'third' }]
  const runs: string[] = []
  let flakyFailed = false
  app.x.on('like.create', (event) => {
    runs.push(event.id.split(':').at(-1) as string)
    if (event.id.endsWith(':flaky') && !flakyFailed) { flakyFailed = true; throw new Error('flaky') }
  })
  t.same(await deliverLikeX(url, JSON.stringify(body)), [500, 200])
  t.same(runs.sort(), ['a7ba59eab0bfcba386f7acedac279542', 'flaky', 'flaky', 'third'])
})

t.test('past handlerTimeout the answer is 200, and a late failure reaches onError', async (t) => {
  const { app, url } = await service(t, { handlerTimeout: 30 })
  const reported = new Promise<XHandlersError>((resolve) => { app.x.onError(resolve) })
  app.x.on('follow', async () => { await sleep(80); throw new Error('too late to retry') })
  t.same(await deliverLikeX(url, fixture('xaa/follow.follow')), [200], 'X got its 200 and does not retry')
  const failure = await reported
  t.equal((failure.errors[0] as Error).message, 'too late to retry')
  t.equal(failure.event.type, 'follow.follow')
})

t.test('immediate: the answer does not wait for handlers, whose failures reach onError', async (t) => {
  const { app, url } = await service(t, { ack: 'immediate' })
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  const reported = new Promise<XHandlersError>((resolve) => { app.x.onError(resolve) })
  let finished = false
  app.x.on('follow', async () => { await gate; finished = true; throw new Error('lost: X already has its 200') })
  t.same(await deliverLikeX(url, fixture('xaa/follow.follow')), [200])
  t.equal(finished, false, 'answered while the handler was still waiting')
  release()
  t.equal(((await reported).errors[0] as Error).message, 'lost: X already has its 200')
})

t.test('a forged delivery is refused and never retried into a handler', async (t) => {
  const { app, url } = await service(t)
  let runs = 0
  app.x.onAny(() => { runs++ })
  t.equal(await send(url, fixture('xaa/follow.follow'), 'someone-else'), 401)
  t.equal(runs, 0)
})
