// The deliveries the emulator sends, built from the package's fixtures/: indexed by the unified event type (what
// normalizeDelivery makes of each), and freshened on every trigger so that each one is a new event.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { normalizeDelivery } from '../events/index.js'
import type { EmulatorProduct } from './types.js'

type Json = Record<string, unknown>
export type Templates = Map<string, Map<EmulatorProduct, Json>>

const DIRS = ['aaa', 'xaa', 'stream', 'control']

/** The package's fixtures/ directory, found upwards from `from` (lib/emulator/ or dist/{esm,cjs}/emulator/). */
export function findFixtures (from: string): string {
  let dir = from
  while (!existsSync(join(dir, 'fixtures', 'control'))) {
    if (dirname(dir) === dir) throw new Error(`fastify-x-webhooks: no fixtures/ directory above ${from}; it ships with the package`)
    dir = dirname(dir)
  }
  return join(dir, 'fixtures')
}

/** This module's directory, from its own stack frame: the same code works from ESM and CommonJS. */
function here (): string {
  /* c8 ignore start */
  const frame = /\((?:file:\/\/)?([^()]+?):\d+:\d+\)/.exec(new Error().stack ?? '')
  return dirname(frame?.[1] ?? join(process.cwd(), 'x'))
  /* c8 ignore stop */
}

let cached: Templates | undefined

export function templates (): Templates {
  if (cached !== undefined) return cached
  const found: Templates = new Map()
  const root = findFixtures(here())
  for (const dir of DIRS) {
    for (const file of readdirSync(join(root, dir)).filter((name) => name.endsWith('.json')).sort()) {
      const body = JSON.parse(readFileSync(join(root, dir, file), 'utf8')) as Json
      const [event] = normalizeDelivery(body)
      const byProduct = found.get(event!.type) ?? new Map<EmulatorProduct, Json>()
      byProduct.set(event!.product as EmulatorProduct, body)
      found.set(event!.type, byProduct)
    }
  }
  cached = found
  return found
}

export interface BuildInput {
  product: EmulatorProduct
  template: Json
  id: () => string
  now: number
  forUserId?: string | undefined
  payload?: unknown
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** New ids and times on an AAA item: its own id, a tweet's id_str, a deleted status's id, its timestamps. */
function freshItem (item: Json, id: () => string, now: number): Json {
  const fresh: Json = { ...item }
  if ('created_timestamp' in fresh) fresh.created_timestamp = String(now)
  if ('timestamp_ms' in fresh) fresh.timestamp_ms = typeof fresh.timestamp_ms === 'number' ? now : String(now)
  if ('id_str' in fresh) {
    fresh.id_str = id()
    fresh.id = Number(fresh.id_str)
  } else if (typeof fresh.id === 'string') {
    fresh.id = id()
  }
  if (isObject(fresh.status)) fresh.status = { ...fresh.status, id: id() }
  return fresh
}

function buildAaa ({ template, id, now, forUserId, payload }: BuildInput): Json {
  const body = structuredClone(template)
  if (isObject(body.user_event)) {
    const revoke = body.user_event.revoke as Json
    const fresh: Json = payload !== undefined ? payload as Json : { ...revoke, date_time: new Date(now).toISOString() }
    if (forUserId !== undefined && payload === undefined) fresh.source = { user_id: forUserId }
    return { user_event: { revoke: fresh } }
  }
  if (forUserId !== undefined) body.for_user_id = forUserId
  const kind = Object.keys(body).find((key) => key.endsWith('_events')) as string
  body[kind] = payload !== undefined ? [payload] : (body[kind] as Json[]).map((item) => freshItem(item, id, now))
  return body
}

function buildXaa ({ template, id, forUserId, payload }: BuildInput): Json {
  const body = structuredClone(template)
  const data = body.data as Json
  data.event_uuid = id()
  if (forUserId !== undefined) data.filter = { ...(data.filter as Json), user_id: forUserId }
  if (payload !== undefined) data.payload = payload
  return body
}

function buildStream ({ template, id, payload }: BuildInput): Json {
  const body = structuredClone(template)
  body.data = payload !== undefined ? payload : { ...(body.data as Json), id: id() }
  return body
}

function buildControl ({ template, id, payload }: BuildInput): Json {
  const status = template.replay_job_status as Json
  return { replay_job_status: payload !== undefined ? payload : { ...status, job_id: id() } }
}

const BUILDERS: Record<EmulatorProduct, (input: BuildInput) => Json> = {
  aaa: buildAaa,
  xaa: buildXaa,
  stream: buildStream,
  webhook: buildControl
}

/** A new delivery body of the template's product. */
export function buildDelivery (input: BuildInput): Json {
  return BUILDERS[input.product](input)
}
