import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { createEvent, isRecord, unknownEvent, type DeliveryContext } from './event.js'
import type { AnyXEvent } from './types.js'

// Only the fields the normaliser reads are checked; the rest of each v1.1 object passes through untouched.
const IdStr = Type.Object({ id_str: Type.String() })
const Timestamp = Type.Union([Type.String(), Type.Number()])
const TweetSchema = Type.Object({
  id_str: Type.String(),
  user: IdStr,
  in_reply_to_user_id_str: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  retweeted_status: Type.Optional(Type.Object({ user: IdStr })),
  quoted_status: Type.Optional(Type.Object({ user: IdStr }))
})
const RelationshipSchema = Type.Object({ type: Type.String(), source: IdStr, target: IdStr, created_timestamp: Timestamp })
const FavoriteSchema = Type.Object({ id: Type.String() })
const MessageSchema = Type.Object({ id: Type.String(), message_create: Type.Object({ sender_id: Type.String() }) })
const TypingSchema = Type.Object({
  sender_id: Type.String(), target: Type.Object({ recipient_id: Type.String() }), created_timestamp: Timestamp
})
const TweetDeleteSchema = Type.Object({ status: Type.Object({ id: Type.String(), user_id: Type.String() }) })
const RevokeSchema = Type.Object({
  date_time: Type.String(), source: Type.Object({ user_id: Type.String() }), target: Type.Object({ app_id: Type.String() })
})
const isRevoke = TypeCompiler.Compile(RevokeSchema)

/** How one `<kind>_events` array becomes events: the item's shape, its event type, and its native (or derived) id. */
interface Kind<S extends TSchema> {
  check: ReturnType<typeof TypeCompiler.Compile<S>>
  /** Undefined when the item is of this kind's shape but of no type this kind has (a `follow_events` item typed `block`). */
  typeOf (item: Static<S>, forUserId: string): string | undefined
  nativeId (item: Static<S>): string
}

function kind<S extends TSchema> (schema: S, typeOf: Kind<S>['typeOf'], nativeId: Kind<S>['nativeId']): Kind<S> {
  return { check: TypeCompiler.Compile(schema), typeOf, nativeId }
}

/** Classifies a post the subscribed user did not write by how it involves them. */
function postType (tweet: Static<typeof TweetSchema>, forUserId: string): string {
  if (tweet.user.id_str === forUserId) return 'post.create'
  if (tweet.retweeted_status?.user.id_str === forUserId) return 'post.repost.create'
  if (tweet.quoted_status?.user.id_str === forUserId) return 'post.quote.create'
  if (tweet.in_reply_to_user_id_str === forUserId) return 'post.reply.create'
  return 'post.mention.create'
}

/** Follow, block and mute items have no id: the pair, the action and its time identify one. */
function relationship (types: Readonly<Record<string, string>>): Kind<typeof RelationshipSchema> {
  return kind(
    RelationshipSchema,
    (item) => Object.hasOwn(types, item.type) ? types[item.type] : undefined,
    (item) => `${item.source.id_str}:${item.target.id_str}:${item.created_timestamp}`
  )
}

const follow = relationship({ follow: 'follow.follow', unfollow: 'follow.unfollow' })
const block = relationship({ block: 'block.block', unblock: 'block.unblock' })
const mute = relationship({ mute: 'mute.mute', unmute: 'mute.unmute' })
const typingId = (item: Static<typeof TypingSchema>): string =>
  `${item.sender_id}:${item.target.recipient_id}:${item.created_timestamp}`

const KINDS: Readonly<Record<string, Kind<TSchema>>> = {
  tweet_create_events: kind(TweetSchema, postType, (tweet) => tweet.id_str),
  favorite_events: kind(FavoriteSchema, () => 'like.create', (item) => item.id),
  follow_events: follow,
  unfollow_events: follow,
  block_events: block,
  unblock_events: block,
  mute_events: mute,
  unmute_events: mute,
  direct_message_events: kind(
    MessageSchema,
    (message, forUserId) => message.message_create.sender_id === forUserId ? 'dm.sent' : 'dm.received',
    (message) => message.id
  ),
  direct_message_indicate_typing_events: kind(TypingSchema, () => 'dm.indicate_typing', typingId),
  direct_message_mark_read_events: kind(TypingSchema, () => 'dm.read', typingId),
  tweet_delete_events: kind(TweetDeleteSchema, () => 'post.delete', (item) => item.status.id)
} as Record<string, Kind<TSchema>>

/** True for an Account Activity API body: `<kind>_events` arrays for a user, or a `user_event` (revoke). */
export function isAaaDelivery (body: Record<string, unknown>): boolean {
  return isRecord(body.user_event) ||
    (typeof body.for_user_id === 'string' && Object.keys(body).some((key) => key.endsWith('_events')))
}

function normalizeItem (context: DeliveryContext, kind: Kind<TSchema> | undefined, item: unknown, forUserId: string): AnyXEvent {
  const type = kind?.check.Check(item) === true ? kind.typeOf(item, forUserId) : undefined
  if (kind === undefined || type === undefined) return unknownEvent(context, 'aaa', item, forUserId)
  // The type and the native id together: a post and its deletion share the post's id.
  return createEvent(context, 'aaa', type, `${type}:${kind.nativeId(item)}`, forUserId, item)
}

/** One event per item of every `<kind>_events` array (AAA batches), or one `oauth.revoke` for a `user_event`. */
export function normalizeAaa (context: DeliveryContext): AnyXEvent[] {
  const { body } = context
  if (isRecord(body.user_event)) {
    const { revoke } = body.user_event
    if (!isRevoke.Check(revoke)) return [unknownEvent(context, 'aaa', body.user_event)]
    const id = `oauth.revoke:${revoke.source.user_id}:${revoke.target.app_id}:${revoke.date_time}`
    return [createEvent(context, 'aaa', 'oauth.revoke', id, revoke.source.user_id, revoke)]
  }
  const forUserId = body.for_user_id as string
  const events: AnyXEvent[] = []
  for (const [key, items] of Object.entries(body)) {
    if (!key.endsWith('_events')) continue
    const kind = Object.hasOwn(KINDS, key) ? KINDS[key] : undefined
    // A lone item where X sends an array is still read, rather than dropped.
    for (const item of [items].flat()) events.push(normalizeItem(context, kind, item, forUserId))
  }
  return events
}
