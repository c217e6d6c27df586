// The emulator's own endpoints, outside X's namespace and without auth: trigger an event, run the scheduled CRC now,
// move the clock, read the delivery log.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { EmulatorContext } from './context.js'
import { deliveryOf } from './deliverer.js'
import { buildDelivery, templates } from './fixtures.js'
import type { EmulatorProduct } from './types.js'
import type { WebhookRecord } from './webhooks.js'

type Body = Record<string, unknown> | undefined

const PRODUCTS: Record<string, EmulatorProduct> = { aaa: 'aaa', xaa: 'xaa', stream: 'stream', webhook: 'webhook', control: 'webhook' }

function refuse (reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.code(status).send({ title: status === 404 ? 'Not Found' : 'Invalid Request', detail, status })
}

export function controlRoutes (context: EmulatorContext) {
  const { webhooks, deliverer, clock, id } = context
  let last = 0

  /** The webhook `id` names, or every webhook when there is none; undefined when no webhook has that id. */
  const addressed = (id: unknown): WebhookRecord[] | undefined => {
    if (id === undefined) return webhooks.list()
    const webhook = webhooks.get(String(id))
    return webhook === undefined ? undefined : [webhook]
  }
  const unknownWebhook = (reply: FastifyReply, id: unknown): FastifyReply => refuse(reply, 404, `No webhook with id ${String(id)}.`)

  return async (app: FastifyInstance): Promise<void> => {
    app.post('/_emulator/events', async (request, reply) => {
      const body = (request.body ?? {}) as NonNullable<Body>
      const byProduct = templates().get(String(body.type))
      if (byProduct === undefined) return refuse(reply, 400, `Unknown type ${String(body.type)}; known: ${[...templates().keys()].sort().join(', ')}.`)
      const product = body.product === undefined
        ? (byProduct.has('xaa') ? 'xaa' : [...byProduct.keys()][0] as EmulatorProduct)
        : PRODUCTS[String(body.product)]
      const template = product === undefined ? undefined : byProduct.get(product)
      if (template === undefined) return refuse(reply, 400, `${String(body.type)} is sent by ${[...byProduct.keys()].join(', ')}, not ${String(body.product)}.`)
      const targets = addressed(body.webhook_id)
      if (targets === undefined) return unknownWebhook(reply, body.webhook_id)
      last = Math.max(last + 1, clock.now())
      const event = buildDelivery({
        product: product as EmulatorProduct,
        template,
        id,
        now: last,
        forUserId: typeof body.for_user_id === 'string' ? body.for_user_id : undefined,
        payload: body.payload
      })
      const meta = { type: String(body.type), product: product as EmulatorProduct, replay: false }
      const bodyFor = (webhook: WebhookRecord): unknown => product === 'webhook'
        ? { replay_job_status: { ...(event.replay_job_status as Record<string, unknown>), webhook_id: webhook.id } }
        : event
      // Decided before anything is sent: a CRC running meanwhile does not change which webhooks got the event.
      const valid = targets.filter((webhook) => webhook.valid)
      const held = targets.filter((webhook) => !webhook.valid)
      for (const webhook of held) deliverer.hold(webhook, bodyFor(webhook), meta)
      await Promise.all(valid.map(async (webhook) => await deliverer.send(webhook, bodyFor(webhook), meta).first))
      return { data: { delivered: valid.length, held: held.length } }
    })

    // X's scheduled CRC, now, instead of waiting 30 minutes of emulator time for it.
    app.post('/_emulator/crc', async (request, reply) => {
      const id = (request.body as Body)?.webhook_id
      const checked = addressed(id)
      if (checked === undefined) return unknownWebhook(reply, id)
      return { data: await Promise.all(checked.map(async (webhook) => ({ id: webhook.id, valid: await webhooks.check(webhook) }))) }
    })

    app.post('/_emulator/clock', async (request, reply) => {
      const ms = (request.body as Body)?.advance_ms
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return refuse(reply, 400, 'advance_ms must be a number of milliseconds, 0 or more.')
      return { data: { now: new Date(await clock.advance(ms)).toISOString() } }
    })

    app.get('/_emulator/deliveries', async () => ({ data: deliverer.entries().map(deliveryOf) }))
  }
}
