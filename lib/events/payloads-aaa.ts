/**
 * Account Activity API (AAA) delivery shapes: v1.1 tweets and users inside a `for_user_id` envelope.
 * Ids above 2^53 arrive as JSON numbers and lose precision once parsed: read the `*_str` twin instead.
 */

/** `[start, end)` character offsets into the text. */
export type AaaIndices = [number, number]

export interface AaaHashtag {
  text: string
  indices: AaaIndices
}

export interface AaaUserMention {
  /** May be above 2^53: use `id_str`. */
  id: number
  id_str: string
  name: string
  screen_name: string
  indices: AaaIndices
}

export interface AaaUrlEntity {
  url: string
  expanded_url: string | null
  display_url: string
  indices: AaaIndices
}

export interface AaaMedia {
  /** May be above 2^53: use `id_str`. */
  id: number
  id_str: string
  type: 'photo' | 'video' | 'animated_gif' | (string & {})
  url: string
  display_url: string
  expanded_url: string
  media_url_https: string
  indices: AaaIndices
  ext_alt_text?: string | null
  sizes?: Record<string, { w: number, h: number, resize: string }>
  video_info?: {
    aspect_ratio: [number, number]
    duration_millis?: number
    variants: Array<{ content_type: string, url: string, bitrate?: number }>
  }
}

/** Entities of a tweet or DM: a bag, since X adds kinds (polls, media) over time. */
export interface AaaEntities {
  hashtags: AaaHashtag[]
  symbols: AaaHashtag[]
  user_mentions: AaaUserMention[]
  urls: AaaUrlEntity[]
  media?: AaaMedia[]
  [k: string]: unknown
}

/** A v1.1 user, as embedded in tweets, favorites, follows, blocks and mutes. */
export interface AaaUser {
  /** May be above 2^53: use `id_str`. */
  id: number
  id_str: string
  name: string
  screen_name: string
  location: string | null
  url: string | null
  description: string | null
  protected: boolean
  verified: boolean
  followers_count: number
  friends_count: number
  listed_count: number
  favourites_count: number
  statuses_count: number
  /** v1.1 date, e.g. `Sat Dec 14 04:35:55 +0000 2013`. */
  created_at: string
  profile_image_url_https: string
  default_profile_image: boolean
  default_profile?: boolean
  profile_image_url?: string
  profile_banner_url?: string
  entities?: Record<string, unknown>
}

export interface AaaCoordinates {
  type: 'Point'
  /** Longitude first, as in GeoJSON. */
  coordinates: [number, number]
}

export interface AaaPlace {
  id: string
  url: string
  place_type: string
  name: string
  full_name: string
  country_code: string
  country: string
}

/** A v1.1 tweet. Long posts are truncated in `text`: the whole text is `extended_tweet.full_text`. */
export interface AaaTweet {
  /** May be above 2^53: use `id_str`. */
  id: number
  id_str: string
  text: string
  /** v1.1 date, e.g. `Mon Mar 26 16:33:26 +0000 2018`. */
  created_at: string
  source: string
  truncated: boolean
  user: AaaUser
  in_reply_to_status_id: number | null
  in_reply_to_status_id_str: string | null
  in_reply_to_user_id: number | null
  in_reply_to_user_id_str: string | null
  in_reply_to_screen_name: string | null
  is_quote_status: boolean
  quoted_status_id?: number
  quoted_status_id_str?: string
  quoted_status_permalink?: { url: string, expanded: string, display: string }
  quoted_status?: AaaTweet
  retweeted_status?: AaaTweet
  extended_tweet?: {
    full_text: string
    display_text_range?: AaaIndices
    entities?: AaaEntities
    extended_entities?: { media: AaaMedia[] }
  }
  display_text_range?: AaaIndices
  quote_count: number
  reply_count: number
  retweet_count: number
  favorite_count: number
  entities: AaaEntities
  extended_entities?: { media: AaaMedia[] }
  favorited: boolean
  retweeted: boolean
  possibly_sensitive?: boolean
  lang: string | null
  coordinates?: AaaCoordinates | null
  place?: AaaPlace | null
  withheld_in_countries?: string[]
  /** Only on delivered (top-level) tweets, not on embedded retweeted or quoted ones. */
  filter_level?: string
  /** Only on delivered (top-level) tweets; X sends it as a string or a number. */
  timestamp_ms?: string | number
}

/** Common shape of follow, block and mute items. */
export interface AaaUserActionItem<T extends string> {
  type: T
  /** Epoch milliseconds, as a string. */
  created_timestamp: string
  /** The user who acted. */
  source: AaaUser
  /** The user acted upon. */
  target: AaaUser
}

export interface AaaFollowItem extends AaaUserActionItem<'follow' | 'unfollow'> {}
export interface AaaBlockItem extends AaaUserActionItem<'block' | 'unblock'> {}
export interface AaaMuteItem extends AaaUserActionItem<'mute' | 'unmute'> {}

export interface AaaFavoriteItem {
  /** Opaque hex string, the only unique key a favorite has. */
  id: string
  created_at: string
  timestamp_ms: string | number
  favorited_status: AaaTweet
  /** The user who liked. */
  user: AaaUser
}

export interface AaaMessageData {
  text: string
  entities?: AaaEntities
  attachment?: { type: 'media' | (string & {}), media: AaaMedia }
  quick_reply_response?: { type: string, metadata?: string }
  ctas?: Array<{ type: string, label: string, url: string }>
}

export interface AaaDirectMessageItem {
  type: 'message_create'
  id: string
  /** Epoch milliseconds, as a string. */
  created_timestamp: string
  initiated_via?: { tweet_id?: string, welcome_message_id?: string }
  message_create: {
    target: { recipient_id: string }
    sender_id: string
    /** Absent when sent from X's own apps. */
    source_app_id?: string
    message_data: AaaMessageData
  }
}

export interface AaaTypingItem {
  created_timestamp: string
  sender_id: string
  target: { recipient_id: string }
}

export interface AaaMarkReadItem extends AaaTypingItem {
  last_read_event_id: string
}

export interface AaaTweetDeleteItem {
  /** Unlike tweets, these ids are strings. */
  status: { id: string, user_id: string }
  timestamp_ms: string | number
}

export interface AaaRevoke {
  date_time: string
  target: { app_id: string }
  source: { user_id: string }
}

/** A user in the `users` map of DM deliveries: a slimmer shape than {@link AaaUser}, with a string id. */
export interface AaaDmUser {
  id: string
  /** Account creation, epoch milliseconds as a string. */
  created_timestamp: string
  name: string
  screen_name: string
  location?: string
  description?: string
  url?: string
  protected: boolean
  verified: boolean
  followers_count: number
  friends_count: number
  statuses_count: number
  profile_image_url_https: string
}

export interface AaaApp {
  id: string
  name: string
  url: string
}

/** An AAA delivery: one or more `<kind>_events` arrays for one subscribed user. */
export interface AaaEventsDelivery {
  for_user_id: string
  /** On mentions: `"true"` or `"false"`, a string. */
  user_has_blocked?: string
  tweet_create_events?: AaaTweet[]
  favorite_events?: AaaFavoriteItem[]
  follow_events?: AaaFollowItem[]
  unfollow_events?: AaaFollowItem[]
  block_events?: AaaBlockItem[]
  unblock_events?: AaaBlockItem[]
  mute_events?: AaaMuteItem[]
  unmute_events?: AaaMuteItem[]
  direct_message_events?: AaaDirectMessageItem[]
  direct_message_indicate_typing_events?: AaaTypingItem[]
  direct_message_mark_read_events?: AaaMarkReadItem[]
  tweet_delete_events?: AaaTweetDeleteItem[]
  users?: Record<string, AaaDmUser>
  apps?: Record<string, AaaApp>
  /** Set on replays; documented for XAA bodies, unconfirmed for AAA ones. */
  meta?: { replay?: boolean }
}

/** DM, typing and read deliveries always carry the users they mention, keyed by id. */
export interface AaaDirectMessageDelivery extends AaaEventsDelivery {
  users: Record<string, AaaDmUser>
  /** Keyed by `source_app_id`. */
  apps?: Record<string, AaaApp>
}

/** Sent when a user revokes the app: no `for_user_id`. */
export interface AaaRevokeDelivery {
  user_event: { revoke: AaaRevoke }
  meta?: { replay?: boolean }
}
