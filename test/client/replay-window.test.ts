import t from 'tap'
import { replayWindow, xDate } from '../../lib/client/validate.js'
import { WEBHOOK_ID, standIn } from './stand-in.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
// A fixed "now" for the rounding rules: 2026-03-10 12:30:45.500 UTC.
const NOW = Date.UTC(2026, 2, 10, 12, 30, 45, 500)
const at = (offset: number): Date => new Date(NOW + offset)

t.test('X\'s yyyymmddhhmm, in UTC', async (t) => {
  t.equal(xDate(Date.UTC(2026, 0, 2, 3, 4, 59, 999)), '202601020304')
  t.equal(xDate(Date.UTC(2025, 11, 31, 23, 59)), '202512312359')
})

t.test('from rounds down and to rounds up, so the window covers both', async (t) => {
  t.same(replayWindow(at(-2 * HOUR), at(-HOUR), NOW), { fromDate: '202603101030', toDate: '202603101131' })
  t.same(replayWindow(new Date(Date.UTC(2026, 2, 10, 10, 0)), new Date(Date.UTC(2026, 2, 10, 11, 0)), NOW), { fromDate: '202603101000', toDate: '202603101100' }, 'whole minutes stay as they are')
  t.same(replayWindow(at(-HOUR), at(0), NOW), { fromDate: '202603101130', toDate: '202603101230' }, 'to = now: its own minute, since the next one has not begun')
  t.same(replayWindow(at(-HOUR), at(-46_000), NOW), { fromDate: '202603101130', toDate: '202603101230' }, 'the minute that just began is not in the future')
})

t.test('the 24-hour edge: from\'s minute is the next one when rounding down would leave the window', async (t) => {
  t.same(replayWindow(at(-24 * HOUR), at(-HOUR), NOW), { fromDate: '202603091231', toDate: '202603101131' })
  t.same(replayWindow(at(-24 * HOUR + 15_000), at(-HOUR), NOW), { fromDate: '202603091231', toDate: '202603101131' })
  t.same(replayWindow(new Date(Date.UTC(2026, 2, 9, 12, 31)), at(-HOUR), NOW), { fromDate: '202603091231', toDate: '202603101131' })
})

t.test('refusals say which rule, and how to fix it', async (t) => {
  const cases: Array<[unknown, unknown, RegExp]> = [
    [undefined, at(-HOUR), /invalid from: expected a valid Date, got undefined/],
    ['2026-03-10T10:00:00Z', at(-HOUR), /invalid from: expected a valid Date/],
    [new Date('nope'), at(-HOUR), /invalid from: expected a valid Date, got Invalid Date/],
    [at(-2 * HOUR), 1773140000000, /invalid to: expected a valid Date/],
    [at(-HOUR), at(-HOUR), /invalid replay window: from \(2026-03-10T11:30:45\.500Z\) must be before to \(2026-03-10T11:30:45\.500Z\)/],
    [at(-HOUR), at(-2 * HOUR), /must be before to/],
    [at(-HOUR), at(1), /to \(2026-03-10T12:30:45\.501Z\) is in the future; X replays what was already delivered: use a time up to now/],
    [at(-24 * HOUR - 1), at(-HOUR), /from \(2026-03-09T12:30:45\.499Z\) is more than 24 hours ago; X keeps deliveries for 24 hours: start at 2026-03-09T12:31:45\.500Z or later/],
    [at(-5_000), at(0), /X's dates have whole minutes, and from and to both fall in 202603101230/],
    [at(-24 * HOUR), at(-24 * HOUR + 10_000), /whole minutes/]
  ]
  for (const [from, to, message] of cases) {
    t.throws(() => replayWindow(from, to, NOW), { code: 'FST_XWH_INVALID_REQUEST', message }, `${String(from)} → ${String(to)}`)
  }
  t.ok(replayWindow(at(-5_000), at(14_500), NOW + 14_500), 'the same seconds across a minute boundary are fine')
})

t.test('client.webhooks.replay refuses a bad window or webhook id before sending', async (t) => {
  const x = await standIn(t)
  const client = x.client()
  const now = Date.now()
  await t.rejects(client.webhooks.replay({ webhookId: WEBHOOK_ID, from: new Date(now + HOUR), to: new Date(now + 2 * HOUR) }), { code: 'FST_XWH_INVALID_REQUEST', message: /in the future/ })
  await t.rejects(client.webhooks.replay({ webhookId: WEBHOOK_ID, from: new Date(now - 25 * HOUR), to: new Date(now - HOUR) }), { code: 'FST_XWH_INVALID_REQUEST', message: /24 hours/ })
  await t.rejects(client.webhooks.replay({ webhookId: 'w 1', from: new Date(now - 2 * HOUR), to: new Date(now - HOUR) }), { code: 'FST_XWH_INVALID_REQUEST', message: /webhookId/ })
  await t.rejects(client.webhooks.replay(undefined as never), { code: 'FST_XWH_INVALID_REQUEST', message: /webhookId/ })
  t.equal(x.seen.length, 0)
})
