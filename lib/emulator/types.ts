// The emulator's public shapes: its options, and what `GET /_emulator/deliveries` lists.
import type { FastifyServerOptions } from 'fastify'

export interface EmulatorOptions {
  /** Signs CRCs and deliveries. */
  consumerSecret: string
  /** Requests to X's endpoints without `Authorization: Bearer <it>` get 401, as X would. */
  bearerToken: string
  /** Apply X's real URL rules (https, no port); default false: `http://127.0.0.1:PORT` is accepted. */
  strict?: boolean
  /** Milliseconds after a failed attempt; default [3000, 30000, 300000]. */
  retrySchedule?: number[]
  /** Milliseconds a CRC may take; default 10000. */
  crcTimeout?: number
  /** Milliseconds a delivery may take; default 10000. */
  deliveryTimeout?: number
  logger?: FastifyServerOptions['logger']
}

export type EmulatorProduct = 'aaa' | 'xaa' | 'stream' | 'webhook'

/** One try at delivering: when (emulator time, ISO), the receiver's status (null when it did not answer), and why not. */
export interface EmulatorAttempt {
  at: string
  status: number | null
  error?: string
}

/** One delivery the emulator sent (or tried to), as `GET /_emulator/deliveries` lists it. */
export interface EmulatorDelivery {
  id: string
  webhook_id: string
  /** The unified event type (`follow.follow`, `stream.post`, `replay.complete`…). */
  type: string
  product: EmulatorProduct
  /** The body sent, parsed. */
  body: unknown
  attempts: EmulatorAttempt[]
  /** A re-delivery by a replay job (its body carries `"meta":{"replay":true}`). */
  replay: boolean
}
