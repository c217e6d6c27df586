import t from 'tap'
import { normalizeDelivery, type AnyXEvent } from '../../lib/index.js'
import { fixtureJson } from '../helpers.js'

type Body = any

const USER = '2244994945'
const OTHER = '3001969357'

/** The first item of a fixture's `<kind>_events` array, a fresh copy each time. */
function item (name: string, kind: string): Body {
  return structuredClone(fixtureJson(name)[kind] as Body[])[0]
}

const summary = (events: AnyXEvent[]) => events.map(({ type, product, forUserId }) => ({ type, product, forUserId }))

t.test('a batch of three favorite_events is three like.create events with distinct ids', async (t) => {
  const favorites = ['a1', 'b2', 'c3'].map((id) => ({ ...item('aaa/favorite', 'favorite_events'), id }))
  const body = { for_user_id: USER, favorite_events: favorites }
  const events = normalizeDelivery(body)
  t.strictSame(summary(events), favorites.map(() => ({ type: 'like.create', product: 'aaa', forUserId: USER })))
  t.strictSame(events.map(({ payload }) => payload), favorites)
  t.equal(new Set(events.map(({ id }) => id)).size, 3)
  for (const event of events) t.equal(event.envelope, body)
})

t.test('a tweet_create item is classified by how it involves the subscribed user', async (t) => {
  const own = item('aaa/tweet_create', 'tweet_create_events')
  const cases: Array<[type: string, change: (tweet: Body) => void]> = [
    ['post.create', (tweet) => { tweet.user = own.user }],
    // The author comes first: the user replying to themselves (a thread) is still their own post.
    ['post.create', (tweet) => { tweet.user = own.user; tweet.in_reply_to_user_id_str = USER }],
    ['post.repost.create', (tweet) => { tweet.retweeted_status = own }],
    ['post.quote.create', (tweet) => { tweet.quoted_status = own; tweet.is_quote_status = true }],
    ['post.reply.create', (tweet) => { tweet.in_reply_to_user_id_str = USER }],
    ['post.mention.create', () => {}],
    // Reposts, quotes and replies of someone else's post, that only mention the user.
    ['post.mention.create', (tweet) => { tweet.retweeted_status = { ...own, user: { id_str: OTHER } } }],
    ['post.mention.create', (tweet) => { tweet.quoted_status = { ...own, user: { id_str: OTHER } } }],
    ['post.mention.create', (tweet) => { tweet.in_reply_to_user_id_str = OTHER }]
  ]
  for (const [index, [type, change]] of cases.entries()) {
    const tweet = item('aaa/tweet_create_mention', 'tweet_create_events')
    change(tweet)
    const [event, ...rest] = normalizeDelivery({ for_user_id: USER, tweet_create_events: [tweet] })
    t.equal(rest.length, 0)
    t.match(event, { type, product: 'aaa', forUserId: USER, id: `aaa:${USER}:${type}:${tweet.id_str}` }, `case ${index}: ${type}`)
    t.equal(event?.payload, tweet)
  }
})

t.test('a direct message is dm.sent when the subscribed user sent it, else dm.received', async (t) => {
  const sent = fixtureJson('aaa/direct_message')
  sent.for_user_id = '3001969357' // the fixture's sender
  const received = fixtureJson('aaa/direct_message')
  t.match(normalizeDelivery(sent), [{ type: 'dm.sent', forUserId: '3001969357', id: 'aaa:3001969357:dm.sent:954491830116155396' }])
  t.match(normalizeDelivery(received), [{ type: 'dm.received', forUserId: '4337869213' }])
})

t.test('unfollow_events, unblock_events and unmute_events are read like follow, block and mute events', async (t) => {
  const cases = [
    { kind: 'unfollow_events', item: item('aaa/unfollow', 'follow_events'), type: 'follow.unfollow' },
    { kind: 'unblock_events', item: item('aaa/unblock', 'block_events'), type: 'block.unblock' },
    { kind: 'unmute_events', item: item('aaa/unmute', 'mute_events'), type: 'mute.unmute' }
  ]
  for (const { kind, item, type } of cases) {
    const aliased = normalizeDelivery({ for_user_id: USER, [kind]: [item] })
    const usual = normalizeDelivery({ for_user_id: USER, [kind.slice(2)]: [item] })
    t.match(aliased, [{ type, product: 'aaa', forUserId: USER }], kind)
    t.equal(aliased[0]?.payload, item)
    t.equal(aliased[0]?.id, usual[0]?.id, 'same id as under its usual kind')
  }
})

t.test('an AAA delivery carrying several kinds at once becomes one event per item, in order', async (t) => {
  const body = {
    for_user_id: USER,
    favorite_events: [item('aaa/favorite', 'favorite_events')],
    follow_events: [item('aaa/follow', 'follow_events'), item('aaa/unfollow', 'follow_events')],
    tweet_create_events: [item('aaa/tweet_create', 'tweet_create_events')]
  }
  const events = normalizeDelivery(body)
  t.strictSame(events.map(({ type }) => type), ['like.create', 'follow.follow', 'follow.unfollow', 'post.create'])
  t.strictSame(events.map(({ payload }) => payload), [...body.favorite_events, ...body.follow_events, ...body.tweet_create_events])
  t.ok(events.every((event) => event.product === 'aaa' && event.forUserId === USER && event.envelope === body))
})

t.test('items of an unknown kind are each an unknown event of product aaa', async (t) => {
  const items = [{ widget: 1 }, { widget: 2 }]
  const events = normalizeDelivery({ for_user_id: USER, widget_spin_events: items })
  t.strictSame(summary(events), [
    { type: 'unknown', product: 'aaa', forUserId: USER },
    { type: 'unknown', product: 'aaa', forUserId: USER }
  ])
  t.strictSame(events.map(({ payload }) => payload), items)
  t.not(events[0]?.id, events[1]?.id)
})

t.test('an item its kind cannot read is an unknown event of product aaa', async (t) => {
  const follow = item('aaa/follow', 'follow_events')
  const cases: Array<[string, Body]> = [
    ['follow_events', { ...follow, type: 'block' }],
    ['follow_events', { ...follow, type: 'constructor' }],
    ['follow_events', { ...follow, source: {} }],
    ['block_events', follow],
    ['favorite_events', { id: 42 }],
    ['direct_message_events', { id: '1', message_create: {} }],
    ['tweet_create_events', { id_str: '1' }],
    ['tweet_delete_events', {}],
    ['direct_message_mark_read_events', null]
  ]
  for (const [index, [kind, bad]] of cases.entries()) {
    const events = normalizeDelivery({ for_user_id: USER, [kind]: [bad] })
    t.strictSame(summary(events), [{ type: 'unknown', product: 'aaa', forUserId: USER }], `case ${index}: ${kind}`)
    t.equal(events[0]?.payload, bad)
  }
})

t.test('an unreadable item does not hide the rest of its batch', async (t) => {
  const follow = item('aaa/follow', 'follow_events')
  const events = normalizeDelivery({ for_user_id: USER, follow_events: [{ type: 'follow' }, follow] })
  t.match(events, [{ type: 'unknown', payload: { type: 'follow' } }, { type: 'follow.follow', payload: follow }])
})

t.test('a lone item where X sends an array is still read', async (t) => {
  const favorite = item('aaa/favorite', 'favorite_events')
  t.match(normalizeDelivery({ for_user_id: USER, favorite_events: favorite }), [{ type: 'like.create', payload: favorite }])
})

t.test('a revoke carries no for_user_id: the event is for the user who revoked', async (t) => {
  const body = fixtureJson('aaa/user_event_revoke') as Body
  t.match(normalizeDelivery(body), [{ type: 'oauth.revoke', product: 'aaa', forUserId: '63046977', payload: body.user_event.revoke }])
})

t.test('a user_event that is not a well-formed revoke is one unknown event of product aaa', async (t) => {
  const revoke = (fixtureJson('aaa/user_event_revoke') as Body).user_event.revoke
  const userEvents = [{}, { revoke: { ...revoke, source: {} } }, { revoke: { ...revoke, date_time: 1 } }, { revoke: 'yes' }]
  for (const userEvent of userEvents) {
    const events = normalizeDelivery({ user_event: userEvent })
    t.strictSame(summary(events), [{ type: 'unknown', product: 'aaa', forUserId: undefined }], JSON.stringify(userEvent))
    t.equal(events[0]?.payload, userEvent)
  }
})

t.test('an AAA body with an empty batch has no events', async (t) => {
  t.strictSame(normalizeDelivery({ for_user_id: USER, favorite_events: [] }), [])
})

t.test('ids are per subscribed user, and stable across deliveries and replays', async (t) => {
  const favorite = item('aaa/favorite', 'favorite_events')
  const [liker] = normalizeDelivery({ for_user_id: OTHER, favorite_events: [favorite] })
  const [liked] = normalizeDelivery({ for_user_id: USER, favorite_events: [favorite] })
  t.not(liker?.id, liked?.id, 'two subscribed users in one interaction get two ids')

  const [again] = normalizeDelivery({ for_user_id: USER, favorite_events: [structuredClone(favorite)] })
  t.equal(again?.id, liked?.id, 'redelivery keeps the id')

  const replayed = normalizeDelivery({ for_user_id: USER, favorite_events: [favorite, { ...favorite, id: 'x' }], meta: { replay: true } })
  t.strictSame(replayed.map(({ replay }) => replay), [true, true], 'every event of a replayed delivery is marked')
  t.equal(replayed[0]?.id, liked?.id, 'a replay keeps the id')
})

t.test('relationship keys tell apart actions, pairs and times, with string or number timestamps', async (t) => {
  const follow = item('aaa/follow', 'follow_events')
  const id = (changes: Body) => normalizeDelivery({ for_user_id: USER, follow_events: [{ ...follow, ...changes }] })[0]?.id
  const base = id({})
  t.not(id({ type: 'unfollow' }), base)
  t.not(id({ created_timestamp: '1517588749179' }), base)
  t.not(id({ source: follow.target, target: follow.source }), base)
  t.equal(id({ created_timestamp: Number(follow.created_timestamp) }), base)
})
