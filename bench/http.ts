import { fork, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus as osCpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon, { type Request } from 'autocannon'
import { signPayload } from '../lib/index.js'
import { allowedCpus } from './cpus.js'
import { PATH, SECRET, SIGNATURE_HEADER, type Variant } from './variants.js'

// `npm run bench`: each server variant of bench/variants.ts in its own child process on 127.0.0.1, pinned to the
// first CPU (taskset), driven by autocannon in this process, pinned to the second. Every POST is a signed XAA
// follow.follow delivery with its own event_uuid (no duplicates), padded to the workload's size. Rounds are
// interleaved (round 1 of every case, then round 2, …) so that drift on a shared machine spreads over all cases.
// Each server's own CPU time is read from /proc around every round: µs of server CPU per request is the cost that a
// saturated load generator cannot hide, and the targets are judged on it. Then bench/delivery-load.ts runs
// 1,000,000 unique events through the default store for the heap target.

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    duration: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    'heap-events': { type: 'string', default: '1000000' }
  }
})
const ROUNDS = Number(args.rounds)
const DURATION = Number(args.duration)
const WARMUP = Number(args.warmup)
const CONNECTIONS = Number(args.connections)
const HEAP_EVENTS = Number(args['heap-events'])

const SIZES = { '1 KiB': 1024, '16 KiB': 16 * 1024, '256 KiB': 256 * 1024 } as const
type Size = keyof typeof SIZES
const ID_WIDTH = 20
const CRC_TOKEN = 'Y3JjLXRva2VuLWJlbmNo'

interface Case { name: string, server: string, workload: string, kind: 'post' | 'crc', size?: Size, crcPath?: string, baseline: string }
interface Round {
  rps: number
  p50: number
  p99: number
  non2xx: number
  errors: number
  /** CPU share of this load generator */
  loadCpu: number
  /** The server's CPU time per 2xx answer, in µs (NaN without /proc) */
  serverUs: number
}
interface Server { origin: string, pid: number }
interface Target { target: string, value: number, unit: string, rps?: number, holds: boolean }

// ---- bodies: fixtures/xaa/follow.follow.json, padded in the payload, a unique event_uuid per request ----

const fixture = JSON.parse(readFileSync(new URL('../fixtures/xaa/follow.follow.json', import.meta.url), 'utf8'))
const PLACEHOLDER = '#'.repeat(ID_WIDTH)

/** The delivery split around its event_uuid: prefix + 20-digit id + suffix is `bytes` long (±1). */
function template (bytes: number): { prefix: Buffer, suffix: Buffer } {
  const delivery = structuredClone(fixture)
  delivery.data.event_uuid = PLACEHOLDER
  // The fixture alone is ~2.6 KB: for a smaller workload, drop the users' optional fields (id, name, username stay).
  for (const key of Object.keys(fixture.data.payload.source.data)) {
    if (Buffer.byteLength(JSON.stringify(delivery)) + 40 <= bytes || ['id', 'name', 'username'].includes(key)) continue
    delete delivery.data.payload.source.data[key]
    delete delivery.data.payload.target.data[key]
  }
  const users: unknown[] = []
  delivery.data.payload.padding = users
  let text = JSON.stringify(delivery)
  // Padding made of copies of a user object (what JSON.parse meets in real payloads), then a filler string.
  while (Buffer.byteLength(text) + 1600 < bytes) {
    users.push(fixture.data.payload.source.data)
    text = JSON.stringify(delivery)
  }
  delivery.data.payload.filler = ''
  text = JSON.stringify(delivery)
  delivery.data.payload.filler = 'x'.repeat(Math.max(0, bytes - Buffer.byteLength(text)))
  text = JSON.stringify(delivery)
  const at = text.indexOf(PLACEHOLDER)
  return { prefix: Buffer.from(text.slice(0, at)), suffix: Buffer.from(text.slice(at + ID_WIDTH)) }
}

let nextId = 1_000_000_000n
function delivery (parts: { prefix: Buffer, suffix: Buffer }): { body: Buffer, signature: string } {
  const id = Buffer.from(String(nextId++).padStart(ID_WIDTH, '0'))
  const body = Buffer.concat([parts.prefix, id, parts.suffix])
  return { body, signature: signPayload(body, SECRET) }
}

// ---- processes ----

const NPROC = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim() // before this process is pinned to one CPU
const cpus = allowedCpus()
const pinned = cpus !== undefined && cpus.length >= 2
if (pinned) spawnSync('taskset', ['-a', '-pc', String(cpus[1]), String(process.pid)])
const children: ChildProcess[] = []

async function startServer (variant: Variant, handlers: number): Promise<Server> {
  const script = new URL('variants.ts', import.meta.url).pathname
  const nodeArgs = ['--import', import.meta.resolve('tsx')]
  const child = fork(script, [variant, String(handlers)], {
    execPath: pinned ? 'taskset' : process.execPath,
    execArgv: pinned ? ['-c', String(cpus[0]), process.execPath, ...nodeArgs] : nodeArgs,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  children.push(child)
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port))
    child.once('exit', (code) => reject(new Error(`server ${variant} exited (${code})`)))
  })
  // taskset execs node, so the child's pid is the server's.
  return { origin: `http://127.0.0.1:${port}`, pid: child.pid as number }
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

/** User + system CPU seconds a process has used (/proc/PID/stat), NaN where there is no /proc. */
function cpuSeconds (pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return Number.NaN
  }
}

// ---- one measurement ----

function options (c: Case, origin: string, duration: number): Parameters<typeof autocannon>[0] {
  if (c.kind === 'crc') return { url: `${origin}${c.crcPath as string}?crc_token=${CRC_TOKEN}`, method: 'GET', connections: CONNECTIONS, duration }
  const parts = templates.get(c.size as Size) as { prefix: Buffer, suffix: Buffer }
  const request: Request = {
    method: 'POST',
    path: PATH,
    setupRequest: (req) => {
      const { body, signature } = delivery(parts)
      return { ...req, body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature } }
    }
  }
  return { url: origin, connections: CONNECTIONS, duration, requests: [request] }
}

async function measure (c: Case, server: Server, duration: number): Promise<Round> {
  const cpu = process.cpuUsage()
  const serverCpu = cpuSeconds(server.pid)
  const result = await autocannon(options(c, server.origin, duration))
  const serverUs = (cpuSeconds(server.pid) - serverCpu) * 1e6 / result['2xx']
  const { user, system } = process.cpuUsage(cpu)
  return { rps: result['2xx'] / result.duration, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts, loadCpu: (user + system) / 1e6 / result.duration, serverUs }
}

/** One request before measuring: a wrong signature or route shows here, not as a fast stream of 401s. */
async function sanity (c: Case, origin: string): Promise<void> {
  let response: Response
  if (c.kind === 'crc') {
    response = await fetch(`${origin}${c.crcPath as string}?crc_token=${CRC_TOKEN}`)
  } else {
    const { body, signature } = delivery(templates.get(c.size as Size) as { prefix: Buffer, suffix: Buffer })
    response = await fetch(`${origin}${PATH}`, { method: 'POST', body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature } })
  }
  if (response.status !== 200) throw new Error(`${c.name} (${c.workload}): sanity request answered ${response.status}: ${await response.text()}`)
}

// ---- the run ----

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

const templates = new Map<Size, { prefix: Buffer, suffix: Buffer }>()
for (const [size, bytes] of Object.entries(SIZES) as Array<[Size, number]>) templates.set(size, template(bytes))

const servers: Array<[string, Variant, number]> = [['A', 'A', 1], ['B', 'B', 1], ['C', 'C', 1], ['D', 'D', 1], ['D10', 'D', 10], ['D100', 'D', 100], ['E', 'E', 1]]
const cases: Case[] = []
for (const size of Object.keys(SIZES) as Size[]) {
  for (const [name, server] of [['A', 'A'], ['B', 'B'], ['C', 'C'], ['D (1 handler)', 'D'], ['E (dedupe: false)', 'E']]) {
    cases.push({ name: name as string, server: server as string, workload: size, kind: 'post', size, baseline: 'A' })
  }
  if (size === '1 KiB') {
    cases.push({ name: 'D (10 handlers)', server: 'D10', workload: size, kind: 'post', size, baseline: 'A' })
    cases.push({ name: 'D (100 handlers)', server: 'D100', workload: size, kind: 'post', size, baseline: 'A' })
  }
}
cases.push({ name: 'F bare GET', server: 'A', workload: 'CRC GET', kind: 'crc', crcPath: '/crc', baseline: 'F bare GET' })
cases.push({ name: 'F hand-written CRC', server: 'A', workload: 'CRC GET', kind: 'crc', crcPath: '/crc-hmac', baseline: 'F bare GET' })
cases.push({ name: 'F plugin CRC', server: 'D', workload: 'CRC GET', kind: 'crc', crcPath: PATH, baseline: 'F bare GET' })

const started = Date.now()
const origins = new Map<string, Server>()
try {
  for (const [name, variant, handlers] of servers) origins.set(name, await startServer(variant, handlers))
  console.log(`servers: ${servers.map(([n]) => n).join(', ')} — ${pinned ? `pinned to CPU ${cpus[0]}, autocannon on CPU ${cpus[1]} (taskset)` : 'NOT pinned (taskset unavailable or one CPU)'}`)
  for (const c of cases) await sanity(c, (origins.get(c.server) as Server).origin)
  const estimate = cases.length * (WARMUP + ROUNDS * DURATION) + (HEAP_EVENTS > 0 ? HEAP_EVENTS / 6000 : 0)
  console.log(`${cases.length} cases × ${ROUNDS} rounds × ${DURATION} s (+ ${WARMUP} s warm-up each)${HEAP_EVENTS > 0 ? `, then ${HEAP_EVENTS.toLocaleString('en-US')} events for the heap` : ''}: about ${Math.ceil(estimate / 60)} min`)
  const rounds = new Map<Case, Round[]>(cases.map((c) => [c, []]))
  if (WARMUP > 0) for (const c of cases) await measure(c, origins.get(c.server) as Server, WARMUP)
  for (let r = 1; r <= ROUNDS; r++) {
    for (const c of cases) {
      const round = await measure(c, origins.get(c.server) as Server, DURATION)
      rounds.get(c)?.push(round)
      console.log(`round ${r}/${ROUNDS}  ${c.workload.padEnd(8)} ${c.name.padEnd(18)} ${Math.round(round.rps).toString().padStart(7)} req/s  p50 ${round.p50} ms  p99 ${round.p99} ms  server ${round.serverUs.toFixed(1)} µs/req  generator CPU ${Math.round(round.loadCpu * 100)}%${round.non2xx + round.errors > 0 ? `  non2xx ${round.non2xx} errors ${round.errors}` : ''}`)
    }
  }
  for (const child of children) child.kill()
  report(rounds, heapRun())
} finally {
  for (const child of children) child.kill()
}

interface HeapRun { events: number, heapAfterGc: Array<{ events: number, heapUsed: number }>, exact: boolean, eventsPerSecond: number }

/** bench/delivery-load.ts with HEAP_EVENTS unique events and the default store: the heap after GC along the way. */
function heapRun (): HeapRun | undefined {
  if (HEAP_EVENTS <= 0) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'xwh-bench-'))
  try {
    const script = new URL('delivery-load.ts', import.meta.url).pathname
    const file = join(dir, 'delivery.json')
    console.log(`\nheap: bench/delivery-load.ts --events ${HEAP_EVENTS} (default store, max 100,000)`)
    // Unpinned first, so that delivery-load pins itself and its server to one CPU each.
    spawnSync('taskset', ['-a', '-pc', (cpus ?? []).join(','), String(process.pid)])
    const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script, '--events', String(HEAP_EVENTS), '--json', file], { stdio: 'inherit' })
    // Exit 1 is a run that was not exactly once: still reported (the target then misses). Anything else: no figure.
    if (run.status !== 0 && run.status !== 1) {
      console.error(`bench/delivery-load.ts exited ${run.status ?? run.signal}: the heap target is not reported`)
      return undefined
    }
    return JSON.parse(readFileSync(file, 'utf8')) as HeapRun
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function report (rounds: Map<Case, Round[]>, heap: HeapRun | undefined): void {
  const summary = cases.map((c) => {
    const rs = rounds.get(c) as Round[]
    const rps = rs.map((r) => r.rps)
    return {
      case: c.name,
      workload: c.workload,
      baseline: c.baseline,
      rps: median(rps),
      rpsMin: Math.min(...rps),
      rpsMax: Math.max(...rps),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      serverUs: median(rs.map((r) => r.serverUs)),
      non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
      errors: rs.reduce((n, r) => n + r.errors, 0),
      rounds: rs
    }
  })
  const find = (name: string, workload: string): (typeof summary)[number] => summary.find((s) => s.case === name && s.workload === workload) as (typeof summary)[number]
  const rows = summary.map((s) => {
    const base = find(s.baseline, s.workload)
    // Capacity: requests per second of server CPU. Against A, how many of A's requests one of ours costs.
    return { ...s, rpsRatio: s.rps / base.rps, capacityRatio: base.serverUs / s.serverUs, p50Ratio: s.p50 / base.p50, p99Ratio: s.p99 / base.p99 }
  })

  // Both ratios of `a` to `b`: by server CPU per request (the judged one) and by req/s.
  const ratio = (a: string, b: string, w: string): { capacity: number, rps: number } =>
    ({ capacity: find(b, w).serverUs / find(a, w).serverUs, rps: find(a, w).rps / find(b, w).rps })
  const atLeast = (name: string, a: string, b: string, w: string, factor: number): Target => {
    const r = ratio(a, b, w)
    return { target: name, value: r.capacity, rps: r.rps, unit: '×', holds: r.capacity >= factor }
  }
  const D = 'D (1 handler)'
  const perHandler = (name: string, handlers: number): Target => {
    const value = (find(name, '1 KiB').serverUs - find(D, '1 KiB').serverUs) / (handlers - 1)
    return { target: `each extra handler < 1 µs/event (1 → ${handlers} handlers, server CPU per request)`, value, unit: 'µs', holds: value < 1 }
  }
  const heapMiB = heap === undefined ? undefined : Math.max(...heap.heapAfterGc.map((h) => h.heapUsed)) / 1024 / 1024
  const targets: Target[] = [
    atLeast('D ≥ 0.85 × A at 1 KiB', D, 'A', '1 KiB', 0.85),
    atLeast('D ≥ 0.95 × A at 256 KiB', D, 'A', '256 KiB', 0.95),
    ...Object.keys(SIZES).map((w) => atLeast(`D ≥ B at ${w}`, D, 'B', w, 1)),
    ...Object.keys(SIZES).map((w) => atLeast(`D ≥ 2 × C at ${w}`, D, 'C', w, 2)),
    atLeast('F: plugin CRC ≥ 0.9 × bare GET', 'F plugin CRC', 'F bare GET', 'CRC GET', 0.9),
    atLeast('F (for reference): plugin CRC vs. the hand-written CRC', 'F plugin CRC', 'F hand-written CRC', 'CRC GET', 0.9),
    perHandler('D (10 handlers)', 10),
    perHandler('D (100 handlers)', 100),
    ...(heap === undefined || heapMiB === undefined
      ? []
      : [{ target: `heap after GC within 64 MiB over ${heap.events.toLocaleString('en-US')} unique events, default store`, value: heapMiB, unit: 'MiB', holds: heapMiB <= 64 && heap.exact }])
  ]

  const version = (name: string): string => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version
  const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? osCpus()[0]?.model ?? 'unknown'
  const machine = {
    date: new Date().toISOString(),
    nproc: NPROC,
    cpu: cpuModel,
    node: process.version,
    pinned: pinned ? `server on CPU ${cpus[0]}, autocannon on CPU ${cpus[1]}` : 'no',
    versions: { 'fastify-x-webhooks': own.version as string, fastify: version('fastify'), 'fastify-raw-body': version('fastify-raw-body'), express: version('express'), autocannon: version('autocannon') },
    serverCpu: `/proc/PID/stat, ${TICKS_PER_SECOND} ticks/s`,
    bodyBytes: Object.fromEntries([...templates].map(([k, t]) => [k, t.prefix.length + ID_WIDTH + t.suffix.length])),
    settings: { rounds: ROUNDS, duration: DURATION, warmup: WARMUP, connections: CONNECTIONS },
    wallSeconds: Math.round((Date.now() - started) / 1000)
  }
  writeFileSync(new URL('results.json', import.meta.url), JSON.stringify({ machine, results: rows, targets, heap }, null, 2) + '\n')

  const f = (n: number, d = 2): string => Number.isFinite(n) ? n.toFixed(d) : '—'
  const int = (n: number): string => Math.round(n).toLocaleString('en-US')
  const lines = [
    '# HTTP benchmark results',
    '',
    'Written by `npm run bench` (bench/http.ts); see bench/README.md for what is measured and how.',
    '',
    `- date: ${machine.date}`,
    `- machine: ${machine.nproc} CPUs (nproc), ${machine.cpu}; Node ${machine.node}; pinning: ${machine.pinned}`,
    `- versions: ${Object.entries(machine.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `- settings: ${ROUNDS} rounds of ${DURATION} s per case (interleaved), ${WARMUP} s warm-up, ${CONNECTIONS} connections; wall time ${machine.wallSeconds} s`,
    `- bodies (bytes): ${Object.entries(machine.bodyBytes).map(([k, v]) => `${k}: ${v}`).join(', ')}; signed XAA follow.follow deliveries from fixtures/, a unique event_uuid each`,
    '',
    'Figures are medians over the rounds; req/s counts 2xx answers only, the spread is the min–max of the rounds.',
    '**Server µs/req** is the server process\'s own CPU time per answer (/proc): on two cores one load generator cannot',
    'saturate the fastest servers (see its CPU column), so req/s ratios flatter the slow; **× A capacity** (A\'s µs/req',
    'over this one\'s) is what the plugin costs and what the targets are judged on. F rows compare against the bare GET.',
    '',
    '| workload | variant | req/s (median) | spread | × A req/s | server µs/req | × A capacity | p50 ms | p99 ms | non-2xx / errors | generator CPU |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.workload} | ${r.case} | ${int(r.rps)} | ${int(r.rpsMin)}–${int(r.rpsMax)} | ${f(r.rpsRatio)} | ${f(r.serverUs, 1)} | ${f(r.capacityRatio)} | ${r.p50} | ${r.p99} | ${r.non2xx} / ${r.errors} | ${Math.round(median(r.rounds.map((x) => x.loadCpu)) * 100)}% |`),
    '',
    '## Targets (issue 6; reported, never failing the build)',
    '',
    '| target | measured (server CPU) | by req/s | holds |',
    '|---|---:|---:|---|',
    ...targets.map((t) => `| ${t.target} | ${f(t.value)} ${t.unit} | ${t.rps === undefined ? '—' : `${f(t.rps)} ×`} | ${t.holds ? 'yes' : '**no**'} |`),
    ...(heap === undefined
      ? []
      : ['', `Heap after forced GC (bench/delivery-load.ts, ${Math.round(heap.eventsPerSecond).toLocaleString('en-US')} unique events/s, ${heap.exact ? 'every event handled exactly once' : '**not exactly once**'}): ` +
          heap.heapAfterGc.map((h) => `${(h.events / 1000).toFixed(0)}k: ${(h.heapUsed / 1024 / 1024).toFixed(1)} MiB`).join(', ')]),
    ''
  ]
  writeFileSync(new URL('RESULTS.md', import.meta.url), lines.join('\n'))
  console.log('\n' + lines.join('\n'))
  for (const t of targets) console.log(`${t.holds ? 'HOLDS ' : 'MISSES'}  ${t.target}: ${f(t.value)} ${t.unit}`)
}
