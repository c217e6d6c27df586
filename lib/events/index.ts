import { normalizeAaa, isAaaDelivery } from './aaa.js'
import { normalizeControl, isControlDelivery } from './control.js'
import { isRecord, unknownEvent, type DeliveryContext } from './event.js'
import { normalizeStream, isStreamDelivery } from './stream.js'
import { normalizeXaa, isXaaDelivery } from './xaa.js'
import type { AnyXEvent } from './types.js'

// The first product whose shape the body has normalises it.
const PRODUCTS = [
  { matches: isControlDelivery, normalize: normalizeControl },
  { matches: isXaaDelivery, normalize: normalizeXaa },
  { matches: isStreamDelivery, normalize: normalizeStream },
  { matches: isAaaDelivery, normalize: normalizeAaa }
]

/**
 * Turns a parsed delivery body from any X product into events of the unified vocabulary: one per item (AAA batches
 * and XAA `data` arrays fan out). A body no product uses becomes one `unknown` event; nothing is dropped.
 */
export function normalizeDelivery (body: unknown): AnyXEvent[] {
  const context: DeliveryContext = {
    body: body as Record<string, unknown>,
    replay: isRecord(body) && isRecord(body.meta) && body.meta.replay === true
  }
  const product = isRecord(body) ? PRODUCTS.find(({ matches }) => matches(body)) : undefined
  return product === undefined ? [unknownEvent(context, 'webhook', body)] : product.normalize(context)
}
