// A local stand-in for X's management API, on 127.0.0.1: X's documented requests, answered in either of the shapes X
// has used, every request recorded. A test can queue its own answers (failures, rate limits, delays) with `next()`.

import { createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Test } from 'tap'
import { XWebhooksClient, type OAuth1UserAuth, type OAuth2UserAuth, type XWebhooksClientOptions } from '../../lib/client/index.js'

export const BEARER = 'AAAAAAAAAAAAAAAAAAAAAapp%2Bbearer%3Dtoken'
export const OAUTH1: OAuth1UserAuth = {
  consumerKey: 'consumer-key',
  consumerSecret: 'consumer+secret/with=specials',
  accessToken: '1111111111111111111-access',
  accessTokenSecret: 'access token secret!'
}
export const OAUTH2: OAuth2UserAuth = { userAccessToken: 'user-oauth2-token' }

export const WEBHOOK_ID = '1146654567674912769'
/** The second webhook the stand-in lists: invalid. */
export const INVALID_WEBHOOK_ID = '1146654567674912770'
/** The job id of every replay the stand-in starts. */
export const REPLAY_JOB_ID = '1798765432109876543'
export const CREATED_AT = '2025-01-15T12:00:00.000Z'

/** `current`: the shapes of X's v2 reference; `other`: the other shapes X has used (unwrapped, `attempted`, …). */
export type Shape = 'current' | 'other'

export interface Seen {
  method: string
  /** Path and query exactly as sent. */
  url: string
  path: string
  query: Record<string, string>
  authorization: string | undefined
  contentType: string | undefined
  body: unknown
  /** For an `Authorization: OAuth …` header: its parameters, and whether the signature is right (checked here, per RFC 5849). */
  oauth?: { params: Record<string, string>, valid: boolean }
}

export interface Answer {
  status?: number
  body?: unknown
  /** Sent as is instead of `body` (non-JSON answers). */
  raw?: string
  headers?: Record<string, string>
  /** Milliseconds to wait before answering. */
  delay?: number
  /** Send the head and part of the body, then stall this long before the rest. */
  stall?: number
}

export interface StandIn {
  baseUrl: string
  port: number
  seen: Seen[]
  shape: Shape
  /** Answers for the next requests, in order, whatever they ask. */
  next: (...answers: Answer[]) => void
  /** A client on this stand-in (bearer token, OAuth 1.0a user by default). */
  client: (options?: Partial<XWebhooksClientOptions>) => XWebhooksClient
}

const rfc3986 = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** Checks an OAuth 1.0a HMAC-SHA1 signature as X does: method, base URL, query and oauth_* parameters (RFC 5849 §3.4). */
export function verifyOAuth1 (method: string, url: URL, header: string, user = OAUTH1): { params: Record<string, string>, valid: boolean } {
  const params: Record<string, string> = {}
  for (const [, name, value] of header.slice('OAuth '.length).matchAll(/([\w.-]+)="([^"]*)"/g)) {
    params[name as string] = decodeURIComponent(value as string)
  }
  const pairs: Array<[string, string]> = [...url.searchParams]
  for (const [name, value] of Object.entries(params)) if (name !== 'oauth_signature' && name !== 'realm') pairs.push([name, value])
  const normalized = pairs.map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`).sort().join('&')
  const base = `${method}&${rfc3986(`${url.origin}${url.pathname}`)}&${rfc3986(normalized)}`
  const key = `${rfc3986(user.consumerSecret)}&${rfc3986(user.accessTokenSecret)}`
  const expected = createHmac('sha1', key).update(base).digest('base64')
  return { params, valid: params.oauth_signature === expected && params.oauth_consumer_key === user.consumerKey && params.oauth_token === user.accessToken }
}

function webhook (url = 'https://example.com/webhooks/x'): Record<string, unknown> {
  return { id: WEBHOOK_ID, url, valid: true, created_at: CREATED_AT }
}

export function subscription (n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subscription_id: `190000000000000000${n}`,
    event_type: 'follow.follow',
    filter: { user_id: '2244994945', direction: 'inbound' },
    tag: `tag-${n}`,
    webhook_id: WEBHOOK_ID,
    created_at: CREATED_AT,
    updated_at: '2025-01-16T08:30:00.000Z',
    ...extra
  }
}

/** Five subscriptions, listed a page of `max_results` at a time. */
const SUBSCRIPTIONS = [1, 2, 3, 4, 5].map((n) => subscription(n))

export const LINK = {
  webhook_id: WEBHOOK_ID,
  application_id: '29884567',
  business_user_id: '1111111111111111111',
  instance_id: '1780000000000000000',
  created_at: CREATED_AT,
  fields: ['tweet.fields=created_at,author_id', 'expansions=author_id']
}

function routes (standIn: StandIn) {
  return async (app: FastifyInstance): Promise<void> => {
    const current = (): boolean => standIn.shape === 'current'
    type Params = Record<string, string>

    // /2/webhooks
    app.post('/2/webhooks', async (request) => {
      const data = webhook((request.body as { url: string }).url)
      return current() ? { data } : data
    })
    app.get('/2/webhooks', async () => ({ data: [webhook(), { ...webhook('https://example.com/other'), id: INVALID_WEBHOOK_ID, valid: false }], meta: { result_count: 2 } }))
    app.delete('/2/webhooks/:id', async () => ({ data: { deleted: true } }))
    app.put('/2/webhooks/:id', async () => ({ data: current() ? { valid: true } : { attempted: true } }))
    app.post('/2/webhooks/replay', async () => {
      const data = { job_id: REPLAY_JOB_ID, created_at: '2025-01-15T12:05:00.000Z' }
      return current() ? { data } : data
    })

    // Account Activity API
    const aaa = '/2/account_activity/webhooks/:id/subscriptions'
    app.post(`${aaa}/all`, async () => ({ data: { subscribed: true } }))
    app.get(`${aaa}/all`, async () => ({ data: { subscribed: true } }))
    app.get(`${aaa}/all/list`, async (request) => ({
      data: {
        application_id: '29884567',
        webhook_id: (request.params as Params).id,
        webhook_url: 'https://example.com/webhooks/x',
        subscriptions: [{ user_id: '1111111111111111111' }, { user_id: '2244994945' }]
      }
    }))
    app.delete(`${aaa}/:user/all`, async () => ({ data: { subscribed: false } }))
    app.get('/2/account_activity/subscriptions/count', async () => {
      const data = { account_name: 'my-account', provisioned_count: '50', subscriptions_count_all: '3', subscriptions_count_direct_messages: '1' }
      return current() ? { data } : { ...data, application_id: '29884567' }
    })

    // X Activity API
    app.post('/2/activity/subscriptions', async (request) => {
      const body = request.body as Record<string, unknown>
      const created = subscription(9, { event_type: body.event_type, filter: body.filter, tag: body.tag, webhook_id: body.webhook_id })
      return current() ? { data: { subscription: created } } : { data: created, meta: { total_subscriptions: 6 } }
    })
    app.get('/2/activity/subscriptions', async (request) => {
      const query = request.query as Params
      const size = Number(query.max_results ?? 100)
      const start = query.pagination_token === undefined ? 0 : Number(query.pagination_token.slice(-4))
      const page = SUBSCRIPTIONS.slice(start, start + size)
      const next = start + size < SUBSCRIPTIONS.length ? `pagination-token-${String(start + size).padStart(4, '0')}` : undefined
      return { data: page, meta: { result_count: page.length, ...(next === undefined ? {} : { next_token: next }) } }
    })
    app.put('/2/activity/subscriptions/:id', async (request) => {
      const body = request.body as Record<string, unknown>
      const updated = subscription(1, { subscription_id: (request.params as Params).id, ...(body.tag === undefined ? {} : { tag: body.tag }), ...(body.webhook_id === undefined ? {} : { webhook_id: body.webhook_id }) })
      return current() ? { data: { subscription: updated, total_subscriptions: 5 } } : { data: updated, meta: { total_subscriptions: 5 } }
    })
    app.delete('/2/activity/subscriptions/:id', async () => ({ data: { deleted: true } }))
    app.delete('/2/activity/subscriptions', async (request) => {
      const ids = (request.query as Params).ids?.split(',') ?? []
      return current()
        ? { data: ids.map((id) => ({ subscription_id: id, deleted: true })), meta: { total_subscriptions: 5 - ids.length } }
        : { data: { deleted: true } }
    })

    // Filtered Stream links
    app.post('/2/tweets/search/webhooks/:id', async () => ({ data: { provisioned: true } }))
    app.get('/2/tweets/search/webhooks', async () => (current() ? { data: [LINK] } : { data: { links: [LINK] } }))
    app.delete('/2/tweets/search/webhooks/:id', async () => ({ data: { deleted: true } }))

    // Anything else: what X answers for an unknown route.
    app.all('/*', async (_request, reply) => reply.code(404).send({
      title: 'Not Found Error', detail: 'Sorry, that page does not exist.', type: 'https://api.x.com/2/problems/resource-not-found'
    }))
  }
}

async function answer (reply: FastifyReply, next: Answer): Promise<FastifyReply> {
  if (next.delay !== undefined) await sleep(next.delay)
  if (next.stall !== undefined) {
    reply.hijack()
    reply.raw.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers })
    reply.raw.write('{"data":')
    await sleep(next.stall)
    reply.raw.end('{"deleted":true}}')
    return reply
  }
  reply.code(next.status ?? 200).headers(next.headers ?? {})
  if (next.raw !== undefined) return reply.type(next.headers?.['content-type'] ?? 'text/html').send(next.raw)
  return reply.send(next.body)
}

export async function standIn (t: Test, shape: Shape = 'current'): Promise<StandIn> {
  // Closing does not wait for answers a test left stalled after the client gave up.
  const app = Fastify({ forceCloseConnections: true })
  const queue: Answer[] = []
  const state: StandIn = {
    baseUrl: '',
    port: 0,
    seen: [],
    shape,
    next: (...answers) => { queue.push(...answers) },
    client: (options = {}) => new XWebhooksClient({ bearerToken: BEARER, baseUrl: state.baseUrl, userAuth: OAUTH1, ...options })
  }
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(request.url, `http://127.0.0.1:${state.port}`)
    const authorization = request.headers.authorization
    state.seen.push({
      method: request.method,
      url: request.url,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization,
      contentType: request.headers['content-type'],
      body: request.body,
      ...(authorization?.startsWith('OAuth ') === true ? { oauth: verifyOAuth1(request.method, url, authorization) } : {})
    })
    const next = queue.shift()
    if (next !== undefined) return answer(reply, next)
  })
  app.register(routes(state))
  // The same API behind a path prefix, as through a proxy.
  app.register(routes(state), { prefix: '/proxy' })
  t.teardown(() => app.close())
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  state.baseUrl = address
  state.port = Number(new URL(address).port)
  return state
}
