import { Type } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { createEvent, unknownEvent, type DeliveryContext } from './event.js'
import type { AnyXEvent } from './types.js'

const isStreamPost = TypeCompiler.Compile(Type.Object({ id: Type.String({ minLength: 1 }), text: Type.String() }))

/** True for a Filtered Stream body: a post in `data` and the rules it matched. */
export function isStreamDelivery (body: Record<string, unknown>): boolean {
  return Array.isArray(body.matching_rules) && 'data' in body
}

/** One `stream.post` per delivery; edited posts arrive again under their new id. */
export function normalizeStream (context: DeliveryContext): AnyXEvent[] {
  const { data } = context.body
  return [isStreamPost.Check(data)
    ? createEvent(context, 'stream', 'stream.post', data.id, undefined, data)
    : unknownEvent(context, 'stream', data)]
}
