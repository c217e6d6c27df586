import { createHmac, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import express from 'express'
import Fastify from 'fastify'
import rawBody from 'fastify-raw-body'
import xWebhooks from '../lib/index.js'

// The servers that bench/http.ts compares, one per child process (`node --import tsx bench/variants.ts VARIANT
// HANDLERS`), each listening on 127.0.0.1 (an OS-chosen port) and reporting its port over IPC.
//   A  bare Fastify: POST with Fastify's JSON parser, 200; GET /crc answers a constant (F's floor), GET /crc-hmac
//      the hand-written CRC answer (node:crypto HMAC of the token)
//   B  Fastify + fastify-raw-body + node:crypto HMAC check (timingSafeEqual) + Fastify's JSON parse
//   C  Express 5 + express.raw + HMAC check + JSON.parse
//   D  this plugin, HANDLERS handlers on follow.follow, default options (de-duplication on)
//   E  this plugin, one handler, dedupe: false

export const SECRET = 'bench-secret'
export const PATH = '/webhooks/x'
export const SIGNATURE_HEADER = 'x-twitter-webhooks-signature'
export type Variant = 'A' | 'B' | 'C' | 'D' | 'E'

/** The hand-written check of B and C: 'sha256=' + base64(HMAC-SHA256), compared in constant time. */
function validSignature (body: Buffer, header: unknown): boolean {
  if (typeof header !== 'string') return false
  const expected = Buffer.from('sha256=' + createHmac('sha256', SECRET).update(body).digest('base64'))
  const received = Buffer.from(header)
  return received.length === expected.length && timingSafeEqual(received, expected)
}

async function start (variant: Variant, handlers: number): Promise<number> {
  if (variant === 'C') {
    const app = express()
    app.post(PATH, express.raw({ type: 'application/json', limit: '1mb' }), (req, res) => {
      const body = req.body as Buffer
      if (!Buffer.isBuffer(body) || !validSignature(body, req.headers[SIGNATURE_HEADER])) {
        res.status(401).end()
        return
      }
      JSON.parse(body.toString('utf8'))
      res.status(200).end()
    })
    return await new Promise((resolve, reject) => {
      const server = app.listen(0, '127.0.0.1', (error?: Error) => {
        if (error) reject(error)
        else resolve((server.address() as AddressInfo).port)
      })
    })
  }
  const app = Fastify()
  if (variant === 'A') {
    app.post(PATH, async () => ({ ok: true }))
    app.get('/crc', async () => ({ response_token: 'sha256=' + 'x'.repeat(44) }))
    app.get<{ Querystring: { crc_token: string } }>('/crc-hmac', async (request) => ({
      response_token: 'sha256=' + createHmac('sha256', SECRET).update(request.query.crc_token).digest('base64')
    }))
  } else if (variant === 'B') {
    await app.register(rawBody, { global: false, encoding: false, runFirst: true })
    app.post(PATH, { config: { rawBody: true } }, async (request, reply) => {
      if (!validSignature(request.rawBody as Buffer, request.headers[SIGNATURE_HEADER])) return reply.code(401).send()
      return { ok: true }
    })
  } else {
    await app.register(xWebhooks, { consumerSecret: SECRET, path: PATH, ...(variant === 'E' ? { dedupe: false } : {}) })
    const seen = { events: 0 }
    for (let i = 0; i < (variant === 'D' ? handlers : 1); i++) app.x.on('follow.follow', () => { seen.events++ })
    // A body the plugin did not recognise as follow.follow would skip the handlers: fail the sanity request instead.
    app.x.on('unknown', () => { throw new Error('unknown event') })
    app.x.onError(() => {})
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [variant, handlers] = [process.argv[2] as Variant, Number(process.argv[3] ?? 1)]
  if (process.send === undefined) throw new Error('bench/variants.ts is started by bench/http.ts, with an IPC channel')
  const port = await start(variant, handlers)
  process.send({ type: 'ready', port })
  process.on('disconnect', () => process.exit(0))
}
