import { LRUCache } from 'lru-cache'
import type { DedupeStore } from './store.js'

export interface MemoryStoreOptions {
  /** How many ids are remembered at most; the least recently seen are forgotten first. Default 100,000. */
  max?: number
}

/**
 * The default store: this process's memory, flat however long the service runs (at most `max` ids, each for its
 * ttl). Claims are atomic because JavaScript runs them one at a time; for several instances use a shared store.
 * Its checkpoints, like its ids, last as long as the process: recovery after a restart needs a shared store.
 */
export function createMemoryStore ({ max = 100_000 }: MemoryStoreOptions = {}): DedupeStore {
  const states = new LRUCache<string, 'running' | 'done'>({ max })
  // Apart from the LRU, so that a flood of event ids never evicts them; one per webhook route.
  const checkpoints = new Map<string, number>()
  return {
    async claim (id, ttlMs) {
      const state = states.get(id)
      if (state !== undefined) return state
      states.set(id, 'running', { ttl: ttlMs })
      return 'claimed'
    },
    async complete (id, ttlMs) {
      states.set(id, 'done', { ttl: ttlMs })
    },
    async release (id) {
      if (states.get(id) === 'running') states.delete(id)
    },
    async saveCheckpoint (key, time) {
      checkpoints.set(key, Math.max(time, checkpoints.get(key) ?? time))
    },
    async loadCheckpoint (key) {
      return checkpoints.get(key)
    }
  }
}
