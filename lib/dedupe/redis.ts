// Type-only: ioredis is an optional peer, so this module must load (and the package install) without it.
import type { Redis } from 'ioredis'
import { FST_XWH_INVALID_OPTION } from '../errors.js'
import type { ClaimResult, DedupeStore } from './store.js'

export interface RedisStoreOptions {
  /** An ioredis client the application creates, shares and closes; the store never connects or quits it. */
  redis: Redis
  /** Put before every event id to make its key, so that the store's keys stay apart from the app's. Default `'xwh:'`. */
  prefix?: string
}

// Claiming is a read and a write that must not interleave with another instance's, so it runs on the server as one
// script (Redis runs scripts atomically). Plain GET and SET ... PX: it works on every Redis version, where
// `SET NX GET` needs Redis 7. The claim always expires, so an instance that dies mid-event does not lose it.
const CLAIM = `
local state = redis.call('GET', KEYS[1])
if state then return state end
redis.call('SET', KEYS[1], 'running', 'PX', ARGV[1])
return 'claimed'
`

// Compare-and-delete: a release that comes late (after complete) must not erase 'done', or the event would run again.
const RELEASE = `
if redis.call('GET', KEYS[1]) == 'running' then return redis.call('DEL', KEYS[1]) end
return 0
`

// Keeps the later of two times, so that instances saving at once never move a checkpoint back.
const SAVE_CHECKPOINT = `
local saved = tonumber(redis.call('GET', KEYS[1]))
if saved and saved >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`

// X replays 24 hours at most; a checkpoint a week old still says "replay all you can", older ones say nothing.
const CHECKPOINT_TTL = 7 * 24 * 60 * 60 * 1000

// Namespaced, so they cannot clash with the application's own commands on the client it shares with us.
const CLAIM_COMMAND = 'xwhDedupeClaim'
const RELEASE_COMMAND = 'xwhDedupeRelease'
const CHECKPOINT_COMMAND = 'xwhSaveCheckpoint'

interface ScriptedRedis extends Redis {
  [CLAIM_COMMAND] (key: string, ttlMs: number): Promise<ClaimResult>
  [RELEASE_COMMAND] (key: string): Promise<number>
  [CHECKPOINT_COMMAND] (key: string, time: number, ttlMs: number): Promise<number>
}

/**
 * A store in Redis, for a service that runs on several instances: share one Redis and each event runs once across
 * all of them. Keys are `${prefix}${id}`, hold `'running'` or `'done'`, and always expire; checkpoints are
 * `${prefix}checkpoint:…` (a time in epoch ms, kept a week).
 */
export function createRedisStore (options: RedisStoreOptions): DedupeStore {
  const { redis, prefix = 'xwh:' } = options ?? {}
  // Duck-typed: checking `instanceof Redis` would load ioredis, and would reject a client from another copy of it.
  if (typeof redis?.defineCommand !== 'function') {
    throw new FST_XWH_INVALID_OPTION('redis', 'createRedisStore needs an ioredis client, e.g. createRedisStore({ redis: new Redis(process.env.REDIS_URL) }); the application owns it and closes it')
  }
  if (typeof prefix !== 'string') {
    throw new FST_XWH_INVALID_OPTION('prefix', `must be a string put before each event id (default 'xwh:'), got ${typeof prefix}`)
  }

  // ioredis sends a defined command with EVALSHA and falls back to EVAL when the server does not know the script
  // (a restart, SCRIPT FLUSH, a failover), so nothing has to be loaded up front. Once per client is enough.
  const client = redis as ScriptedRedis
  if (typeof client[CHECKPOINT_COMMAND] !== 'function') {
    client.defineCommand(CLAIM_COMMAND, { numberOfKeys: 1, lua: CLAIM })
    client.defineCommand(RELEASE_COMMAND, { numberOfKeys: 1, lua: RELEASE })
    client.defineCommand(CHECKPOINT_COMMAND, { numberOfKeys: 1, lua: SAVE_CHECKPOINT })
  }

  // PX takes whole milliseconds; rounding up never shortens what the caller asked for.
  const px = (ttlMs: number): number => Math.ceil(ttlMs)

  return {
    async claim (id, ttlMs) {
      return await client[CLAIM_COMMAND](prefix + id, px(ttlMs))
    },
    async complete (id, ttlMs) {
      await client.set(prefix + id, 'done', 'PX', px(ttlMs))
    },
    async release (id) {
      await client[RELEASE_COMMAND](prefix + id)
    },
    async saveCheckpoint (key, time) {
      await client[CHECKPOINT_COMMAND](prefix + key, Math.floor(time), CHECKPOINT_TTL)
    },
    async loadCheckpoint (key) {
      const saved = await client.get(prefix + key)
      return saved === null ? undefined : Number(saved)
    }
  }
}
