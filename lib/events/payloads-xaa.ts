/** X Activity API (XAA) delivery shapes: v2 users and Posts in a `{ data: { event_type, payload } }` envelope. */
import type { AaaDirectMessageItem, AaaMarkReadItem, AaaTypingItem } from './payloads-aaa.js'

/** XAA mirrors numbers as `<name>_str` strings, so values above 2^53 survive `JSON.parse`. */
export interface XaaNumberStrings {
  [k: `${string}_str`]: string
}

/** Zero-based `[start, end)` offsets into the text. */
export interface EntitySpanV2 extends XaaNumberStrings {
  start: number
  end: number
}

export interface UrlEntityV2 extends EntitySpanV2 {
  url: string
  expanded_url?: string
  display_url?: string
  unwound_url?: string
  media_key?: string
  status?: number
  title?: string
  description?: string
}

export interface MentionEntityV2 extends EntitySpanV2 {
  username: string
  /** Absent in user-description mentions. */
  id?: string
}

export interface TagEntityV2 extends EntitySpanV2 {
  tag: string
}

/** Entities of a Post or a bio: a bag, since X adds kinds over time. */
export interface EntitiesV2 {
  urls?: UrlEntityV2[]
  mentions?: MentionEntityV2[]
  hashtags?: TagEntityV2[]
  cashtags?: TagEntityV2[]
  annotations?: Array<EntitySpanV2 & { probability: number, type: string, normalized_text: string }>
  [k: string]: unknown
}

export interface UserPublicMetricsV2 extends XaaNumberStrings {
  followers_count: number
  following_count: number
  tweet_count: number
  listed_count: number
  like_count: number
  media_count: number
}

export interface GeoEntityV2 extends XaaNumberStrings {
  entity_id: string
  display_name: string
  country_code?: string
  region?: string
  sub_region?: string
  locality?: string
  population?: number
  geo_point?: { latitude: number, longitude: number }
}

/** A v2 user. Which optional fields appear depends on the `user.fields` X chose or was asked for. */
export interface UserV2 {
  id: string
  name: string
  username: string
  created_at?: string
  description?: string
  location?: string
  /** The t.co link; may be `''`. */
  url?: string
  protected?: boolean
  verified?: boolean
  verified_type?: 'blue' | 'business' | 'government' | 'none' | (string & {})
  is_identity_verified?: boolean
  subscription_type?: string
  profile_image_url?: string
  /** May be `''`. */
  profile_banner_url?: string
  pinned_tweet_id?: string
  most_recent_tweet_id?: string
  public_metrics?: UserPublicMetricsV2
  entities?: { url?: { urls: UrlEntityV2[] }, description?: EntitiesV2 }
  /** The organisation badge; `user_id` lists the affiliating accounts. */
  affiliation?: { description?: string, url?: string, badge_url?: string, user_id?: string[] }
  profile_geo_enrichment?: { potential_locations?: Array<{ geo_entity?: GeoEntityV2 }> }
}

export interface PostPublicMetricsV2 extends XaaNumberStrings {
  retweet_count: number
  reply_count: number
  like_count: number
  quote_count: number
  bookmark_count: number
  impression_count: number
}

export interface PostReferenceV2 {
  type: 'retweeted' | 'quoted' | 'replied_to'
  id: string
}

/** A v2 Post. Which optional fields appear depends on the `tweet.fields` X chose or was asked for. */
export interface PostV2 {
  id: string
  /** Up to 280 characters: long posts carry the whole text in `note_tweet.text`. */
  text: string
  author_id?: string
  created_at?: string
  conversation_id?: string
  /** Oldest first; the last id is this version. Edited posts arrive again with a longer list. */
  edit_history_tweet_ids?: string[]
  edit_controls?: EditControlsV2
  in_reply_to_user_id?: string
  in_reply_to_tweet_id?: string
  referenced_tweets?: PostReferenceV2[]
  entities?: EntitiesV2
  public_metrics?: PostPublicMetricsV2
  lang?: string
  possibly_sensitive?: boolean
  reply_settings?: 'everyone' | 'mentionedUsers' | 'following' | 'subscribers' | 'verified' | (string & {})
  display_text_range?: [number, number]
  note_tweet?: { text: string, entities?: EntitiesV2 }
  attachments?: { media_keys?: string[], poll_ids?: string[], media_source_tweet_id?: string[] }
  context_annotations?: Array<{ domain: { id: string, name?: string }, entity: { id: string, name?: string } }>
  geo?: { place_id?: string, coordinates?: { type: 'Point', coordinates: [number, number] } }
  paid_partnership?: boolean
  community_id?: string
}

export interface EditControlsV2 extends XaaNumberStrings {
  edits_remaining: number
  is_edit_eligible: boolean
  editable_until: string
}

/** X sends users both bare and wrapped as `{ data: user }`, sometimes within one delivery. */
export type XaaUserRef = UserV2 | { data: UserV2 }

/** follow.*, mute.*, block.*: `source` acted on `target`. */
export interface XaaSourceTargetPayload {
  source: XaaUserRef
  target: XaaUserRef
}

/** profile.update.*: badge updates are not documented as strings, hence the parameter. */
export interface XaaProfileUpdatePayload<T = string> {
  before: T
  after: T
}

export interface XaaLikePayload {
  /** Opaque hex string. */
  id: string
  created_at: string
  timestamp_ms: string | number
  liked_tweet_id: string
  liked_tweet_author_id: string
}

export interface XaaPostDeletePayload {
  id: string
  author_id: string
}

/**
 * dm.*: AAA-style items plus the users they mention (wrapped as `{ data }`). dm.sent and dm.received carry
 * `direct_message_events`; dm.read and dm.indicate_typing are undocumented, presumably the AAA read/typing arrays.
 */
export interface XaaDmPayload {
  direct_message_events?: AaaDirectMessageItem[]
  direct_message_indicate_typing_events?: AaaTypingItem[]
  direct_message_mark_read_events?: AaaMarkReadItem[]
  users?: Record<string, XaaUserRef>
}

/** chat.*: end-to-end encrypted, so the message itself is only in the opaque `encoded_event`. */
export interface XaaChatPayload {
  /** A JWT for the XChat client libraries. */
  conversation_token: string
  id: string
  /** Epoch milliseconds, as a string. */
  created_at_msec: string
  sender_id: string
  conversation_id: string
  conversation_key_version: string
  encoded_event: string
  conversation_key_change_event?: string
  message_event_signature?: {
    public_key_version: string
    signature: string
    signature_version: string
    signing_public_key: string
  }
}

/** news.new: a Grok-written story matching the subscribed keyword. */
export interface XaaNewsPayload {
  id: string
  name: string
  summary: string
  hook?: string
  category?: string
  disclaimer?: string
  updated_at?: string
  keywords?: string[]
  contexts?: {
    entities?: { events?: string[], organizations?: string[], people?: string[], places?: string[], products?: string[] }
    topics?: string[]
    finance?: { tickers?: string[] }
    sports?: { teams?: string[] }
  }
  cluster_posts_results?: Array<{ post_id: string }>
}

export interface XaaSpacesPayload {
  /** The host. */
  user: XaaUserRef
  broadcast_id: string
  /** Seen as `spaces_start` / `spaces_end`; the docs say `start` / `end`. */
  event_type?: string
}

/** broadcast.start and broadcast.end (live video). */
export interface XaaBroadcastPayload extends XaaNumberStrings {
  user: XaaUserRef
  broadcast_id: string
  title: string
  broadcast_state: 'Running' | 'Ended' | (string & {})
  event_timestamp_ms: number
  created_timestamp_ms: number
  updated_timestamp_ms: number
  /** Only once the broadcast has ended. */
  duration_ms?: number
  language: string
  thumbnail_url: string
  available_for_replay: boolean
}

export interface XaaBroadcastChatPayload {
  broadcast_id: string
  message_id: string
  message: string
  author: XaaUserRef
}

export interface XaaOauthRevokePayload {
  date_time: string
  user_id: string
  app_id: string
}

/** The subscription filter that matched; empty for oauth.revoke. */
export interface XaaFilter {
  user_id?: string
  keyword?: string
  direction?: 'inbound' | 'outbound' | (string & {})
}

/** Expanded objects referenced by the payload: a bag, since X adds kinds (media, polls…). */
export interface XaaIncludes {
  /** Bare or wrapped as `{ data }`, like every XAA user. */
  users?: XaaUserRef[]
  tweets?: PostV2[]
  [k: string]: unknown
}

export interface XaaDeliveryItem {
  /** Opaque: seen as a (possibly negative) integer string and as a UUID. */
  event_uuid: string
  /** Dotted (`follow.follow`), or a deprecated PascalCase alias (`FollowFollow`). */
  event_type: string
  filter: XaaFilter
  tag?: string
  /** Typed per event type in `XaaPayloads`. */
  payload: unknown
  includes?: XaaIncludes
}

export interface XaaDelivery {
  data: XaaDeliveryItem | XaaDeliveryItem[]
  meta?: { replay?: boolean }
}
