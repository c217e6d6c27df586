import { resolve } from 'node:path'
import { setImmediate as tick } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Fastify, { type FastifyInstance } from 'fastify'
import xWebhooks from '../lib/index.js'
import { failsFirst, ordinalOf } from '../test/e2e/load-scenario.js'
import { PATH, SECRET } from './scenario.js'

// The receiving side of the benchmark: Fastify with the plugin, and a handler that records, per unique event, how
// often it ran and how often it succeeded (two bytes an event), failing the first attempt of 2% of them. Runs as a
// child process (`node --import tsx bench/server.ts`, driven over IPC by delivery-load.ts) or in-process (--direct).

export interface TargetOptions {
  events: number
  /** The default store's max; undefined keeps the plugin's default. */
  max?: number
  dedupe: boolean
}

export interface MemoryPeaks { rss: number, heapUsed: number, samples: number, startRss: number, startHeapUsed: number }

export interface TargetReport {
  invocations: number
  successes: number
  /** Unique events that never ran successfully. */
  lost: number
  /** Unique events that ran successfully more than once. */
  repeated: number
  failedFirst: number
  strays: number
  unknown: number
  examples: string[]
  peaks: MemoryPeaks
  /** getrusage's maximum resident set size, in bytes. */
  maxRss: number
  /** CPU time (user + system) since the target started, in milliseconds. */
  cpuMs: number
}

export interface Target {
  app: FastifyInstance
  /** heapUsed after a forced full GC. */
  heapAfterGc: () => Promise<number>
  report: () => TargetReport
  close: () => Promise<void>
}

/** `global.gc` under --expose-gc; otherwise the same function, exposed at run time. */
function exposeGc (): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc')
}

const cpuMs = ({ user, system }: NodeJS.CpuUsage): number => (user + system) / 1000

/** Samples rss and heapUsed every 100 ms and keeps the peaks. */
function sampleMemory (): { peaks: MemoryPeaks, stop: () => void } {
  const start = process.memoryUsage()
  const peaks = { rss: 0, heapUsed: 0, samples: 0, startRss: start.rss, startHeapUsed: start.heapUsed }
  const sample = (): void => {
    const { rss, heapUsed } = process.memoryUsage()
    peaks.rss = Math.max(peaks.rss, rss)
    peaks.heapUsed = Math.max(peaks.heapUsed, heapUsed)
    peaks.samples++
  }
  sample()
  const timer = setInterval(sample, 100)
  return { peaks, stop: () => { clearInterval(timer); sample() } }
}

export async function startTarget (options: TargetOptions): Promise<Target> {
  const gc = exposeGc()
  const app = Fastify()
  await app.register(xWebhooks, {
    consumerSecret: SECRET,
    path: PATH,
    ack: 'after-handlers',
    dedupe: options.dedupe ? (options.max === undefined ? {} : { max: options.max }) : false
  })
  // Saturating per-event counters: 2 bytes an event, a few MB even at a million.
  const attempts = new Uint8Array(options.events)
  const successes = new Uint8Array(options.events)
  let invocations = 0
  let strays = 0
  let unknown = 0
  app.x.onAny(async (event) => {
    invocations++
    const ordinal = ordinalOf(event.id)
    if (ordinal < 0 || ordinal >= options.events) {
      strays++
      return
    }
    if (event.type === 'unknown') unknown++
    const attempt = attempts[ordinal] as number
    if (attempt !== 255) attempts[ordinal] = attempt + 1
    // Let other requests in while this event holds its claim, as a handler doing I/O would.
    await tick()
    if (attempt === 0 && failsFirst(ordinal)) throw new Error(`first attempt of ${ordinal} fails`)
    const succeeded = successes[ordinal] as number
    if (succeeded !== 255) successes[ordinal] = succeeded + 1
  })
  // Failures are expected (2%): onError keeps them from being unhandled, the plugin logs nothing (no logger).
  app.x.onError(() => {})
  const memory = sampleMemory()
  const cpuAtStart = process.cpuUsage()
  let closed: Promise<void> | undefined

  return {
    app,
    async heapAfterGc () {
      for (let i = 0; i < 3; i++) {
        gc()
        await tick()
      }
      return process.memoryUsage().heapUsed
    },
    report () {
      let lost = 0
      let repeated = 0
      let total = 0
      let failedFirst = 0
      const examples: string[] = []
      for (let ordinal = 0; ordinal < options.events; ordinal++) {
        const n = successes[ordinal] as number
        total += n
        if (failsFirst(ordinal)) failedFirst++
        if (n === 1) continue
        if (n === 0) lost++
        else repeated++
        if (examples.length < 10) examples.push(`event ${ordinal}: ran ${attempts[ordinal]} times, succeeded ${n}`)
      }
      return { invocations, successes: total, lost, repeated, failedFirst, strays, unknown, examples, peaks: { ...memory.peaks }, maxRss: process.resourceUsage().maxRSS * 1024, cpuMs: cpuMs(process.cpuUsage(cpuAtStart)) }
    },
    async close () {
      closed ??= (async () => {
        memory.stop()
        await app.close()
      })()
      await closed
    }
  }
}

// The child process: listens on 127.0.0.1 (an OS-chosen port), then answers delivery-load.ts's requests over IPC.
type Command = { type: 'gc' } | { type: 'report' } | { type: 'close' }

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const fail = (error: unknown): void => {
    console.error(error)
    process.exit(1)
  }
  const send = process.send?.bind(process)
  if (send === undefined) throw new Error('bench/server.ts is started by bench/delivery-load.ts, with an IPC channel')
  const target = await startTarget(JSON.parse(process.argv[2] ?? '{}') as TargetOptions)
  const address = await target.app.listen({ host: '127.0.0.1', port: 0 })
  process.on('message', (command: Command) => {
    if (command.type === 'gc') target.heapAfterGc().then((heapUsed) => send({ type: 'gc', heapUsed }), fail)
    if (command.type === 'report') send({ type: 'report', report: target.report() })
    if (command.type === 'close') target.close().then(() => process.disconnect(), fail)
  })
  process.on('disconnect', () => { target.close().catch(fail) })
  send({ type: 'ready', url: `${address}${PATH}` })
}
