import { createHash, randomUUID } from 'node:crypto'
import type { AnyXEvent, XProduct } from './types.js'

/** What every product's normaliser knows about the delivery as a whole. */
export interface DeliveryContext {
  body: Record<string, unknown>
  replay: boolean
}

export function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Builds an event. The id is product, subscribed user and native id, so the same event delivered twice (or replayed)
 * keeps it, and two subscribed users involved in one interaction get two.
 */
export function createEvent (
  context: DeliveryContext, product: XProduct, type: string, nativeId: string, forUserId: string | undefined, payload: unknown
): AnyXEvent {
  return {
    type,
    product,
    id: `${product}:${forUserId ?? ''}:${nativeId}`,
    forUserId,
    replay: context.replay,
    payload,
    envelope: context.body
  } as AnyXEvent
}

/** An item (or a whole body) no product uses: still emitted, as `unknown`, keyed by a hash of its content. */
export function unknownEvent (context: DeliveryContext, product: XProduct, item: unknown, forUserId?: string): AnyXEvent {
  return createEvent(context, product, 'unknown', `unknown:${contentKey(item)}`, forUserId, item)
}

/** A hash of the item's JSON; an item nested too deep to serialise gets a key of its own (not de-duplicated). */
function contentKey (item: unknown): string {
  let json: string
  try {
    json = JSON.stringify(item) ?? ''
  } catch {
    return `unhashable:${randomUUID()}`
  }
  return createHash('sha256').update(json).digest('base64url')
}
