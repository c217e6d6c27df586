// app.x.recover: bring a webhook back and replay the gap. Check the webhook with X, re-validate it when invalid, ask
// X to replay from the checkpoint (or `since`), wait for the job's replay_job_status, retry an Incomplete job, and
// report. Events already handled are skipped by de-duplication, so replaying a little too much costs nothing.
import type { FastifyBaseLogger } from 'fastify'
import { XApiError } from './client/errors.js'
import type { XWebhooksClient } from './client/index.js'
import type { EventOutcome } from './delivery.js'
import { FST_XWH_INVALID_OPTION, FST_XWH_RECOVERY_FAILED } from './errors.js'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

export interface RecoverOptions {
  /** The webhook to recover: its id at X (`x-webhooks webhooks list`). */
  webhookId: string
  /** Replay from this time instead of the checkpoint; clamped to X's 24 hours. */
  since?: Date
}

/** `started`: the CLI, which does not receive the webhook's deliveries, cannot see how a job ended. */
export type ReplayJobState = 'complete' | 'incomplete' | 'no-status' | 'started'

export interface RecoveryReport {
  webhookId: string
  /** The webhook was invalid, and a CRC (X's PUT) made it valid again. */
  revalidated: boolean
  /** Where the window starts: `since`, the checkpoint, or `none` (no checkpoint yet: nothing was replayed). */
  origin: 'since' | 'checkpoint' | 'none'
  /** The window asked of X, after clamping; undefined when nothing was replayed. */
  window: { from: Date, to: Date } | undefined
  /** Every replay job, in order: the first, then one more for each Incomplete. */
  jobs: Array<{ jobId: string, state: ReplayJobState }>
  /** Replayed events this instance received while the jobs ran: handled now, skipped as duplicates, failed. */
  events: { received: number, handled: number, duplicates: number, failed: number }
  /** Every job ended Complete, or there was nothing to replay. */
  complete: boolean
}

export interface RecoverySettings {
  /** Replay from this long before the checkpoint: X's retries of deliveries that failed just before it. */
  lookback: number
  /** How long to wait for a job's replay_job_status before reporting `no-status`. */
  jobTimeout: number
  /** Jobs per recovery: the first, and one more for each Incomplete, up to this many. */
  attempts: number
  /** How long to wait before asking again while X answers ReplayConflictError (one job at a time per webhook). */
  conflictWait: number
}

export const DEFAULT_RECOVERY_SETTINGS: RecoverySettings = { lookback: 10 * MINUTE, jobTimeout: 10 * MINUTE, attempts: 3, conflictWait: 30_000 }

/** What a recovery works with: the plugin gives it its checkpoint and its deliveries; the CLI has neither. */
export interface RecoveryContext {
  client: XWebhooksClient
  settings: RecoverySettings
  log: Pick<FastifyBaseLogger, 'info'>
  checkpoint?: () => Promise<number | undefined>
  /** Calls `observer` with the outcome of every event this instance handles, until the returned function is called. */
  observe?: (observer: (outcome: EventOutcome) => void) => () => void
  /** Aborted when the app closes: no recovery starts, and a running one stops waiting. */
  signal?: AbortSignal
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

/**
 * Resolves after `ms`, when `signal` aborts, or when the function handed to `wakeWith` is called, whichever is first.
 * Never keeps the process alive.
 */
async function pause (ms: number, signal: AbortSignal | undefined, wakeWith?: (wake: () => void) => void): Promise<void> {
  if (signal?.aborted === true) return
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    timer.unref()
    signal?.addEventListener('abort', done)
    wakeWith?.(done)
  })
}

function checkOptions (options: unknown): { webhookId: string, since: Date | undefined } {
  const { webhookId, since } = (typeof options === 'object' && options !== null ? options : {}) as Partial<RecoverOptions>
  if (typeof webhookId !== 'string' || !/^\d{1,19}$/.test(webhookId)) {
    throw new FST_XWH_INVALID_OPTION('webhookId', 'expected the webhook\'s numeric id as a string, e.g. recover({ webhookId: \'1146654567674912769\' }); list them with x-webhooks webhooks list')
  }
  if (since !== undefined && (!(since instanceof Date) || Number.isNaN(since.getTime()))) {
    throw new FST_XWH_INVALID_OPTION('since', `expected a valid Date, got ${String(since)}`)
  }
  return { webhookId, since }
}

/** Replay job statuses and replayed events, as this instance handles them. */
class Tally {
  readonly events = { received: 0, handled: 0, duplicates: 0, failed: 0 }
  readonly #states = new Map<string, 'complete' | 'incomplete'>()
  readonly #waiting = new Map<string, () => void>()

  see (outcome: EventOutcome): void {
    const { event } = outcome
    if (event.type === 'replay.complete' || event.type === 'replay.incomplete') {
      const jobId = (event.payload as { job_id: string }).job_id
      this.#states.set(jobId, event.type === 'replay.complete' ? 'complete' : 'incomplete')
      this.#waiting.get(jobId)?.()
      return
    }
    if (!event.replay) return
    this.events.received++
    if (outcome.status === 'handled') this.events.handled++
    else if (outcome.status === 'duplicate') this.events.duplicates++
    else this.events.failed++
  }

  /** The job's state once its status arrives (it may have arrived already), or `no-status` after `ms` or on abort. */
  async state (jobId: string, ms: number, signal: AbortSignal | undefined): Promise<ReplayJobState> {
    if (!this.#states.has(jobId)) {
      await pause(ms, signal, (wake) => this.#waiting.set(jobId, wake))
      this.#waiting.delete(jobId)
    }
    return this.#states.get(jobId) ?? 'no-status'
  }
}

/** X's 24 hours, in whole minutes: the window starts two minutes inside the limit, and a minute before its end. */
function clamp (start: number, to: number, now: number): { from: Date, to: Date } {
  return { from: new Date(Math.min(Math.max(start, now - DAY + 2 * MINUTE), to - MINUTE)), to: new Date(to) }
}

/** Asks X for a job, again while it answers ReplayConflictError; the window is clamped anew before each ask. */
async function startJob (context: RecoveryContext, webhookId: string, start: number, to: number, report: RecoveryReport): Promise<string> {
  const now = context.now ?? Date.now
  const sleep = context.sleep ?? (async (ms: number) => await pause(ms, context.signal))
  const giveUpAt = now() + context.settings.jobTimeout
  for (;;) {
    report.window = clamp(start, to, now())
    try {
      return (await context.client.webhooks.replay({ webhookId, ...report.window })).jobId
    } catch (error) {
      const conflict = error instanceof XApiError && error.reason === 'ReplayConflictError'
      if (!conflict) throw error
      if (now() + context.settings.conflictWait > giveUpAt) {
        throw new FST_XWH_RECOVERY_FAILED(webhookId, 'X kept answering ReplayConflictError: another replay job for this webhook is still running; try again when it ends')
      }
      context.log.info({ webhookId }, 'fastify-x-webhooks: another replay job is running for this webhook; waiting for it to end')
      await sleep(context.settings.conflictWait)
      if (context.signal?.aborted === true) throw closing(webhookId)
    }
  }
}

function closing (webhookId: string): Error {
  return new FST_XWH_RECOVERY_FAILED(webhookId, 'the app is closing; the next start recovers from the same checkpoint')
}

/** See the module comment. Rejects when the webhook does not exist or stays invalid; X's refusals reject as XApiError. */
export async function recover (context: RecoveryContext, options: RecoverOptions): Promise<RecoveryReport> {
  const { webhookId, since } = checkOptions(options)
  const { client, settings, log, signal } = context
  if (signal?.aborted === true) throw closing(webhookId)

  const webhook = (await client.webhooks.list()).find((item) => item.id === webhookId)
  if (webhook === undefined) throw new FST_XWH_RECOVERY_FAILED(webhookId, 'X lists no webhook with this id for this app (x-webhooks webhooks list shows them)')
  let revalidated = false
  if (!webhook.valid) {
    if (!(await client.webhooks.validate(webhookId)).valid) {
      // The URL without its query: a token someone put there stays out of the logs.
      throw new FST_XWH_RECOVERY_FAILED(webhookId, `it is invalid and failed X's CRC again; check the route with x-webhooks crc-check ${webhook.url.split('?')[0] as string}`)
    }
    revalidated = true
  }

  const checkpoint = since === undefined ? await context.checkpoint?.() : undefined
  const start = since?.getTime() ?? (checkpoint === undefined ? undefined : checkpoint - settings.lookback)
  const report: RecoveryReport = {
    webhookId,
    revalidated,
    origin: since !== undefined ? 'since' : checkpoint !== undefined ? 'checkpoint' : 'none',
    window: undefined,
    jobs: [],
    events: { received: 0, handled: 0, duplicates: 0, failed: 0 },
    complete: true
  }
  if (start === undefined) return report

  const to = (context.now ?? Date.now)()
  const tally = new Tally()
  const stop = context.observe?.((outcome) => tally.see(outcome))
  try {
    for (let attempt = 1; attempt <= settings.attempts; attempt++) {
      const jobId = await startJob(context, webhookId, start, to, report)
      const state = stop === undefined ? 'started' : await tally.state(jobId, settings.jobTimeout, signal)
      report.jobs.push({ jobId, state })
      log.info({ webhookId, jobId, state, attempt }, 'fastify-x-webhooks: replay job ended')
      if (state !== 'incomplete') break
    }
  } finally {
    stop?.()
  }
  report.events = tally.events
  report.complete = report.jobs.at(-1)?.state === 'complete'
  return report
}
