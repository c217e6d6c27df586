import { createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import xWebhooks, { XWebhooksClient, type AnyXEvent, type FastifyXWebhooksOptions } from '../../lib/index.js'
import { createEmulator, type EmulatorDelivery, type EmulatorOptions } from '../../lib/emulator/index.js'
import { PATH, SECRET } from '../helpers.js'
import { listen } from './x-sender.js'

// The whole loop over real HTTP on loopback: the emulator (X's side), a service with the plugin, and the management
// client talking to the emulator. Every server listens on 127.0.0.1 port 0 and is closed when the test ends.

/** One delivery, as `GET /_emulator/deliveries` lists it. */
export type DeliveryRecord = EmulatorDelivery

export const BEARER = 'e2e-bearer-token'

/** How the service answers X's CRC: correctly (the plugin), with a token signed by another secret, or 500. */
export type CrcMode = 'right' | 'wrong' | 'error'

export interface SeenEvent {
  type: string
  product: string
  id: string
  replay: boolean
}

export interface Loop {
  emulator: FastifyInstance
  emulatorUrl: string
  app: FastifyInstance
  receiverUrl: string
  client: XWebhooksClient
  /** Every event the service's `onAny` handler saw, in order. */
  seen: SeenEvent[]
  /** Every CRC the service was asked, with the way it answered. */
  crcs: CrcMode[]
  /** Switch how the service answers CRCs from now on. */
  setCrc: (mode: CrcMode) => void
  /** `POST /_emulator/events`; resolves with `data.delivered`. */
  trigger: (event: { type: string, product?: string, webhook_id?: string, for_user_id?: string, payload?: unknown }) => Promise<number>
  /** `POST /_emulator/clock`; resolves with the emulator's new time. */
  advance: (ms: number) => Promise<string>
  /** `GET /_emulator/deliveries`. */
  deliveries: () => Promise<DeliveryRecord[]>
}

async function control (url: string, init: RequestInit = {}): Promise<{ status: number, body: unknown, text: string }> {
  const response = await fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${BEARER}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) }
  })
  const text = await response.text()
  let body: unknown
  try { body = JSON.parse(text) } catch { body = undefined }
  return { status: response.status, body, text }
}

function dataOf (what: string, answer: { status: number, body: unknown, text: string }): Record<string, unknown> & unknown[] {
  const data = (answer.body as { data?: unknown } | undefined)?.data
  if (answer.status !== 200 || data === undefined || data === null) {
    throw new Error(`${what}: emulator answered ${answer.status} ${answer.text}`)
  }
  return data as Record<string, unknown> & unknown[]
}

/** Starts the emulator and a service with the plugin (recording every event and CRC), both on 127.0.0.1:0. */
export async function startLoop (
  t: Test, options: { plugin?: Partial<FastifyXWebhooksOptions>, emulator?: Partial<EmulatorOptions> } = {}
): Promise<Loop> {
  const emulator = createEmulator({ consumerSecret: SECRET, bearerToken: BEARER, ...options.emulator })
  t.teardown(() => emulator.close())
  const emulatorUrl = await emulator.listen({ host: '127.0.0.1', port: 0 })

  const app = Fastify()
  t.teardown(() => app.close())
  let crcMode: CrcMode = 'right'
  const crcs: CrcMode[] = []
  // Ahead of the plugin's own CRC route: lets a test make the service answer CRCs wrongly, as a broken deploy would.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || !request.url.startsWith(PATH)) return
    crcs.push(crcMode)
    if (crcMode === 'error') return await reply.code(500).send({ error: 'database down' })
    if (crcMode === 'wrong') {
      const token = new URL(request.url, 'http://127.0.0.1').searchParams.get('crc_token') ?? ''
      const wrong = 'sha256=' + createHmac('sha256', 'not-the-consumer-secret').update(token).digest('base64')
      return await reply.send({ response_token: wrong })
    }
  })
  await app.register(xWebhooks, { consumerSecret: SECRET, ...options.plugin })
  const seen: SeenEvent[] = []
  app.x.onAny((event: AnyXEvent) => { seen.push({ type: event.type, product: event.product, id: event.id, replay: event.replay }) })
  const receiverUrl = await listen(app, PATH)

  const client = new XWebhooksClient({ bearerToken: BEARER, baseUrl: emulatorUrl, allowInsecureUrl: true })

  return {
    emulator,
    emulatorUrl,
    app,
    receiverUrl,
    client,
    seen,
    crcs,
    setCrc: (mode) => { crcMode = mode },
    trigger: async (event) => {
      const answer = await control(`${emulatorUrl}/_emulator/events`, { method: 'POST', body: JSON.stringify(event) })
      const delivered = dataOf(`trigger ${JSON.stringify(event)}`, answer).delivered
      if (typeof delivered !== 'number') throw new Error(`trigger: no data.delivered in ${answer.text}`)
      return delivered
    },
    advance: async (ms) => {
      const answer = await control(`${emulatorUrl}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ advance_ms: ms }) })
      return String(dataOf(`advance ${ms} ms`, answer).now)
    },
    deliveries: async () => {
      const data = dataOf('deliveries', await control(`${emulatorUrl}/_emulator/deliveries`))
      if (!Array.isArray(data)) throw new Error(`deliveries: data is not an array: ${JSON.stringify(data)}`)
      return data as unknown as DeliveryRecord[]
    }
  }
}

/**
 * Polls `probe` until it returns something other than `undefined`, or throws after `timeoutMs` with `what` and the
 * last value seen. For effects that land after an HTTP answer (handlers, retries, replays); never a speed assertion.
 */
export async function waitFor<T> (what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(10)
  }
}

/** The statuses of a delivery's attempts, in order. */
export function statuses (delivery: DeliveryRecord): Array<number | null> {
  return delivery.attempts.map((attempt) => attempt.status)
}
