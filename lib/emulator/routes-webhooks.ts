// `/2/webhooks`: create (CRC first), list, delete, validate (PUT) and replay, with X's shapes and reasons.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { EmulatorContext } from './context.js'
import { problem } from './problems.js'
import { parseXDate } from './replay.js'
import type { WebhookRecord } from './webhooks.js'

const DAY = 24 * 60 * 60 * 1000
const MINUTE = 60 * 1000

type Body = Record<string, unknown> | undefined

export function webhookJson (webhook: WebhookRecord): Record<string, unknown> {
  return { id: webhook.id, url: webhook.url, valid: webhook.valid, created_at: new Date(webhook.createdAt).toISOString() }
}

/** Why X would refuse the URL: 1 to 200 characters, absolute; under `strict`, https with no explicit port too. */
export function urlProblem (url: unknown, strict: boolean): string | undefined {
  if (typeof url !== 'string' || url.length < 1 || url.length > 200) return 'The url must be a string of 1 to 200 characters.'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `${url} is not a valid URL.`
  }
  if (parsed.protocol !== 'https:' && (strict || parsed.protocol !== 'http:')) return 'The url must use https.'
  const authority = url.replace(/^[a-z]+:\/\//i, '').split(/[/?#]/)[0] as string
  if (strict && authority.replace(/^\[[^\]]*\]/, '').includes(':')) return 'The url must not have an explicit port.'
  return undefined
}

export function webhookRoutes (context: EmulatorContext) {
  const { webhooks, replays, clock } = context
  const unknown = (reply: FastifyReply, id: string): FastifyReply => problem(reply, 400, 'WebhookIdInvalid', `No webhook with id ${id} belongs to this app.`)

  return async (app: FastifyInstance): Promise<void> => {
    app.post('/2/webhooks', async (request, reply) => {
      const url = (request.body as Body)?.url
      const why = urlProblem(url, context.strict)
      if (why !== undefined) return problem(reply, 400, 'UrlValidationFailed', why)
      if (webhooks.list().some((webhook) => webhook.url === url)) return problem(reply, 400, 'DuplicateUrlFailed', 'A webhook with this url already exists.')
      const webhook = await webhooks.create(url as string)
      if (webhook === undefined) return problem(reply, 400, 'CrcValidationFailed', 'The CRC request to the url failed.')
      return { data: webhookJson(webhook) }
    })

    app.get('/2/webhooks', async () => {
      const data = webhooks.list().map(webhookJson)
      return { data, meta: { result_count: data.length } }
    })

    app.delete<{ Params: { id: string } }>('/2/webhooks/:id', async (request, reply) => {
      if (!webhooks.delete(request.params.id)) return unknown(reply, request.params.id)
      return { data: { deleted: true } }
    })

    app.put<{ Params: { id: string } }>('/2/webhooks/:id', async (request, reply) => {
      const webhook = webhooks.get(request.params.id)
      if (webhook === undefined) return unknown(reply, request.params.id)
      return { data: { valid: await webhooks.validate(webhook) } }
    })

    app.post('/2/webhooks/replay', async (request, reply) => {
      const body = request.body as Body
      const id = String(body?.webhook_id)
      const webhook = webhooks.get(id)
      if (webhook === undefined) return unknown(reply, id)
      const from = parseXDate(body?.from_date)
      const to = parseXDate(body?.to_date)
      const now = clock.now()
      if (from === undefined || to === undefined) return problem(reply, 400, 'QueryParamInvalid', 'from_date and to_date must be yyyymmddhhmm (UTC).')
      if (from >= to || to > now || from < now - DAY - MINUTE) {
        return problem(reply, 400, 'QueryParamInvalid', 'The window must be within the last 24 hours, with from_date before to_date.')
      }
      if (replays.running(id)) return problem(reply, 409, 'ReplayConflictError', 'A replay job is already running for this webhook.')
      return { data: { job_id: replays.start(webhook, from, to), created_at: new Date(now).toISOString() } }
    })
  }
}
