// The emulator's own endpoints, outside X's namespace and without auth: trigger an event, move the clock, read
// the delivery log.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { EmulatorContext } from './context.js'
import { deliveryOf } from './deliverer.js'
import { buildDelivery, templates } from './fixtures.js'
import type { EmulatorProduct } from './types.js'

type Body = Record<string, unknown> | undefined

const PRODUCTS: Record<string, EmulatorProduct> = { aaa: 'aaa', xaa: 'xaa', stream: 'stream', webhook: 'webhook', control: 'webhook' }

function refuse (reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.code(status).send({ title: status === 404 ? 'Not Found' : 'Invalid Request', detail, status })
}

export function controlRoutes (context: EmulatorContext) {
  const { webhooks, deliverer, clock, id } = context
  let last = 0

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
      const named = body.webhook_id === undefined ? undefined : webhooks.get(String(body.webhook_id))
      if (body.webhook_id !== undefined && named === undefined) return refuse(reply, 404, `No webhook with id ${String(body.webhook_id)}.`)
      last = Math.max(last + 1, clock.now())
      const event = buildDelivery({
        product: product as EmulatorProduct,
        template,
        id,
        now: last,
        forUserId: typeof body.for_user_id === 'string' ? body.for_user_id : undefined,
        payload: body.payload
      })
      const targets = named === undefined ? webhooks.list() : [named]
      const meta = { type: String(body.type), product: product as EmulatorProduct, replay: false }
      await Promise.all(targets.map(async (webhook) => {
        const sent = product === 'webhook'
          ? { replay_job_status: { ...(event.replay_job_status as Record<string, unknown>), webhook_id: webhook.id } }
          : event
        if (webhook.valid) await deliverer.send(webhook, sent, meta).first
        else deliverer.hold(webhook, sent, meta)
      }))
      const delivered = targets.filter((webhook) => webhook.valid).length
      return { data: { delivered, held: targets.length - delivered } }
    })

    // X's scheduled CRC, now, instead of waiting 30 minutes of emulator time for it.
    app.post('/_emulator/crc', async (request, reply) => {
      const id = (request.body as Body)?.webhook_id
      const named = id === undefined ? undefined : webhooks.get(String(id))
      if (id !== undefined && named === undefined) return refuse(reply, 404, `No webhook with id ${String(id)}.`)
      const checked = named === undefined ? webhooks.list() : [named]
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
