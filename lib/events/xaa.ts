import { Type } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { createEvent, isRecord, unknownEvent, type DeliveryContext } from './event.js'
import type { AnyXEvent } from './types.js'

const XaaItemSchema = Type.Object({
  event_uuid: Type.String({ minLength: 1 }),
  event_type: Type.String({ minLength: 1 }),
  filter: Type.Optional(Type.Object({ user_id: Type.Optional(Type.String()), keyword: Type.Optional(Type.String()) })),
  payload: Type.Unknown()
})
const isXaaItem = TypeCompiler.Compile(XaaItemSchema)

// Names X used before the dotted vocabulary, still seen on the wire.
const LEGACY_NAMES: Readonly<Record<string, string>> = {
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
  FollowUnfollow: 'follow.unfollow',
  'chat.conversation_join': 'chat.conversation.join'
}

/** True for an X Activity API body: `data` is an event object or an array of them. */
export function isXaaDelivery (body: Record<string, unknown>): boolean {
  const { data } = body
  return Array.isArray(data) || (isRecord(data) && 'event_type' in data)
}

/** One event per item of `data`, under X's dotted name (legacy names mapped, unknown names kept as they are). */
export function normalizeXaa (context: DeliveryContext): AnyXEvent[] {
  return [context.body.data].flat().map((item) => {
    if (!isXaaItem.Check(item)) return unknownEvent(context, 'xaa', item)
    const type = Object.hasOwn(LEGACY_NAMES, item.event_type) ? LEGACY_NAMES[item.event_type] as string : item.event_type
    const { filter, payload } = item
    // oauth.revoke comes with an empty filter; the user who revoked is in the payload, as AAA's revoke has it.
    const forUserId = filter?.user_id ?? (type === 'oauth.revoke' && isRecord(payload) && typeof payload.user_id === 'string' ? payload.user_id : undefined)
    // A keyword subscription has no user: the keyword tells two subscriptions' copies of one event apart.
    const scope = filter?.user_id === undefined && filter?.keyword !== undefined ? `keyword=${filter.keyword}:` : ''
    // Post events have been seen with the post's id as event_uuid: a self-reply, both post.create and
    // post.reply.create for its author, would otherwise share one id and lose one event to de-duplication.
    return createEvent(context, 'xaa', type, `${scope}${type}:${item.event_uuid}`, forUserId, payload)
  })
}
