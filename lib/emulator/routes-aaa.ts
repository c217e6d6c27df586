// Account Activity API subscriptions, in memory. Subscribe and check act for the user of the request's user token
// (any `Bearer …` or `OAuth …`); the user id is the `x-emulator-user-id` header, default DEFAULT_USER_ID.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { EmulatorContext } from './context.js'
import { problem } from './problems.js'

/** Subscribe (POST) and check (GET) act for the user whose token they carry. */
export const SUBSCRIPTION_ALL = '/2/account_activity/webhooks/:id/subscriptions/all'

/** The user the AAA fixtures are for (`for_user_id`). */
export const DEFAULT_USER_ID = '2244994945'
export const USER_HEADER = 'x-emulator-user-id'
export const APPLICATION_ID = '29884567'

type Params = { id: string, user?: string }

export function userOf (request: FastifyRequest): string {
  const header = request.headers[USER_HEADER]
  return typeof header === 'string' && header !== '' ? header : DEFAULT_USER_ID
}

export function aaaRoutes ({ webhooks }: EmulatorContext) {
  const subscribed = new Map<string, Set<string>>()
  const usersOf = (webhookId: string): Set<string> => subscribed.get(webhookId) ?? new Set()
  const notFound = (reply: FastifyReply): FastifyReply => problem(reply, 404, 'SubscriptionNotFound', 'The user is not subscribed to this webhook.')

  return async (app: FastifyInstance): Promise<void> => {
    // Unknown webhooks and subscriptions of deleted webhooks: X's WebhookIdInvalid.
    app.addHook('preHandler', async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const id = request.params.id
      if (id !== undefined && webhooks.get(id) === undefined) {
        subscribed.delete(id)
        return problem(reply, 400, 'WebhookIdInvalid', `No webhook with id ${id} belongs to this app.`)
      }
    })

    const base = '/2/account_activity/webhooks/:id/subscriptions'
    app.post<{ Params: Params }>(SUBSCRIPTION_ALL, async (request, reply) => {
      const users = usersOf(request.params.id)
      const user = userOf(request)
      if (users.has(user)) return problem(reply, 409, 'DuplicateSubscriptionFailed', 'The user is already subscribed to this webhook.')
      subscribed.set(request.params.id, users.add(user))
      return { data: { subscribed: true } }
    })

    app.get<{ Params: Params }>(SUBSCRIPTION_ALL, async (request, reply) => {
      if (!usersOf(request.params.id).has(userOf(request))) return notFound(reply)
      return { data: { subscribed: true } }
    })

    app.get<{ Params: Params }>(`${base}/all/list`, async (request) => ({
      data: {
        application_id: APPLICATION_ID,
        webhook_id: request.params.id,
        webhook_url: webhooks.get(request.params.id)?.url,
        subscriptions: [...usersOf(request.params.id)].map((user) => ({ user_id: user }))
      }
    }))

    app.delete<{ Params: Params }>(`${base}/:user/all`, async (request, reply) => {
      if (!usersOf(request.params.id).delete(request.params.user as string)) return notFound(reply)
      return { data: { subscribed: false } }
    })

    app.get('/2/account_activity/subscriptions/count', async () => {
      const count = webhooks.list().reduce((sum, webhook) => sum + usersOf(webhook.id).size, 0)
      return {
        data: {
          account_name: 'emulator',
          provisioned_count: '50',
          subscriptions_count_all: String(count),
          subscriptions_count_direct_messages: String(count)
        }
      }
    })
  }
}
