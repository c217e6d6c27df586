import t from 'tap'
import { normalizeDelivery } from '../../lib/index.js'
import { fixtureJson } from '../helpers.js'

type Body = any

const USER = '1111111111111111111'

/** A fixture's `data` object, a fresh copy each time. */
function data (name: string): Body {
  return fixtureJson(name).data
}

/** A delivery of the bio update fixture under another event_type. */
function typed (eventType: string): Body {
  return { data: { ...data('xaa/profile.update.bio'), event_type: eventType } }
}

t.test('data as an array is one event per item', async (t) => {
  const items = [data('xaa/follow.follow'), data('xaa/like.create')]
  const body = { data: items }
  const events = normalizeDelivery(body)
  t.strictSame(events.map(({ type, product, forUserId }) => ({ type, product, forUserId })), [
    { type: 'follow.follow', product: 'xaa', forUserId: USER },
    { type: 'like.create', product: 'xaa', forUserId: USER }
  ])
  t.strictSame(events.map(({ payload }) => payload), items.map(({ payload }) => payload))
  t.ok(events.every(({ envelope }) => envelope === body))
})

t.test('deprecated PascalCase event types are emitted under their dotted names', async (t) => {
  const names = {
    ProfileBioUpdate: 'profile.update.bio',
    ProfilePictureUpdate: 'profile.update.profile_picture',
    ProfileBannerPictureUpdate: 'profile.update.banner_picture',
    ProfileBannerUpdate: 'profile.update.banner_picture',
    ProfileScreennameUpdate: 'profile.update.screenname',
    ProfileGeoUpdate: 'profile.update.geo',
    ProfileUrlUpdate: 'profile.update.url',
    ProfileVerifiedBadgeUpdate: 'profile.update.verified_badge',
    NewsNew: 'news.new',
    FollowFollow: 'follow.follow',
    FollowUnfollow: 'follow.unfollow'
  }
  for (const [legacy, dotted] of Object.entries(names)) {
    const [event] = normalizeDelivery(typed(legacy))
    t.match(event, { type: dotted, product: 'xaa', forUserId: USER }, legacy)
    t.equal(event?.id, normalizeDelivery(typed(dotted))[0]?.id, `${legacy} keeps the id of ${dotted}`)
  }
})

t.test('chat.conversation_join is emitted as chat.conversation.join', async (t) => {
  t.match(normalizeDelivery(typed('chat.conversation_join')), [{ type: 'chat.conversation.join', product: 'xaa' }])
})

t.test('an event type this version does not know is emitted under its own name', async (t) => {
  const body = typed('widget.spin')
  t.match(normalizeDelivery(body), [{ type: 'widget.spin', product: 'xaa', forUserId: USER, payload: body.data.payload }])
  // Names that exist on Object.prototype are not looked up there.
  t.match(normalizeDelivery(typed('constructor')), [{ type: 'constructor', product: 'xaa' }])
})

t.test('an item without an event_uuid or event_type is an unknown event of product xaa', async (t) => {
  const { event_uuid: _, ...withoutUuid } = data('xaa/follow.follow')
  const items = [
    withoutUuid,
    { ...data('xaa/follow.follow'), event_uuid: '' },
    { ...data('xaa/follow.follow'), event_type: undefined },
    'follow.follow'
  ]
  for (const item of items) {
    const events = normalizeDelivery({ data: [item] })
    t.match(events, [{ type: 'unknown', product: 'xaa' }], JSON.stringify(item).slice(0, 60))
    t.equal(events[0]?.payload, item)
  }
})

t.test('an unreadable item does not hide the others of its delivery', async (t) => {
  const good = data('xaa/post.create')
  t.match(normalizeDelivery({ data: [{ event_type: 'post.create' }, good] }), [
    { type: 'unknown', product: 'xaa' },
    { type: 'post.create', product: 'xaa', payload: good.payload }
  ])
})

t.test('meta.replay marks every event of the delivery as a replay and keeps its id', async (t) => {
  const items = [data('xaa/follow.follow'), data('xaa/like.create')]
  const live = normalizeDelivery({ data: items })
  const replayed = normalizeDelivery({ data: items, meta: { replay: true } })
  t.strictSame(live.map(({ replay }) => replay), [false, false])
  t.strictSame(replayed.map(({ replay }) => replay), [true, true])
  t.strictSame(replayed.map(({ id }) => id), live.map(({ id }) => id))
  // Only X's boolean counts.
  t.strictSame(normalizeDelivery({ data: items, meta: { replay: 'true' } }).map(({ replay }) => replay), [false, false])
})

t.test('two users subscribed to the same interaction get different ids', async (t) => {
  const item = data('xaa/like.create')
  const [mine] = normalizeDelivery({ data: item })
  const [theirs] = normalizeDelivery({ data: { ...item, filter: { user_id: '3333333333333333333' } } })
  t.equal(mine?.forUserId, USER)
  t.equal(theirs?.forUserId, '3333333333333333333')
  t.not(mine?.id, theirs?.id, 'same event_uuid, two ids')
})

t.test('events about the same post under one subscription keep distinct ids', async (t) => {
  // Post events have been seen with the post id as event_uuid (the post.create fixture): a self-reply is both
  // post.create and post.reply.create for its author.
  const post = data('xaa/post.create')
  const [created] = normalizeDelivery({ data: post })
  const [reply] = normalizeDelivery({ data: { ...post, event_type: 'post.reply.create' } })
  t.not(created?.id, reply?.id)
})

t.test('two keyword subscriptions matching one event get two ids; the same keyword keeps its id', async (t) => {
  const item = { event_uuid: '77', event_type: 'news.new', payload: { id: '77' } }
  const [first] = normalizeDelivery({ data: { ...item, filter: { keyword: 'OpenAI' } } })
  const [second] = normalizeDelivery({ data: { ...item, filter: { keyword: 'ChatGPT' } } })
  const [again] = normalizeDelivery({ data: { ...item, filter: { keyword: 'OpenAI' } } })
  t.not(first?.id, second?.id)
  t.equal(first?.id, again?.id)
  t.equal(first?.forUserId, undefined)
})

t.test('XAA oauth.revoke names the user who revoked, like AAA, even without a filter user', async (t) => {
  const [revoke] = normalizeDelivery({ data: { event_uuid: '5', event_type: 'oauth.revoke', filter: {}, payload: { user_id: '42', app_id: '7', date_time: 'x' } } })
  t.equal(revoke?.forUserId, '42')
  const [malformed] = normalizeDelivery({ data: { event_uuid: '5', event_type: 'oauth.revoke', filter: {}, payload: 'nope' } })
  t.equal(malformed?.forUserId, undefined)
})
