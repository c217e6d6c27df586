import { fileURLToPath } from 'node:url'
import t from 'tap'
import { Clock } from '../../lib/emulator/clock.js'
import { findFixtures } from '../../lib/emulator/fixtures.js'

t.test('findFixtures looks upwards, and says when there are none', async (t) => {
  t.equal(findFixtures(fileURLToPath(new URL('.', import.meta.url))), fileURLToPath(new URL('../../fixtures', import.meta.url)))
  t.throws(() => findFixtures('/'), /no fixtures\/ directory above \//)
})

t.test('the clock runs due tasks in time order, and nothing once closed', async (t) => {
  const clock = new Clock()
  const ran: string[] = []
  const start = clock.now()
  clock.schedule(start + 2000, async () => { ran.push('b') })
  clock.schedule(start + 1000, async () => {
    ran.push('a')
    clock.schedule(clock.now() + 500, async () => { ran.push('a2') })
  })
  clock.schedule(start + 2000, async () => { ran.push('c') })
  await clock.advance(1900)
  t.same(ran, ['a', 'a2'])
  await clock.advance(200)
  t.same(ran, ['a', 'a2', 'b', 'c'], 'same time: in the order scheduled')
  clock.schedule(clock.now() + 10, async () => { ran.push('real') })
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(ran.at(-1), 'real', 'on a real timer')
  clock.close()
  clock.schedule(clock.now(), async () => { ran.push('late') })
  await clock.advance(10)
  t.equal(ran.length, 5)
})
