import { fork, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { signPayload } from '../lib/index.js'
import { allowedCpus } from './cpus.js'
import { pool } from '../test/e2e/load-scenario.js'
import { PATH, SECRET, windows } from './scenario.js'
import type { TargetOptions, TargetReport } from './server.js'

// The load test's scenario (test/e2e/load-scenario.ts, run by test/e2e/load.test.ts) at 100x its size, timed: see bench/README.md.
//   npx tsx bench/delivery-load.ts [--events N] [--max M] [--concurrency C] [--dedupe on|off] [--direct] [--json FILE]

const USAGE = 'usage: npx tsx bench/delivery-load.ts [--events N] [--max M] [--concurrency C] [--dedupe on|off] [--direct] [--json FILE]'

class UsageError extends Error {}

function parseOptions (): { events: number, max: number | undefined, concurrency: number, dedupe: boolean, direct: boolean, json: string | undefined } {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '300000' },
      max: { type: 'string' },
      concurrency: { type: 'string', default: '64' },
      dedupe: { type: 'string', default: 'on' },
      direct: { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', default: false }
    }
  })
  const whole = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined
    const n = Number(value.replaceAll('_', ''))
    if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${name} expects a positive whole number, got ${value}\n${USAGE}`)
    return n
  }
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  if (values.dedupe !== 'on' && values.dedupe !== 'off') throw new UsageError(`--dedupe expects on or off\n${USAGE}`)
  return {
    events: whole('events', values.events) as number,
    max: whole('max', values.max),
    concurrency: whole('concurrency', values.concurrency) as number,
    dedupe: values.dedupe === 'on',
    direct: values.direct,
    json: values.json
  }
}

/** How the server is reached and measured: a child process over HTTP, or this process through app.inject(). */
interface Driver {
  description: string
  post: (raw: Buffer, signature: string) => Promise<number>
  heapAfterGc: () => Promise<number>
  report: () => Promise<TargetReport>
  close: () => Promise<void>
}

async function childDriver (options: TargetOptions, concurrency: number): Promise<Driver> {
  const cpus = allowedCpus()
  const pinned = cpus !== undefined && cpus.length >= 2
  // The server alone on one CPU, this load generator (every thread of it) on another.
  if (pinned) spawnSync('taskset', ['-a', '-pc', String(cpus[1]), String(process.pid)])
  const server = fileURLToPath(new URL('server.ts', import.meta.url))
  const nodeArgs = ['--expose-gc', '--import', import.meta.resolve('tsx')]
  const child = fork(server, [JSON.stringify(options)], {
    execPath: pinned ? 'taskset' : process.execPath,
    execArgv: pinned ? ['-c', String(cpus[0]), process.execPath, ...nodeArgs] : nodeArgs,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const waiting = new Map<string, (message: Record<string, unknown>) => void>()
  const exited = new Promise<never>((_resolve, reject) => {
    child.on('exit', (code, signal) => reject(new Error(`the server process exited (${code ?? signal})`)))
  })
  exited.catch(() => {})
  child.on('message', (message: Record<string, unknown>) => {
    const resolve = waiting.get(message.type as string)
    waiting.delete(message.type as string)
    resolve?.(message)
  })
  const answer = async (type: string, command?: string): Promise<Record<string, unknown>> => {
    const answered = new Promise<Record<string, unknown>>((resolve) => waiting.set(type, resolve))
    if (command !== undefined) child.send({ type: command })
    return await Promise.race([answered, exited])
  }
  const { url } = await answer('ready') as { url: string }
  const agent = new Agent({ keepAlive: true, maxSockets: 2 * concurrency })
  return {
    description: `HTTP over 127.0.0.1 to a server in a child process${pinned ? ` pinned to CPU ${cpus[0]} (taskset), this load generator on CPU ${cpus[1]}` : ' (not pinned: taskset unavailable or a single CPU)'}`,
    post: async (raw, signature) => await new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/json', 'content-length': raw.length, 'x-twitter-webhooks-signature': signature }
      request(url, { method: 'POST', agent, headers }, (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode as number)).on('error', reject)
      }).on('error', reject).end(raw)
    }),
    heapAfterGc: async () => (await answer('gc', 'gc')).heapUsed as number,
    report: async () => (await answer('report', 'report')).report as TargetReport,
    close: async () => {
      agent.destroy()
      child.send({ type: 'close' })
      await new Promise((resolve) => child.once('exit', resolve))
    }
  }
}

async function directDriver (options: TargetOptions): Promise<Driver> {
  const { startTarget } = await import('./server.js')
  const target = await startTarget(options)
  return {
    description: 'DIRECT: app.inject() in this process, no sockets; memory figures include the load generator',
    post: async (payload, signature) => (await target.app.inject({
      method: 'POST', url: PATH, payload, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature }
    })).statusCode,
    heapAfterGc: target.heapAfterGc,
    report: async () => target.report(),
    close: target.close
  }
}

/** Latencies in buckets 2% wide: percentiles to within 2%, in constant memory. */
class Histogram {
  private readonly counts = new Float64Array(1200)
  private total = 0
  private static readonly LOG = Math.log(1.02)
  record (ms: number): void {
    const bucket = Math.min(1199, Math.max(0, Math.floor(Math.log(ms * 1000) / Histogram.LOG)))
    this.counts[bucket] = (this.counts[bucket] as number) + 1
    this.total++
  }

  percentile (p: number): number {
    let seen = 0
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] as number
      if (seen >= this.total * p) return 1.02 ** (i + 1) / 1000
    }
    return Number.NaN
  }
}

const MB = 1024 * 1024
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`
const pct = (cpu: number, wall: number): string => `${Math.round(cpu / wall * 100)}%`
const rate = (n: number, ms: number): string => Math.round(n / ms * 1000).toLocaleString('en-US')

async function main (): Promise<void> {
  let options: ReturnType<typeof parseOptions>
  try {
    options = parseOptions()
  } catch (error) {
    console.error((error as Error).message)
    process.exitCode = 2
    return
  }
  const target: TargetOptions = { events: options.events, max: options.max, dedupe: options.dedupe }
  const driver = options.direct ? await directDriver(target) : await childDriver(target, options.concurrency)
  console.log(`delivery-load: ${options.events.toLocaleString('en-US')} unique events, dedupe ${options.dedupe ? `on (default in-memory store, max ${options.max?.toLocaleString('en-US') ?? 'default (100,000)'})` : 'off'}, ` +
    `ack after-handlers, ${options.concurrency} sends in flight`)
  console.log(`mode: ${driver.description}`)

  const statuses = new Map<number, number>()
  const latency = new Histogram()
  let requests = 0
  let deliveries = 0
  let unanswered = 0

  /** Delivers like X: again on any answer but 200, after 10, 20 and 40 ms (X waits far longer). */
  async function deliver (body: string): Promise<void> {
    const raw = Buffer.from(body)
    const signature = signPayload(raw, SECRET)
    for (const delay of [0, 10, 20, 40]) {
      if (delay > 0) await sleep(delay)
      const started = performance.now()
      const status = await driver.post(raw, signature)
      latency.record(performance.now() - started)
      requests++
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
      if (status === 200) return
    }
    unanswered++
  }

  const heapAfterGc: Array<{ events: number, heapUsed: number }> = [{ events: 0, heapUsed: await driver.heapAfterGc() }]
  const serverCpuAtStart = (await driver.report()).cpuMs
  const cpuAtStart = process.cpuUsage()
  let paused = 0
  let nextCheckpoint = 0.1
  const started = performance.now()
  for (const window of windows(options.events)) {
    await pool(window.sends, options.concurrency, async ({ bodies }) => { await Promise.all(bodies.map(deliver)) })
    // Sent: drop the bodies now, so that (in --direct mode) they are not counted in the heap checkpoint below.
    window.sends.length = 0
    deliveries += window.deliveries
    if (window.events >= options.events * nextCheckpoint || window.events === options.events) {
      // The heap after a forced GC every 10% of the run: flat once the store is full, if nothing leaks.
      const pausedAt = performance.now()
      heapAfterGc.push({ events: window.events, heapUsed: await driver.heapAfterGc() })
      paused += performance.now() - pausedAt
      const elapsed = performance.now() - started - paused
      console.log(`  ${window.events.toLocaleString('en-US')} events, ${requests.toLocaleString('en-US')} requests, ` +
        `${rate(window.events, elapsed)} events/s, heap after GC ${mb(heapAfterGc.at(-1)?.heapUsed as number)}`)
      while (window.events >= options.events * nextCheckpoint) nextCheckpoint += 0.1
    }
  }
  const elapsed = performance.now() - started - paused
  const wall = performance.now() - started
  const { user, system } = process.cpuUsage(cpuAtStart)
  const report = await driver.report()
  await driver.close()

  const exact = options.dedupe
    ? report.lost === 0 && report.repeated === 0 && report.invocations === options.events + report.failedFirst &&
      report.strays === 0 && report.unknown === 0 && unanswered === 0 && [...statuses.keys()].every((s) => s === 200 || s === 500) &&
      // Failing events are 50 ordinals apart, never two in one delivery: one 500 for each.
      (statuses.get(500) ?? 0) === report.failedFirst
    : report.lost === 0 && unanswered === 0
  console.log(`
deliveries ${deliveries.toLocaleString('en-US')}, ${options.direct ? 'injected' : 'HTTP'} requests ${requests.toLocaleString('en-US')} (statuses ${JSON.stringify(Object.fromEntries(statuses))}), in ${(elapsed / 1000).toFixed(1)} s (GC checkpoints excluded)
throughput: ${rate(options.events, elapsed)} unique events/s, ${rate(requests, elapsed)} requests/s
CPU over the ${(wall / 1000).toFixed(1)} s run: server ${pct(report.cpuMs - serverCpuAtStart, wall)} of a core, load generator ${pct((user + system) / 1000, wall)}${options.direct ? ' (one process: the same figure)' : ''}
latency per request: p50 ${latency.percentile(0.5).toFixed(2)} ms, p99 ${latency.percentile(0.99).toFixed(2)} ms
${options.direct ? 'process' : 'server'} memory, sampled every 100 ms (${report.peaks.samples} samples): peak RSS ${mb(report.peaks.rss)}, peak heapUsed ${mb(report.peaks.heapUsed)}; getrusage max RSS ${mb(report.maxRss)}
  (includes the benchmark's own counters: 2 bytes per unique event, ${mb(2 * options.events)})
  (at start, before any delivery: RSS ${mb(report.peaks.startRss)}, heapUsed ${mb(report.peaks.startHeapUsed)})
heap after forced GC at ${heapAfterGc.map(({ events, heapUsed }) => `${(events / 1000).toFixed(0)}k: ${mb(heapUsed)}`).join(', ')}
handlers: ${report.invocations.toLocaleString('en-US')} invocations for ${options.events.toLocaleString('en-US')} unique events + ${report.failedFirst.toLocaleString('en-US')} failed first attempts; ` +
    `${report.lost} lost, ${report.repeated} handled more than once, ${report.strays} strays, ${report.unknown} unknown, ${unanswered} deliveries never answered 200
${options.dedupe ? (exact ? 'OK: every unique event handled successfully exactly once' : 'FAILED: not exactly once') : (exact ? 'dedupe off: every event handled at least once (copies ran again, as expected)' : 'FAILED: events lost')}`)
  if (!exact) for (const example of report.examples) console.log(`  ${example}`)
  // For bench/http.ts, which reports the heap target next to the HTTP figures.
  if (options.json !== undefined) writeFileSync(options.json, JSON.stringify({ events: options.events, heapAfterGc, exact, eventsPerSecond: options.events / elapsed * 1000 }))
  process.exitCode = exact ? 0 : 1
}

await main()
