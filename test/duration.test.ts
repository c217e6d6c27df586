import t from 'tap'
import { parseDuration } from '../lib/duration.js'

t.test('durations: milliseconds, or a number and a unit', async (t) => {
  const cases: Array<[unknown, number | undefined]> = [
    [250, 250], [0.5, 0.5], ['500ms', 500], ['30s', 30_000], ['15m', 900_000], ['1.5h', 5_400_000], [' 2m ', 120_000],
    [0, undefined], [-1, undefined], [Number.NaN, undefined], [Infinity, undefined], ['0s', undefined], ['15', undefined],
    ['15 m', undefined], ['1d', undefined], ['m', undefined], [null, undefined], [undefined, undefined], [{}, undefined]
  ]
  for (const [value, expected] of cases) t.equal(parseDuration(value), expected, JSON.stringify(value) ?? String(value))
})
