import { xWebhooks } from './plugin.js'

export default xWebhooks
export { xWebhooks }
export type { XWebhooks } from './plugin.js'
export type { FastifyXWebhooksOptions, AckMode } from './options.js'
export { crcResponseToken, signPayload, verifySignature, isCrcToken, type ConsumerSecret } from './signature.js'
export { normalizeDelivery } from './events/index.js'
export { createMemoryStore, type MemoryStoreOptions } from './dedupe/memory.js'
export type { DedupeStore, DedupeOptions, ClaimResult } from './dedupe/store.js'
export { XEventRouter, XHandlersError } from './router.js'
export type { XRoutingKey, XEventFor, XEventHandler, XErrorHandler } from './router.js'
export type * from './events/types.js'
export type * from './events/payloads-aaa.js'
export type * from './events/payloads-xaa.js'
export type * from './events/payloads-stream.js'
export * as errors from './errors.js'
export * from './client/index.js'
export { createEmulator, type EmulatorOptions } from './emulator/index.js'
