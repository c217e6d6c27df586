import type {
  AaaBlockItem, AaaDirectMessageDelivery, AaaDirectMessageItem, AaaFavoriteItem, AaaFollowItem, AaaMarkReadItem,
  AaaMuteItem, AaaRevoke, AaaRevokeDelivery, AaaEventsDelivery, AaaTweet, AaaTweetDeleteItem, AaaTypingItem
} from './payloads-aaa.js'
import type {
  XaaBroadcastChatPayload, XaaBroadcastPayload, XaaChatPayload, XaaDelivery, XaaDmPayload, XaaLikePayload,
  XaaNewsPayload, XaaOauthRevokePayload, XaaPostDeletePayload, XaaProfileUpdatePayload, XaaSourceTargetPayload,
  XaaSpacesPayload, PostV2
} from './payloads-xaa.js'
import type { ReplayJobStatus, ReplayJobStatusDelivery, StreamDelivery } from './payloads-stream.js'

/** Where a delivery came from: the X Activity API, the Account Activity API, Filtered Stream, or X's webhook service itself. */
export type XProduct = 'aaa' | 'xaa' | 'stream' | 'webhook'

/** What every event carries, whatever its product and type. */
export interface XEventOf<P extends XProduct, T extends string, Payload, Envelope> {
  /** The unified event type, e.g. `follow.follow`. */
  type: T
  product: P
  /** Stable de-duplication key: product, subscribed user and native id. The same event delivered twice keeps it. */
  id: string
  /** The subscribed user the event is for: AAA `for_user_id`, XAA `filter.user_id`. */
  forUserId: string | undefined
  /** True when X marked the delivery as a replay (`meta.replay`). */
  replay: boolean
  /** The product-native item this event was built from. */
  payload: Payload
  /** The whole parsed delivery body (includes, users and apps maps, matching_rules…). */
  envelope: Envelope
}

/** Payload of every X Activity API event type, by its dotted name. */
export interface XaaPayloads {
  'post.create': PostV2
  'post.delete': XaaPostDeletePayload
  'post.mention.create': PostV2
  'post.reply.create': PostV2
  'post.quote.create': PostV2
  'post.repost.create': PostV2
  'like.create': XaaLikePayload
  'follow.follow': XaaSourceTargetPayload
  'follow.unfollow': XaaSourceTargetPayload
  'mute.mute': XaaSourceTargetPayload
  'mute.unmute': XaaSourceTargetPayload
  'block.block': XaaSourceTargetPayload
  'block.unblock': XaaSourceTargetPayload
  'profile.update.bio': XaaProfileUpdatePayload
  'profile.update.profile_picture': XaaProfileUpdatePayload
  'profile.update.banner_picture': XaaProfileUpdatePayload
  'profile.update.screenname': XaaProfileUpdatePayload
  'profile.update.handle': XaaProfileUpdatePayload
  'profile.update.geo': XaaProfileUpdatePayload
  'profile.update.url': XaaProfileUpdatePayload
  'profile.update.verified_badge': XaaProfileUpdatePayload<unknown>
  'profile.update.affiliate_badge': XaaProfileUpdatePayload<unknown>
  'chat.received': XaaChatPayload
  'chat.sent': XaaChatPayload
  'chat.conversation.join': Record<string, unknown>
  'chat.conversation.member_added': Record<string, unknown>
  'chat.conversation.member_removed': Record<string, unknown>
  'chat.conversation.admin_added': Record<string, unknown>
  'chat.conversation.admin_removed': Record<string, unknown>
  'chat.update.group_name': Record<string, unknown>
  'chat.update.restrictions': Record<string, unknown>
  'dm.received': XaaDmPayload
  'dm.sent': XaaDmPayload
  'dm.read': XaaDmPayload
  'dm.indicate_typing': XaaDmPayload
  'news.new': XaaNewsPayload
  'spaces.start': XaaSpacesPayload
  'spaces.end': XaaSpacesPayload
  'broadcast.start': XaaBroadcastPayload
  'broadcast.end': XaaBroadcastPayload
  'broadcast.chat': XaaBroadcastChatPayload
  'oauth.revoke': XaaOauthRevokePayload
}

/** Payload of every Account Activity API event type: the v1.1 item the event was built from. */
export interface AaaPayloads {
  'post.create': AaaTweet
  'post.reply.create': AaaTweet
  'post.quote.create': AaaTweet
  'post.repost.create': AaaTweet
  'post.mention.create': AaaTweet
  'post.delete': AaaTweetDeleteItem
  'like.create': AaaFavoriteItem
  'follow.follow': AaaFollowItem
  'follow.unfollow': AaaFollowItem
  'block.block': AaaBlockItem
  'block.unblock': AaaBlockItem
  'mute.mute': AaaMuteItem
  'mute.unmute': AaaMuteItem
  'dm.sent': AaaDirectMessageItem
  'dm.received': AaaDirectMessageItem
  'dm.indicate_typing': AaaTypingItem
  'dm.read': AaaMarkReadItem
  'oauth.revoke': AaaRevoke
}

/** Envelope of each AAA event type: DM deliveries carry `users` and `apps`, revokes have no `for_user_id`. */
type AaaEnvelope<T extends keyof AaaPayloads> =
  T extends 'oauth.revoke' ? AaaRevokeDelivery
    : T extends `dm.${string}` ? AaaDirectMessageDelivery
      : AaaEventsDelivery

export interface StreamPayloads {
  'stream.post': PostV2
}

export interface WebhookPayloads {
  'replay.complete': ReplayJobStatus
  'replay.incomplete': ReplayJobStatus
}

export type XaaEventType = keyof XaaPayloads & string
export type AaaEventType = keyof AaaPayloads & string
export type StreamEventType = keyof StreamPayloads & string
export type WebhookEventType = keyof WebhookPayloads & string

export type XaaEvent<T extends XaaEventType = XaaEventType> = { [K in T]: XEventOf<'xaa', K, XaaPayloads[K], XaaDelivery> }[T]
export type AaaEvent<T extends AaaEventType = AaaEventType> = { [K in T]: XEventOf<'aaa', K, AaaPayloads[K], AaaEnvelope<K>> }[T]
export type StreamEvent = XEventOf<'stream', 'stream.post', PostV2, StreamDelivery>
export type ReplayJobEvent<T extends WebhookEventType = WebhookEventType> = { [K in T]: XEventOf<'webhook', K, WebhookPayloads[K], ReplayJobStatusDelivery> }[T]

/**
 * A delivery, or an item of one, whose shape no product uses (or that lacks the fields its product requires).
 * `product` says where it was found; `payload` is the unrecognised item (the whole body when nothing was recognised).
 */
export type UnknownEvent<P extends XProduct = XProduct> = { [Q in P]: XEventOf<Q, 'unknown', unknown, unknown> }[P]

/**
 * An X Activity API event whose `event_type` this version does not know yet: it is still emitted under its own
 * name, so `onAny` and `xaa:*` see it. Its `type` is any string that no other event uses.
 */
export type XaaUnrecognizedEvent = XEventOf<'xaa', string & {}, unknown, XaaDelivery>

/** Every event this version knows, discriminated by `product` and `type`. */
export type XEvent = XaaEvent | AaaEvent | StreamEvent | ReplayJobEvent | UnknownEvent

/** Every event `normalizeDelivery` can produce, including X Activity API types this version does not know. */
export type AnyXEvent = XEvent | XaaUnrecognizedEvent

/** Every unified event type this version knows. */
export type XEventType = XEvent['type']
