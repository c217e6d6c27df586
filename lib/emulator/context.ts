// What the emulator's route modules share: its options with defaults, the clock, the webhooks, the deliverer.
import { Clock } from './clock.js'
import { Deliverer } from './deliverer.js'
import { Replays } from './replay.js'
import type { EmulatorOptions } from './types.js'
import { Webhooks } from './webhooks.js'

export interface EmulatorContext {
  strict: boolean
  clock: Clock
  webhooks: Webhooks
  deliverer: Deliverer
  replays: Replays
  id: () => string
}

// X's ids are snowflakes: milliseconds since X's epoch, shifted, plus a sequence.
const X_EPOCH = 1288834974657n

function ids (clock: Clock): () => string {
  let last = 0n
  return () => {
    const next = (BigInt(clock.now()) - X_EPOCH) << 22n
    last = next > last ? next : last + 1n
    return String(last)
  }
}

export function createContext (options: EmulatorOptions): EmulatorContext {
  const clock = new Clock()
  const id = ids(clock)
  const webhooks = new Webhooks({ clock, consumerSecret: options.consumerSecret, crcTimeout: options.crcTimeout ?? 10_000, id })
  const deliverer = new Deliverer({
    clock,
    consumerSecret: options.consumerSecret,
    deliveryTimeout: options.deliveryTimeout ?? 10_000,
    retrySchedule: options.retrySchedule ?? [3000, 30_000, 300_000],
    id,
    target: (webhookId) => {
      const webhook = webhooks.get(webhookId)
      return webhook?.valid === true ? webhook.url : undefined
    }
  })
  return { strict: options.strict ?? false, clock, webhooks, deliverer, replays: new Replays(deliverer, id), id }
}
