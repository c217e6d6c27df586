import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { Checkpoints } from '../lib/checkpoint.js'
import { createMemoryStore, type DedupeStore } from '../lib/index.js'
import { build, delivery, fixture, logCapture } from './helpers.js'
import Fastify from 'fastify'

const KEY = 'checkpoint:/webhooks/x'

function spy (store: DedupeStore = createMemoryStore()): { store: DedupeStore, saved: number[] } {
  const saved: number[] = []
  return {
    saved,
    store: {
      ...store,
      async saveCheckpoint (key, time) {
        saved.push(time)
        await store.saveCheckpoint?.(key, time)
      }
    }
  }
}

const log = Fastify().log

t.test('recorded at once, written at most once a second, never moved back', async (t) => {
  const { store, saved } = spy()
  const checkpoints = new Checkpoints(store, '/webhooks/x', log)
  checkpoints.record(3000)
  checkpoints.record(2000)
  checkpoints.record(4000)
  t.equal(await checkpoints.load(), 4000, 'the latest, before any write')
  t.equal(await checkpoints.load(false), undefined, 'nothing saved yet')
  t.same(saved, [])
  await sleep(1200)
  t.same(saved, [4000], 'one write for three deliveries')
  await checkpoints.flush()
  t.same(saved, [4000], 'nothing new: no write')
  t.equal(await store.loadCheckpoint?.(KEY), 4000)
})

t.test('a store without checkpoints keeps them in this process; a bad saved value is ignored', async (t) => {
  const { claim, complete, release } = createMemoryStore()
  const checkpoints = new Checkpoints({ claim, complete, release }, '/webhooks/x', log)
  t.equal(await checkpoints.load(), undefined)
  checkpoints.record(1000)
  await checkpoints.flush()
  t.equal(await checkpoints.load(), 1000)
  const garbage: DedupeStore = { ...createMemoryStore(), loadCheckpoint: async () => Number.NaN }
  t.equal(await new Checkpoints(garbage, '/webhooks/x', log).load(), undefined)
  t.equal(await new Checkpoints(undefined, '/webhooks/x', log).load(), undefined, 'dedupe: false')
})

t.test('a hold stops writes until released; a second release does nothing', async (t) => {
  const { store, saved } = spy()
  const checkpoints = new Checkpoints(store, '/webhooks/x', log)
  const release = checkpoints.hold()
  checkpoints.record(1000)
  await checkpoints.flush()
  t.same(saved, [])
  await release()
  t.same(saved, [1000])
  await release()
  checkpoints.record(2000)
  await checkpoints.flush()
  t.same(saved, [1000, 2000])
})

t.test('a store that cannot save is logged, never thrown', async (t) => {
  const capture = logCapture()
  const app = Fastify({ logger: { stream: capture.stream } })
  const failing: DedupeStore = { ...createMemoryStore(), saveCheckpoint: async () => { throw new Error('store down') } }
  const checkpoints = new Checkpoints(failing, '/webhooks/x', app.log)
  checkpoints.record(1000)
  await t.resolves(checkpoints.flush())
  t.match(capture.records(), [{ level: 50, msg: /could not save the checkpoint/, err: { message: 'store down' } }])
})

t.test('app.close() writes the last checkpoint', async (t) => {
  const { store, saved } = spy()
  const app = await build(t, { dedupe: { store } })
  const before = Date.now()
  t.equal((await app.inject(delivery(fixture('xaa/follow.follow')))).statusCode, 200)
  await app.close()
  t.equal(saved.length, 1)
  t.ok((saved[0] as number) >= before)
})

t.test('after close, the last write is done and later deliveries write nothing', async (t) => {
  const { store, saved } = spy()
  const checkpoints = new Checkpoints(store, '/webhooks/x', log)
  checkpoints.record(1000)
  await checkpoints.close()
  checkpoints.record(2000)
  await checkpoints.flush()
  t.same(saved, [1000])
  t.equal(await checkpoints.load(), 1000)
})
