// Filtered Stream webhook links, in memory.
import type { FastifyInstance } from 'fastify'
import type { EmulatorContext } from './context.js'
import { APPLICATION_ID } from './routes-aaa.js'
import { problem } from './problems.js'

interface Link {
  webhook_id: string
  application_id: string
  created_at: string
  fields: string[]
}

export function streamRoutes ({ webhooks, clock }: EmulatorContext) {
  const links = new Map<string, Link>()

  return async (app: FastifyInstance): Promise<void> => {
    app.post<{ Params: { id: string }, Querystring: Record<string, string> }>('/2/tweets/search/webhooks/:id', async (request, reply) => {
      const id = request.params.id
      if (webhooks.get(id) === undefined) return problem(reply, 400, 'WebhookIdInvalid', `No webhook with id ${id} belongs to this app.`)
      const fields = Object.entries(request.query).map(([name, value]) => `${name}=${value}`)
      links.set(id, { webhook_id: id, application_id: APPLICATION_ID, created_at: new Date(clock.now()).toISOString(), fields })
      return { data: { provisioned: true } }
    })

    app.get('/2/tweets/search/webhooks', async () => ({
      data: [...links.values()].filter((link) => webhooks.get(link.webhook_id) !== undefined)
    }))

    app.delete<{ Params: { id: string } }>('/2/tweets/search/webhooks/:id', async (request) => ({
      data: { deleted: links.delete(request.params.id) }
    }))
  }
}
