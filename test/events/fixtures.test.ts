import t from 'tap'
import { normalizeDelivery, type XProduct } from '../../lib/index.js'
import { fixtures } from '../helpers.js'

type Body = any

interface Expected {
  type: string
  product: XProduct
  forUserId: string | undefined
  id: string
}

interface Row {
  events: Expected[]
  /** The product-native item each event must carry as its payload. */
  payloads: (body: Body) => unknown[]
}

const USER = '1111111111111111111'

// Every fixture, with the events it must become. Ids follow DESIGN §3: product, subscribed user, then the event type
// and the native id (XAA event_uuid, AAA item id, stream post id), or for AAA items without an id (follow, block,
// mute, typing, read, revoke) their source, target and time.
function aaa (kind: string, type: string, forUserId: string, id: string): Row {
  return {
    events: [{ type, product: 'aaa', forUserId, id }],
    payloads: (body) => body[kind]
  }
}

function xaa (type: string, forUserId: string | undefined, id: string): Row {
  return {
    events: [{ type, product: 'xaa', forUserId, id }],
    payloads: (body) => [body.data.payload]
  }
}

function replay (type: string, id: string): Row {
  return {
    events: [{ type, product: 'webhook', forUserId: undefined, id }],
    payloads: (body) => [body.replay_job_status]
  }
}

const TABLE: Record<string, Row> = {
  'aaa/block': aaa('block_events', 'block.block', '2244994945', 'aaa:2244994945:block.block:2244994945:3001969357:1518127020304'),
  'aaa/direct_message': aaa('direct_message_events', 'dm.received', '4337869213', 'aaa:4337869213:dm.received:954491830116155396'),
  'aaa/direct_message_indicate_typing': aaa('direct_message_indicate_typing_events', 'dm.indicate_typing', '4337869213', 'aaa:4337869213:dm.indicate_typing:3284025577:3001969357:1518127183443'),
  'aaa/direct_message_mark_read': aaa('direct_message_mark_read_events', 'dm.read', '4337869213', 'aaa:4337869213:dm.read:199566737:3001969357:1518452444662'),
  'aaa/favorite': aaa('favorite_events', 'like.create', '2244994945', 'aaa:2244994945:like.create:a7ba59eab0bfcba386f7acedac279542'),
  'aaa/follow': aaa('follow_events', 'follow.follow', '2244994945', 'aaa:2244994945:follow.follow:3001969357:2244994945:1517588749178'),
  'aaa/mute': aaa('mute_events', 'mute.mute', '2244994945', 'aaa:2244994945:mute.mute:2244994945:3001969357:1518127020304'),
  'aaa/tweet_create': aaa('tweet_create_events', 'post.create', '2244994945', 'aaa:2244994945:post.create:977976425553743872'),
  'aaa/tweet_create_mention': aaa('tweet_create_events', 'post.mention.create', '2244994945', 'aaa:2244994945:post.mention.create:977976425553743873'),
  'aaa/tweet_delete': aaa('tweet_delete_events', 'post.delete', '930524282358325248', 'aaa:930524282358325248:post.delete:1045405559317569537'),
  'aaa/unblock': aaa('block_events', 'block.unblock', '2244994945', 'aaa:2244994945:block.unblock:2244994945:3001969357:1518127020304'),
  'aaa/unfollow': aaa('follow_events', 'follow.unfollow', '2244994945', 'aaa:2244994945:follow.unfollow:3001969357:2244994945:1517588749178'),
  'aaa/unmute': aaa('mute_events', 'mute.unmute', '2244994945', 'aaa:2244994945:mute.unmute:2244994945:3001969357:1518127020304'),
  'aaa/user_event_revoke': {
    events: [{
      type: 'oauth.revoke',
      product: 'aaa',
      forUserId: '63046977',
      id: 'aaa:63046977:oauth.revoke:63046977:13090192:2018-05-24T09:48:12+00:00'
    }],
    payloads: (body) => [body.user_event.revoke]
  },
  'control/replay_job_status_complete': replay('replay.complete', 'webhook::replay:1146654567674912769:1995507200941260800:Complete'),
  'control/replay_job_status_incomplete': replay('replay.incomplete', 'webhook::replay:1146654567674912769:1995507200941260800:Incomplete'),
  'stream/post': {
    events: [{ type: 'stream.post', product: 'stream', forUserId: undefined, id: 'stream::1346889436626259968' }],
    payloads: (body) => [body.data]
  },
  'xaa/broadcast.chat': xaa('broadcast.chat', USER, 'xaa:1111111111111111111:broadcast.chat:7365873565827875221'),
  'xaa/broadcast.end': xaa('broadcast.end', '1234567890123456789', 'xaa:1234567890123456789:broadcast.end:2234567890123456789'),
  'xaa/broadcast.start': xaa('broadcast.start', '1234567890123456789', 'xaa:1234567890123456789:broadcast.start:1234567890123456789'),
  'xaa/chat.received': xaa('chat.received', USER, 'xaa:1111111111111111111:chat.received:8511582263942905822'),
  'xaa/chat.sent': xaa('chat.sent', USER, 'xaa:1111111111111111111:chat.sent:3723060601307155846'),
  'xaa/dm.received': xaa('dm.received', USER, 'xaa:1111111111111111111:dm.received:-6850472171600526495'),
  'xaa/dm.sent': xaa('dm.sent', USER, 'xaa:1111111111111111111:dm.sent:-3577827201104920132'),
  'xaa/follow.follow': xaa('follow.follow', USER, 'xaa:1111111111111111111:follow.follow:-7953119945885597316'),
  'xaa/follow.unfollow': xaa('follow.unfollow', USER, 'xaa:1111111111111111111:follow.unfollow:-4233426745281461957'),
  'xaa/like.create': xaa('like.create', USER, 'xaa:1111111111111111111:like.create:-3402274206530057851'),
  // A keyword subscription has no user: its keyword scopes the id. oauth.revoke has an empty filter: the user
  // who revoked is in the payload, as in AAA.
  'xaa/news.new': xaa('news.new', undefined, 'xaa::keyword=OpenAI:news.new:2080756868147019827'),
  'xaa/oauth.revoke': xaa('oauth.revoke', '1111111111111111111', 'xaa:1111111111111111111:oauth.revoke:5934540941047412905'),
  'xaa/post.create': xaa('post.create', USER, 'xaa:1111111111111111111:post.create:2080761390344937796'),
  'xaa/post.delete': xaa('post.delete', USER, 'xaa:1111111111111111111:post.delete:-2781149976877970683'),
  'xaa/post.mention.create': xaa('post.mention.create', USER, 'xaa:1111111111111111111:post.mention.create:2080765813578191303'),
  'xaa/post.quote.create': xaa('post.quote.create', USER, 'xaa:1111111111111111111:post.quote.create:4172938465017283645'),
  'xaa/post.reply.create': xaa('post.reply.create', USER, 'xaa:1111111111111111111:post.reply.create:3091827364059182736'),
  'xaa/post.repost.create': xaa('post.repost.create', USER, 'xaa:1111111111111111111:post.repost.create:5283049576128394756'),
  'xaa/profile.update.banner_picture': xaa('profile.update.banner_picture', USER, 'xaa:1111111111111111111:profile.update.banner_picture:5061407317112342192'),
  'xaa/profile.update.bio': xaa('profile.update.bio', USER, 'xaa:1111111111111111111:profile.update.bio:-8917909039855612786'),
  'xaa/profile.update.geo': xaa('profile.update.geo', USER, 'xaa:1111111111111111111:profile.update.geo:8309664692915093892'),
  'xaa/profile.update.profile_picture': xaa('profile.update.profile_picture', USER, 'xaa:1111111111111111111:profile.update.profile_picture:3497989179769309099'),
  'xaa/profile.update.screenname': xaa('profile.update.screenname', USER, 'xaa:1111111111111111111:profile.update.screenname:4123434298221215973'),
  'xaa/profile.update.url': xaa('profile.update.url', USER, 'xaa:1111111111111111111:profile.update.url:-6055744140117128555'),
  'xaa/spaces.end': xaa('spaces.end', USER, 'xaa:1111111111111111111:spaces.end:-498317022904955631'),
  'xaa/spaces.start': xaa('spaces.start', USER, 'xaa:1111111111111111111:spaces.start:4093201169289922041')
}

t.test('every fixture has a row in the table, and every row a fixture', async (t) => {
  t.strictSame(fixtures().map(({ name }) => name), Object.keys(TABLE).sort())
})

t.test('every fixture becomes the events of its row', async (t) => {
  for (const { name, raw } of fixtures()) {
    const row = TABLE[name]
    if (row === undefined) continue // reported by the test above
    t.test(name, async (t) => {
      const body = JSON.parse(raw.toString('utf8'))
      const events = normalizeDelivery(body)
      t.strictSame(events.map(({ type, product, forUserId, id }) => ({ type, product, forUserId, id })), row.events)
      const payloads = row.payloads(body)
      t.equal(payloads.length, events.length, 'one event per native item')
      events.forEach((event, index) => {
        t.equal(event.replay, false, 'not a replay')
        t.equal(event.payload, payloads[index], 'payload is the native item')
        t.equal(event.envelope, body, 'envelope is the whole body')
      })
    })
  }
})

t.test('the same delivery normalised twice gets the same ids', async (t) => {
  for (const { name, raw } of fixtures()) {
    const ids = () => normalizeDelivery(JSON.parse(raw.toString('utf8'))).map(({ id }) => id)
    t.strictSame(ids(), ids(), name)
  }
})

t.test('no two fixtures share an event id', async (t) => {
  const ids = fixtures().flatMap(({ raw }) => normalizeDelivery(JSON.parse(raw.toString('utf8'))).map(({ id }) => id))
  t.equal(new Set(ids).size, ids.length)
})
