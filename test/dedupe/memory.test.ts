import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { createMemoryStore } from '../../lib/index.js'

t.test('claim, complete and release move an id through its states', async (t) => {
  const store = createMemoryStore()
  t.equal(await store.claim('a', 1000), 'claimed')
  t.equal(await store.claim('a', 1000), 'running', 'a second copy while the first runs')
  await store.release('a')
  t.equal(await store.claim('a', 1000), 'claimed', 'released: a redelivery runs it again')
  await store.complete('a', 1000)
  t.equal(await store.claim('a', 1000), 'done')
  await store.release('a')
  t.equal(await store.claim('a', 1000), 'done', 'a late release never forgets a handled event')
})

t.test('a claim expires after its ttl, so a crashed holder does not lose the event', async (t) => {
  const store = createMemoryStore()
  t.equal(await store.claim('a', 20), 'claimed')
  await sleep(40)
  t.equal(await store.claim('a', 20), 'claimed')
})

t.test('a handled id is remembered for its ttl, then forgotten', async (t) => {
  const store = createMemoryStore()
  await store.claim('a', 1000)
  await store.complete('a', 20)
  t.equal(await store.claim('a', 1000), 'done')
  await sleep(40)
  t.equal(await store.claim('a', 1000), 'claimed')
})

t.test('at most max ids are kept: memory stays flat, the least recently seen go first', async (t) => {
  const store = createMemoryStore({ max: 2 })
  for (const id of ['a', 'b']) {
    await store.claim(id, 1000)
    await store.complete(id, 60_000)
  }
  t.equal(await store.claim('a', 1000), 'done', 'touching a makes b the least recently seen')
  await store.claim('c', 1000)
  t.equal(await store.claim('a', 1000), 'done')
  t.equal(await store.claim('b', 1000), 'claimed', 'b was forgotten')
})

t.test('checkpoints: the later time is kept, apart from the ids (a flood of ids never evicts them)', async (t) => {
  const store = createMemoryStore({ max: 2 })
  t.equal(await store.loadCheckpoint?.('checkpoint:/a'), undefined)
  await store.saveCheckpoint?.('checkpoint:/a', 2000)
  await store.saveCheckpoint?.('checkpoint:/a', 1000)
  await store.saveCheckpoint?.('checkpoint:/b', 500)
  for (const id of ['x', 'y', 'z']) await store.claim(id, 1000)
  t.equal(await store.loadCheckpoint?.('checkpoint:/a'), 2000)
  t.equal(await store.loadCheckpoint?.('checkpoint:/b'), 500)
})
