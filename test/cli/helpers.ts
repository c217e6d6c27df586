import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Test } from 'tap'
import { run } from '../../lib/cli/run.js'

export const BEARER = 'test-bearer-token'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON. */
  json: () => any
  /** stderr parsed as JSON. */
  error: () => any
}

/** Runs the CLI in-process, with only the environment given (nothing from this process). */
export async function cli (argv: string[], env: Record<string, string | undefined> = {}, extra: { fetch?: typeof fetch } = {}): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await run(argv, {
    stdout: { write: (chunk: string) => { stdout += chunk } },
    stderr: { write: (chunk: string) => { stderr += chunk } },
    env,
    ...extra
  })
  return { code, stdout, stderr, json: () => JSON.parse(stdout), error: () => JSON.parse(stderr) }
}

export interface Recorded {
  method: string
  path: string
  query: Record<string, string>
  authorization: string | undefined
  body: unknown
}

type Answer = [status: number, body: unknown, headers?: Record<string, string>]
type AnswerFunction = (request: FastifyRequest) => Answer | Promise<Answer>

/**
 * A stand-in for X's API on 127.0.0.1: X's documented paths and answers (X-PLATFORM §3–§6), every request recorded,
 * and any answer replaceable with `answer('METHOD /path', [status, body, headers])` (each used once).
 */
export interface StandIn {
  url: string
  /** `--base-url URL --bearer-token BEARER` */
  args: string[]
  requests: Recorded[]
  answer: (route: string, answer: Answer | AnswerFunction) => void
  app: FastifyInstance
}

const CREATED = '2026-01-31T12:00:00.000Z'

function subscription (id: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subscription_id: id,
    event_type: 'follow.follow',
    filter: { user_id: '2244994945' },
    tag: 'follows',
    webhook_id: '1146654567674912769',
    created_at: CREATED,
    updated_at: CREATED,
    ...fields
  }
}

export async function standIn (t: Test): Promise<StandIn> {
  const app = Fastify()
  const requests: Recorded[] = []
  const overrides = new Map<string, Array<Answer | AnswerFunction>>()
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] as string
    requests.push({
      method: request.method,
      path,
      query: request.query as Record<string, string>,
      authorization: request.headers.authorization,
      body: request.body
    })
    const queued = overrides.get(`${request.method} ${path}`)?.shift()
    if (queued === undefined) return
    const [status, body, headers = {}] = typeof queued === 'function' ? await queued(request) : queued
    return reply.code(status).headers(headers).send(body)
  })

  const webhook = { id: '1146654567674912769', url: 'https://example.com/webhooks/x', valid: true, created_at: CREATED }
  app.get('/2/webhooks', async () => ({ data: [webhook, { ...webhook, id: '1146654567674912770', url: 'https://example.com/other', valid: false }], meta: { result_count: 2 } }))
  app.post('/2/webhooks', async (request) => ({ data: { ...webhook, url: (request.body as { url: string }).url } }))
  app.delete('/2/webhooks/:id', async () => ({ data: { deleted: true } }))
  app.put('/2/webhooks/:id', async () => ({ data: { valid: true } }))
  app.post('/2/webhooks/replay', async () => ({ data: { job_id: '1858347165456711680', created_at: CREATED } }))

  const aaa = '/2/account_activity/webhooks/:id/subscriptions'
  app.post(`${aaa}/all`, async () => ({ data: { subscribed: true } }))
  app.get(`${aaa}/all`, async () => ({ data: { subscribed: true } }))
  app.get(`${aaa}/all/list`, async (request) => ({
    data: {
      application_id: '29002184',
      webhook_id: (request.params as { id: string }).id,
      webhook_url: webhook.url,
      subscriptions: [{ user_id: '2244994945' }, { user_id: '783214' }]
    }
  }))
  app.delete(`${aaa}/:userId/all`, async () => ({ data: { subscribed: false } }))
  app.get('/2/account_activity/subscriptions/count', async () => ({
    data: { application_id: '29002184', provisioned_count: '50', subscriptions_count_all: '3', subscriptions_count_direct_messages: '1' }
  }))

  app.post('/2/activity/subscriptions', async (request) => {
    const body = request.body as Record<string, unknown>
    return { data: { subscription: subscription('1917566233347698688', { ...body, tag: body.tag, webhook_id: body.webhook_id }) } }
  })
  app.get('/2/activity/subscriptions', async (request) => {
    const { pagination_token: page } = request.query as Record<string, string>
    return page === undefined
      ? { data: [subscription('1'), subscription('2', { tag: undefined, webhook_id: undefined })], meta: { total_subscriptions: 3, next_token: 'page-2' } }
      : { data: [subscription('3', { event_type: 'news.new', filter: { keyword: 'fastify' } })], meta: { total_subscriptions: 3 } }
  })
  app.put('/2/activity/subscriptions/:id', async (request) => ({
    data: subscription((request.params as { id: string }).id, request.body as Record<string, unknown>),
    meta: { total_subscriptions: 1 }
  }))
  app.delete('/2/activity/subscriptions/:id', async () => ({ data: { deleted: true } }))
  app.delete('/2/activity/subscriptions', async () => ({ data: { deleted: true } }))

  app.post('/2/tweets/search/webhooks/:id', async () => ({ data: { provisioned: true } }))
  app.get('/2/tweets/search/webhooks', async () => ({
    data: [{ webhook_id: '1146654567674912769', fields: ['tweet.fields=created_at'], expansions: 'author_id' }]
  }))
  app.delete('/2/tweets/search/webhooks/:id', async () => ({ data: { deleted: true } }))

  t.teardown(() => app.close())
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url,
    args: ['--base-url', url, '--bearer-token', BEARER],
    requests,
    app,
    answer: (route, answer) => { overrides.set(route, [...overrides.get(route) ?? [], answer]) }
  }
}

/** A port nothing listens on: listen, note the port, close. */
export async function closedPort (): Promise<number> {
  const app = Fastify()
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  await app.close()
  return port
}
