import { readdirSync, readFileSync } from 'node:fs'

// The load scenario of test/e2e/load.test.ts, also run at 100x its size by bench/delivery-load.ts (which imports this
// module; a test support module, not a test): unique signed deliveries built from fixtures/ (XAA single events,
// XAA `data` arrays, AAA batches), 20% of them also sent as exact duplicates (half at the same time as the original,
// half some hundreds of sends later), every one also replayed (`meta.replay` added: other bytes, same event ids), and
// 2% of events failing on their first attempt. Seeded: the same scenario on every run.
// It reads the fixtures itself rather than through test/helpers.ts, which would load Fastify into the benchmark's
// load generator.

const FIXTURES = new URL('../../fixtures/', import.meta.url)

export const DUPLICATE_SHARE = 0.2

/** Every 50th event (2%), by the ordinal its id carries, fails in its handler on its first attempt. */
export const failsFirst = (ordinal: number): boolean => ordinal % 50 === 17

// Each unique event carries its ordinal in its native id (event_uuid, or the AAA item's id): `xlt<ordinal>`.
const MARK = '"__LOAD_ID__"'
const ORDINAL = /xlt(\d+)/

/** The ordinal an event id carries, or -1 for an id this scenario did not make. */
export function ordinalOf (eventId: string): number {
  const match = ORDINAL.exec(eventId)
  return match === null ? -1 : Number(match[1])
}

type Template = [string, string]
type Item = Record<string, unknown>

function fixture (name: string): Item {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8'))
}

/** A JSON template with MARK where the unique id goes, split around it. */
function template (item: Item, setId: (item: Item, id: string) => void): Template {
  setId(item, MARK.slice(1, -1))
  const [head, tail, ...rest] = JSON.stringify(item).split(MARK)
  if (head === undefined || tail === undefined || rest.length > 0) throw new Error('the id marker must occur once')
  return [head, tail]
}

const fill = ([head, tail]: Template, ordinal: number): string => `${head}"xlt${ordinal}"${tail}`

const XAA_ITEMS = readdirSync(new URL('xaa/', FIXTURES))
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => template(fixture(`xaa/${file.slice(0, -5)}`).data as Item, (item, id) => { item.event_uuid = id }))

/** The first item of an AAA fixture's `<kind>_events` array, as a template. */
function aaaItem (name: string, kind: string, setId: (item: Item, id: string) => void): { kind: string, template: Template } {
  const item = (fixture(name)[kind] as Item[])[0] as Item
  return { kind, template: template(item, setId) }
}

const AAA_ITEMS = [
  aaaItem('aaa/favorite', 'favorite_events', (item, id) => { item.id = id }),
  aaaItem('aaa/direct_message', 'direct_message_events', (item, id) => { item.id = id }),
  aaaItem('aaa/tweet_create', 'tweet_create_events', (item, id) => { item.id_str = id }),
  aaaItem('aaa/tweet_delete', 'tweet_delete_events', (item, id) => { (item.status as Item).id = id })
]

/** A small seeded PRNG (mulberry32): the same scenario on every run. */
export function random (seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <T>(list: readonly T[], rand: () => number): T => list[Math.floor(rand() * list.length)] as T

/** A body with one XAA event (a fixture picked with `rand`) whose id carries `ordinal`. */
export const singleEventBody = (ordinal: number, rand: () => number): string => `{"data":${fill(pick(XAA_ITEMS, rand), ordinal)}}`

/**
 * One body of at most `room` events: 40% XAA single events, 30% XAA `data` arrays of 2 to 4, 30% AAA batches of 1 to
 * 4 items of mixed kinds.
 */
function deliveryBody (index: number, room: number, nextOrdinal: () => number, rand: () => number): string {
  const shape = index % 10
  if (shape < 4 || room === 1) return singleEventBody(nextOrdinal(), rand)
  const size = Math.min(room, shape < 7 ? 2 + Math.floor(rand() * 3) : 1 + Math.floor(rand() * 4))
  if (shape < 7) return `{"data":[${Array.from({ length: size }, () => fill(pick(XAA_ITEMS, rand), nextOrdinal())).join(',')}]}`
  const kinds = new Map<string, string[]>()
  for (let i = 0; i < size; i++) {
    const { kind, template } = pick(AAA_ITEMS, rand)
    kinds.set(kind, [...kinds.get(kind) ?? [], fill(template, nextOrdinal())])
  }
  return `{"for_user_id":"2244994945",${[...kinds].map(([kind, items]) => `"${kind}":[${items.join(',')}]`).join(',')}}`
}

/** One unit of the send queue: bodies sent at the same time, each delivered as X does (again on any answer but 200). */
export interface Send { at: number, bodies: string[] }

export interface Window {
  /** The window's send queue, in the order of sending. */
  sends: Send[]
  /** Deliveries (originals) in this window. */
  deliveries: number
  /** Unique events generated so far, this window included. */
  events: number
}

export interface Scenario {
  /**
   * The next `deliveries` deliveries (fewer if the scenario's events run out) as a send queue: each original (20%
   * with an exact copy sent at once, or another copy up to 400 sends later), and every delivery's replay copy
   * (`meta.replay` added) up to 800 sends after it. Copies that would fall past the window are sent at its end.
   */
  window: (deliveries: number) => Window
  /** Unique events generated so far. */
  readonly events: number
  /** Whether all `events` unique events have been generated. */
  readonly done: boolean
}

/**
 * The scenario, generated a window at a time: all at once, or lazily so that a million events never sit in memory.
 * `events` caps the unique events (the last bodies are cut to fit); without it, windows are generated on demand.
 */
export function scenario ({ events = Infinity, seed = 3 }: { events?: number, seed?: number } = {}): Scenario {
  const rand = random(seed)
  let ordinal = 0
  let index = 0
  return {
    window (deliveries) {
      const sends: Send[] = []
      const first = index
      for (; index < first + deliveries && ordinal < events; index++) {
        const body = deliveryBody(index, events - ordinal, () => ordinal++, rand)
        const duplicate = rand() < DUPLICATE_SHARE
        const atOnce = duplicate && rand() < 0.5
        sends.push({ at: index, bodies: atOnce ? [body, body] : [body] })
        if (duplicate && !atOnce) sends.push({ at: index + 1 + rand() * 400, bodies: [body] })
        sends.push({ at: index + rand() * 800, bodies: [`{"meta":{"replay":true},${body.slice(1)}`] })
      }
      return { sends: sends.sort((a, b) => a.at - b.at), deliveries: index - first, events: ordinal }
    },
    get events () { return ordinal },
    get done () { return ordinal >= events }
  }
}

/** Runs `work` on every item, `concurrency` at a time. */
export async function pool<T> (items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++] as T)
  }))
}
