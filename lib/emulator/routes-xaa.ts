// X Activity API subscriptions, in memory: create, list a page at a time, update, delete one or many.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { EmulatorContext } from './context.js'
import { problem } from './problems.js'

interface Subscription {
  subscription_id: string
  event_type: string
  filter: Record<string, unknown>
  tag?: string
  webhook_id?: string
  created_at: string
  updated_at: string
}

type Body = Record<string, unknown> | undefined

export const PATH = '/2/activity/subscriptions'

function filterProblem (filter: unknown): string | undefined {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return 'filter must be an object.'
  const fields = filter as Record<string, unknown>
  if ((fields.user_id === undefined) === (fields.keyword === undefined)) return 'filter must have exactly one of user_id and keyword.'
  return undefined
}

export function xaaRoutes ({ webhooks, clock, id }: EmulatorContext) {
  const all = new Map<string, Subscription>()
  const invalid = (reply: FastifyReply, detail: string): FastifyReply => problem(reply, 400, 'QueryParamInvalid', detail)
  const notFound = (reply: FastifyReply, subscription: string): FastifyReply =>
    problem(reply, 404, 'SubscriptionNotFound', `No subscription with id ${subscription}.`)
  const badWebhook = (webhookId: unknown): boolean => webhookId !== undefined && webhooks.get(String(webhookId)) === undefined

  return async (app: FastifyInstance): Promise<void> => {
    app.post(PATH, async (request, reply) => {
      const body = (request.body ?? {}) as NonNullable<Body>
      if (typeof body.event_type !== 'string' || body.event_type === '') return invalid(reply, 'event_type must be a non-empty string.')
      const why = filterProblem(body.filter)
      if (why !== undefined) return invalid(reply, why)
      if (badWebhook(body.webhook_id)) return problem(reply, 400, 'WebhookIdInvalid', `No webhook with id ${String(body.webhook_id)}.`)
      const same = JSON.stringify([body.event_type, body.filter, body.webhook_id])
      if ([...all.values()].some((s) => JSON.stringify([s.event_type, s.filter, s.webhook_id]) === same)) {
        return problem(reply, 409, 'DuplicateSubscriptionFailed', 'This subscription already exists.')
      }
      const now = new Date(clock.now()).toISOString()
      const subscription: Subscription = {
        subscription_id: id(),
        event_type: body.event_type,
        filter: body.filter as Record<string, unknown>,
        ...(typeof body.tag === 'string' ? { tag: body.tag } : {}),
        ...(typeof body.webhook_id === 'string' ? { webhook_id: body.webhook_id } : {}),
        created_at: now,
        updated_at: now
      }
      all.set(subscription.subscription_id, subscription)
      return { data: { subscription } }
    })

    app.get<{ Querystring: { max_results?: string, pagination_token?: string } }>(PATH, async (request, reply) => {
      const size = Number(request.query.max_results ?? 100)
      if (!Number.isInteger(size) || size < 1 || size > 1000) return invalid(reply, 'max_results must be 1 to 1000.')
      const start = Number(request.query.pagination_token ?? 0)
      const list = [...all.values()]
      if (!Number.isInteger(start) || start < 0 || start > list.length) return invalid(reply, 'pagination_token is not valid.')
      const data = list.slice(start, start + size)
      const next = start + size < list.length ? { next_token: String(start + size) } : {}
      return { data, meta: { result_count: data.length, total_subscriptions: list.length, ...next } }
    })

    app.put<{ Params: { id: string } }>(`${PATH}/:id`, async (request, reply) => {
      const subscription = all.get(request.params.id)
      if (subscription === undefined) return notFound(reply, request.params.id)
      const body = (request.body ?? {}) as NonNullable<Body>
      if (badWebhook(body.webhook_id)) return problem(reply, 400, 'WebhookIdInvalid', `No webhook with id ${String(body.webhook_id)}.`)
      if (typeof body.tag === 'string') subscription.tag = body.tag
      if (typeof body.webhook_id === 'string') subscription.webhook_id = body.webhook_id
      subscription.updated_at = new Date(clock.now()).toISOString()
      return { data: { subscription } }
    })

    app.delete<{ Params: { id: string } }>(`${PATH}/:id`, async (request, reply) => {
      if (!all.delete(request.params.id)) return notFound(reply, request.params.id)
      return { data: { deleted: true } }
    })

    app.delete<{ Querystring: { ids?: string } }>(PATH, async (request, reply) => {
      const ids = (request.query.ids ?? '').split(',').filter((one) => one !== '')
      if (ids.length < 1 || ids.length > 100) return invalid(reply, 'ids must name 1 to 100 subscriptions.')
      const data = ids.filter((one) => all.delete(one)).map((one) => ({ subscription_id: one, deleted: true }))
      const errors = ids.filter((one) => !data.some((done) => done.subscription_id === one))
        .map((one) => ({ subscription_id: one, reason: 'SubscriptionNotFound', message: `No subscription with id ${one}.` }))
      return { data, ...(errors.length > 0 ? { errors } : {}), meta: { total_subscriptions: all.size } }
    })
  }
}
