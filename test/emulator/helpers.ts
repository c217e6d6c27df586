// The emulator listening on 127.0.0.1, receivers that answer CRCs and deliveries as a test says, and a client.
import Fastify, { type FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { crcResponseToken, verifySignature } from '../../lib/signature.js'
import { createEmulator, type EmulatorDelivery, type EmulatorOptions } from '../../lib/emulator/index.js'
import { XWebhooksClient } from '../../lib/client/index.js'

export const SECRET = 'emulator-secret'
export const BEARER = 'emulator-bearer'
export const HOUR = 60 * 60 * 1000

export interface Running {
  app: FastifyInstance
  url: string
  client: XWebhooksClient
  /** A request to the emulator, with the app's bearer token. */
  x: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number, body: any }>
  control: (method: string, path: string, body?: unknown) => Promise<{ status: number, body: any }>
  advance: (ms: number) => Promise<string>
  deliveries: () => Promise<EmulatorDelivery[]>
}

export async function emulator (t: Test, options: Partial<EmulatorOptions> = {}): Promise<Running> {
  const app = createEmulator({ consumerSecret: SECRET, bearerToken: BEARER, ...options })
  t.teardown(() => app.close())
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const call = async (method: string, path: string, body: unknown, headers: Record<string, string>) => {
    const response = await app.inject({ method: method as 'GET', url: path, headers, ...(body === undefined ? {} : { payload: body as object }) })
    return { status: response.statusCode, body: response.body === '' ? undefined : response.json() }
  }
  const running: Running = {
    app,
    url,
    client: new XWebhooksClient({ bearerToken: BEARER, baseUrl: url, allowInsecureUrl: true, userAuth: { userAccessToken: 'user-token' } }),
    x: (method, path, body, headers = {}) => call(method, path, body, { authorization: `Bearer ${BEARER}`, ...headers }),
    control: (method, path, body) => call(method, path, body, {}),
    advance: async (ms) => (await running.control('POST', '/_emulator/clock', { advance_ms: ms })).body.data.now,
    deliveries: async () => (await running.control('GET', '/_emulator/deliveries')).body.data
  }
  return running
}

export type CrcMode = 'ok' | 'wrong' | 'redirect' | 'error' | 'slow'

export interface Receiver {
  url: string
  app: FastifyInstance
  /** How the next CRCs are answered. */
  crc: CrcMode
  /** Statuses for the next deliveries, in order; 200 once they run out. */
  statuses: number[]
  /** Milliseconds each delivery waits before its answer. */
  delay: number
  received: Array<{ body: any, signed: boolean, contentType: string | undefined }>
  crcs: number
}

export async function receiver (t: Test, path = '/webhooks/x'): Promise<Receiver> {
  const app = Fastify({ forceCloseConnections: true })
  const state: Receiver = { url: '', app, crc: 'ok', statuses: [], delay: 0, received: [], crcs: 0 }
  app.get(path, async (request, reply) => {
    state.crcs++
    const token = (request.query as Record<string, string>).crc_token as string
    if (state.crc === 'wrong') return { response_token: crcResponseToken(token, 'not-the-secret') }
    if (state.crc === 'redirect') return reply.redirect('https://example.com/elsewhere')
    if (state.crc === 'error') return reply.code(500).send({ error: 'down' })
    if (state.crc === 'slow') await new Promise((resolve) => setTimeout(resolve, 300))
    return { response_token: crcResponseToken(token, SECRET) }
  })
  app.post(path, async (request, reply) => {
    state.received.push({
      body: request.body,
      signed: verifySignature(JSON.stringify(request.body), request.headers['x-twitter-webhooks-signature'], SECRET),
      contentType: request.headers['content-type']
    })
    if (state.delay > 0) await new Promise((resolve) => setTimeout(resolve, state.delay))
    return reply.code(state.statuses.shift() ?? 200).send({ ok: true })
  })
  t.teardown(() => app.close())
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  state.url = `${address}${path}`
  return state
}

/** Waits until `check` holds (deliveries that settle after the emulator answered: replay jobs). */
export async function until (check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
