import { readdirSync, readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance, type FastifyServerOptions, type InjectOptions } from 'fastify'
import type { Test } from 'tap'
import xWebhooks, { signPayload, type FastifyXWebhooksOptions } from '../lib/index.js'

export const SECRET = 'test'
export const PATH = '/webhooks/x'
export const FIXTURES = new URL('../fixtures/', import.meta.url)

/** Every fixture as `product/name` → its exact bytes. */
export function fixtures (): Array<{ name: string, raw: Buffer }> {
  return readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ name: file.replace(/\.json$/, ''), raw: readFileSync(new URL(file, FIXTURES)) }))
}

export function fixture (name: string): Buffer {
  return readFileSync(new URL(`${name}.json`, FIXTURES))
}

export function fixtureJson (name: string): Record<string, unknown> {
  return JSON.parse(fixture(name).toString('utf8'))
}

/** A fresh app with the plugin, closed when the test ends. */
export async function build (
  t: Test, options: Partial<FastifyXWebhooksOptions> = {}, serverOptions: FastifyServerOptions = {}
): Promise<FastifyInstance> {
  const app = Fastify(serverOptions)
  t.teardown(() => app.close())
  await app.register(xWebhooks, { consumerSecret: SECRET, ...options })
  return app
}

/** A POST as X sends it: JSON, signed with `secret` over the exact bytes. */
export function delivery (body: Buffer | string | object, secret = SECRET, extra: Partial<InjectOptions> = {}): InjectOptions {
  const raw = typeof body === 'object' && !Buffer.isBuffer(body) ? JSON.stringify(body) : body
  return {
    method: 'POST',
    url: PATH,
    payload: raw,
    ...extra,
    headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signPayload(raw, secret), ...extra.headers }
  }
}

/** A logger stream that keeps every line, for asserting what is (not) logged. */
export function logCapture (): { stream: Writable, lines: string[], records: () => Array<Record<string, unknown>> } {
  const lines: string[] = []
  const stream = new Writable({
    write (chunk, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      callback()
    }
  })
  return { stream, lines, records: () => lines.map((line) => JSON.parse(line)) }
}
