import { fork, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus as osCpus } from 'node:os'
import { parseArgs } from 'node:util'
import autocannon, { type Request } from 'autocannon'
import { signPayload } from '../lib/index.js'
import { allowedCpus } from './cpus.js'
import { PATH, SECRET, SIGNATURE_HEADER, type Variant } from './variants.js'

// `npm run bench`: each server variant of bench/variants.ts in its own child process on 127.0.0.1, pinned to the
// first CPU (taskset), driven by autocannon in this process, pinned to the second. Every POST is a signed XAA
// follow.follow delivery with its own event_uuid (no duplicates), padded to the workload's size. Rounds are
// interleaved (round 1 of every case, then round 2, …) so that drift on a shared machine spreads over all cases.

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' }
  }
})
const ROUNDS = Number(args.rounds)
const DURATION = Number(args.duration)
const WARMUP = Number(args.warmup)
const CONNECTIONS = Number(args.connections)

const SIZES = { '1 KiB': 1024, '16 KiB': 16 * 1024, '256 KiB': 256 * 1024 } as const
type Size = keyof typeof SIZES
const ID_WIDTH = 20
const CRC_TOKEN = 'Y3JjLXRva2VuLWJlbmNo'

interface Case { name: string, server: string, workload: string, kind: 'post' | 'crc', size?: Size, baseline: string }
interface Round { rps: number, p50: number, p99: number, non2xx: number, errors: number, /** CPU share of this load generator */ loadCpu: number }

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

async function startServer (variant: Variant, handlers: number): Promise<string> {
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
  return `http://127.0.0.1:${port}`
}

// ---- one measurement ----

function options (c: Case, origin: string, duration: number): Parameters<typeof autocannon>[0] {
  if (c.kind === 'crc') {
    const path = c.server === 'A' ? '/crc' : PATH
    return { url: `${origin}${path}?crc_token=${CRC_TOKEN}`, method: 'GET', connections: CONNECTIONS, duration }
  }
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

async function measure (c: Case, origin: string, duration: number): Promise<Round> {
  const cpu = process.cpuUsage()
  const result = await autocannon(options(c, origin, duration))
  const { user, system } = process.cpuUsage(cpu)
  return { rps: result['2xx'] / result.duration, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts, loadCpu: (user + system) / 1e6 / result.duration }
}

/** One request before measuring: a wrong signature or route shows here, not as a fast stream of 401s. */
async function sanity (c: Case, origin: string): Promise<void> {
  let response: Response
  if (c.kind === 'crc') {
    response = await fetch(`${origin}${c.server === 'A' ? '/crc' : PATH}?crc_token=${CRC_TOKEN}`)
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
cases.push({ name: 'F bare GET', server: 'A', workload: 'CRC GET', kind: 'crc', baseline: 'F bare GET' })
cases.push({ name: 'F plugin CRC', server: 'D', workload: 'CRC GET', kind: 'crc', baseline: 'F bare GET' })

const started = Date.now()
const origins = new Map<string, string>()
try {
  for (const [name, variant, handlers] of servers) origins.set(name, await startServer(variant, handlers))
  console.log(`servers: ${servers.map(([n]) => n).join(', ')} — ${pinned ? `pinned to CPU ${cpus[0]}, autocannon on CPU ${cpus[1]} (taskset)` : 'NOT pinned (taskset unavailable or one CPU)'}`)
  for (const c of cases) await sanity(c, origins.get(c.server) as string)
  const estimate = cases.length * (WARMUP + ROUNDS * DURATION)
  console.log(`${cases.length} cases × ${ROUNDS} rounds × ${DURATION} s (+ ${WARMUP} s warm-up each): about ${Math.ceil(estimate / 60)} min`)
  const rounds = new Map<Case, Round[]>(cases.map((c) => [c, []]))
  if (WARMUP > 0) for (const c of cases) await measure(c, origins.get(c.server) as string, WARMUP)
  for (let r = 1; r <= ROUNDS; r++) {
    for (const c of cases) {
      const round = await measure(c, origins.get(c.server) as string, DURATION)
      rounds.get(c)?.push(round)
      console.log(`round ${r}/${ROUNDS}  ${c.workload.padEnd(8)} ${c.name.padEnd(18)} ${Math.round(round.rps).toString().padStart(7)} req/s  p50 ${round.p50} ms  p99 ${round.p99} ms  generator CPU ${Math.round(round.loadCpu * 100)}%${round.non2xx + round.errors > 0 ? `  non2xx ${round.non2xx} errors ${round.errors}` : ''}`)
    }
  }
  report(rounds)
} finally {
  for (const child of children) child.kill()
}

function report (rounds: Map<Case, Round[]>): void {
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
      non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
      errors: rs.reduce((n, r) => n + r.errors, 0),
      rounds: rs
    }
  })
  const find = (name: string, workload: string): (typeof summary)[number] => summary.find((s) => s.case === name && s.workload === workload) as (typeof summary)[number]
  const rows = summary.map((s) => {
    const base = find(s.baseline, s.workload)
    return { ...s, rpsRatio: s.rps / base.rps, p50Ratio: s.p50 / base.p50, p99Ratio: s.p99 / base.p99 }
  })

  const ratio = (a: string, b: string, w: string): number => find(a, w).rps / find(b, w).rps
  const D = 'D (1 handler)'
  const perHandlerUs = (1e6 / find('D (100 handlers)', '1 KiB').rps - 1e6 / find(D, '1 KiB').rps) / 99
  const perHandlerUs10 = (1e6 / find('D (10 handlers)', '1 KiB').rps - 1e6 / find(D, '1 KiB').rps) / 9
  const targets = [
    { target: 'D ≥ 0.85 × A at 1 KiB', value: ratio(D, 'A', '1 KiB'), holds: ratio(D, 'A', '1 KiB') >= 0.85 },
    { target: 'D ≥ 0.95 × A at 256 KiB', value: ratio(D, 'A', '256 KiB'), holds: ratio(D, 'A', '256 KiB') >= 0.95 },
    ...Object.keys(SIZES).map((w) => ({ target: `D ≥ B at ${w}`, value: ratio(D, 'B', w), holds: ratio(D, 'B', w) >= 1 })),
    ...Object.keys(SIZES).map((w) => ({ target: `D ≥ 2 × C at ${w}`, value: ratio(D, 'C', w), holds: ratio(D, 'C', w) >= 2 })),
    { target: 'F: plugin CRC ≥ 0.9 × bare GET', value: ratio('F plugin CRC', 'F bare GET', 'CRC GET'), holds: ratio('F plugin CRC', 'F bare GET', 'CRC GET') >= 0.9 },
    { target: 'each extra handler < 1 µs/event (1 → 100 handlers, server time per request)', value: perHandlerUs, holds: perHandlerUs < 1 },
    { target: 'each extra handler < 1 µs/event (1 → 10 handlers)', value: perHandlerUs10, holds: perHandlerUs10 < 1 }
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
    bodyBytes: Object.fromEntries([...templates].map(([k, t]) => [k, t.prefix.length + ID_WIDTH + t.suffix.length])),
    settings: { rounds: ROUNDS, duration: DURATION, warmup: WARMUP, connections: CONNECTIONS },
    wallSeconds: Math.round((Date.now() - started) / 1000)
  }
  writeFileSync(new URL('results.json', import.meta.url), JSON.stringify({ machine, results: rows, targets }, null, 2) + '\n')

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
    'Ratios are against A for the same workload (F against the bare GET); a latency ratio above 1 is slower.',
    '',
    '| workload | variant | req/s (median) | spread | × A req/s | p50 ms | × A p50 | p99 ms | × A p99 | non-2xx / errors | generator CPU |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.workload} | ${r.case} | ${int(r.rps)} | ${int(r.rpsMin)}–${int(r.rpsMax)} | ${f(r.rpsRatio)} | ${r.p50} | ${f(r.p50Ratio)} | ${r.p99} | ${f(r.p99Ratio)} | ${r.non2xx} / ${r.errors} | ${Math.round(median(r.rounds.map((x) => x.loadCpu)) * 100)}% |`),
    '',
    '## Targets (issue 6; reported, never failing the build)',
    '',
    '| target | measured | holds |',
    '|---|---:|---|',
    ...targets.map((t) => `| ${t.target} | ${t.target.includes('µs') ? `${f(t.value)} µs` : `${f(t.value)}×`} | ${t.holds ? 'yes' : '**no**'} |`),
    '| heap after 1,000,000 unique events, default store, flat within 64 MiB | not measured by this benchmark: see `npm run bench:delivery` (bench/README.md) | — |',
    ''
  ]
  writeFileSync(new URL('RESULTS.md', import.meta.url), lines.join('\n'))
  console.log('\n' + lines.join('\n'))
  for (const t of targets) console.log(`${t.holds ? 'HOLDS ' : 'MISSES'}  ${t.target}: ${f(t.value)}`)
}
