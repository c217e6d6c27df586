// The `fastify-x-webhooks/redis` entry point: its own file, so that applications without Redis never load it.
export { createRedisStore, type RedisStoreOptions } from './dedupe/redis.js'
export type { ClaimResult, DedupeStore } from './dedupe/store.js'
