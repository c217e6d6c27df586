// createEmulator: X's side of webhooks on one Fastify instance, for tests, the demo and `x-webhooks emulator`.
// X's endpoints (/2/…) need X's auth; the control endpoints (/_emulator/…) need none.
//
// Choices where X-PLATFORM.md leaves room:
// - CRC: on create (a webhook whose CRC does not pass is refused with CrcValidationFailed), on PUT, and every 30
//   minutes of emulator time while the webhook is valid (X documents both "hourly" and "every 30 minutes"; the
//   shorter one is taken). A transient failure also schedules one check just after the 28-hour grace ends, so a
//   failing webhook turns invalid right after 28 h rather than at the next half hour. An invalid webhook gets no
//   scheduled CRC and no deliveries until a PUT passes.
// - AAA subscribe and check act for a user: any `Bearer …` or `OAuth …` authorization is accepted, and the user is
//   the `x-emulator-user-id` header (default 2244994945, the AAA fixtures' for_user_id).
// - Failure statuses: 400 for X's reasons, 404 for SubscriptionNotFound, 409 for ReplayConflictError and
//   DuplicateSubscriptionFailed; problem JSON with `reason`.
// - Replay: `from_date` and `to_date` are whole minutes, both inclusive; the window must lie within the last 24 h
//   (one minute of slack for rounding). Replayed deliveries are retried like any other; the job is Incomplete when
//   one of them fails every attempt. No CRC runs before a replay.
// - Events for an invalid webhook are not sent but kept in the log, so that a replay after a PUT delivers them:
//   X says to "replay the gap" once a webhook is valid again, which needs X to keep what it did not send.
// - `POST /_emulator/crc` runs the scheduled CRC at once, so tests need not move the clock 30 minutes (which would
//   take emulator time away from the real time a replay window is written in).
// - A trigger answers after the first attempt to each webhook; retries run on the clock.
import Fastify, { type FastifyInstance } from 'fastify'
import { createContext } from './context.js'
import { unauthorized } from './problems.js'
import { aaaRoutes, SUBSCRIPTION_ALL } from './routes-aaa.js'
import { controlRoutes } from './routes-control.js'
import { streamRoutes } from './routes-stream.js'
import { webhookRoutes } from './routes-webhooks.js'
import { PATH as XAA_SUBSCRIPTIONS, xaaRoutes } from './routes-xaa.js'
import type { EmulatorOptions } from './types.js'

export type { EmulatorOptions, EmulatorDelivery, EmulatorAttempt, EmulatorProduct } from './types.js'
export { DEFAULT_USER_ID, USER_HEADER } from './routes-aaa.js'

// The routes that act for a user: any `Bearer …` or `OAuth …` authorization is accepted there.
const USER_ROUTES = new Set([`POST ${SUBSCRIPTION_ALL}`, `GET ${SUBSCRIPTION_ALL}`, `POST ${XAA_SUBSCRIPTIONS}`])

export function createEmulator (options: EmulatorOptions): FastifyInstance {
  const context = createContext(options)
  const app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true })
  const expected = `Bearer ${options.bearerToken}`

  app.register(async (x) => {
    x.addHook('onRequest', async (request, reply) => {
      const authorization = request.headers.authorization ?? ''
      const user = USER_ROUTES.has(`${request.method} ${request.routeOptions.url}`) && /^(Bearer|OAuth) \S/.test(authorization)
      if (authorization !== expected && !user) return unauthorized(reply)
    })
    x.register(webhookRoutes(context))
    x.register(aaaRoutes(context))
    x.register(xaaRoutes(context))
    x.register(streamRoutes(context))
  })
  app.register(controlRoutes(context))
  app.addHook('onClose', async () => {
    context.clock.close()
    context.deliverer.close()
  })
  return app
}
