import { isUtf8 } from 'node:buffer'
import { STATUS_CODES } from 'node:http'
import type {
  FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions, onRequestHookHandler
} from 'fastify'
import {
  FST_XWH_HANDLER_FAILED, FST_XWH_INVALID_BODY, FST_XWH_INVALID_CRC_TOKEN, FST_XWH_INVALID_SIGNATURE,
  FST_XWH_MISSING_CRC_TOKEN, FST_XWH_MISSING_SIGNATURE, FST_XWH_SHUTTING_DOWN, FST_XWH_UNSUPPORTED_MEDIA_TYPE
} from './errors.js'
import { normalizeDelivery } from './events/index.js'
import type { ResolvedOptions } from './options.js'
import type { XEventRouter } from './router.js'
import type { Checkpoints } from './checkpoint.js'
import { handleDelivery, type OutcomeObserver } from './delivery.js'
import { crcResponseToken, verifySignature } from './signature.js'

export interface WebhookRoutesOptions extends ResolvedOptions {
  router: XEventRouter
  checkpoints: Checkpoints
  observers: ReadonlySet<OutcomeObserver>
}

const TIMED_OUT = Symbol('timed out')
const OWN_SERVER_ERRORS = new Set(['FST_XWH_HANDLER_FAILED', 'FST_XWH_SHUTTING_DOWN'])
const CRC_TOKEN_PARAM = /(?:^|&)crc_token=[^&]*/g

/**
 * The crc_token exactly as sent: read from the raw query, because form decoding would turn a `+` of a base64 token
 * into a space. Undefined when absent, null when repeated or not decodable.
 */
function crcTokenOf (url: string): string | null | undefined {
  const queryStart = url.indexOf('?')
  if (queryStart === -1) return undefined
  const params = url.slice(queryStart + 1).match(CRC_TOKEN_PARAM)
  if (params === null) return undefined
  if (params.length > 1) return null
  const [param] = params as [string]
  try {
    return decodeURIComponent(param.slice(param.indexOf('=') + 1))
  } catch {
    return null
  }
}

// Fastify's request log prints the URL, which carries the CRC token on GET.
const logSerializers = {
  req (request: FastifyRequest) {
    return {
      method: request.method,
      url: request.url.replace(/([?&]crc_token=)[^&]*/g, '$1[redacted]'),
      host: request.host,
      remoteAddress: request.ip,
      remotePort: request.socket.remotePort
    }
  }
}

/** Resolves with what `work` (which never rejects) resolves with, or with TIMED_OUT after `ms`, whichever is first. */
async function within<T> (work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  return await new Promise((resolve) => {
    const timer = setTimeout(resolve, ms, TIMED_OUT)
    work.then((value) => {
      clearTimeout(timer)
      resolve(value)
    })
  })
}

/**
 * The routes X calls, in an encapsulated context: its JSON parser keeps the exact bytes and checks the signature
 * before parsing, and its error handler answers the documented JSON errors. Nothing here reaches the host app.
 */
export async function webhookRoutes (routes: FastifyInstance, options: WebhookRoutesOptions): Promise<void> {
  const { router, secrets, signatureHeader, handlerTimeout, dedupe, checkpoints, observers } = options
  // Fastify fills initialConfig with its defaults, so both are always set: the host's own poisoning policy applies.
  const { onProtoPoisoning, onConstructorPoisoning } = routes.initialConfig as Required<FastifyServerOptions>
  const parseJson = routes.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning)

  // Only JSON is parsed here: any other content type is answered 415 before its body is read.
  routes.removeAllContentTypeParsers()
  routes.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer
    const signature = request.headers[signatureHeader]
    if (signature === undefined) return done(new FST_XWH_MISSING_SIGNATURE(signatureHeader), undefined)
    if (!verifySignature(raw, signature, secrets)) return done(new FST_XWH_INVALID_SIGNATURE(signatureHeader), undefined)
    if (!isUtf8(raw)) return done(new FST_XWH_INVALID_BODY(), undefined)
    parseJson(request, raw.toString('utf8'), done)
  })

  routes.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500
    // Client errors and our own 5xx carry fixed messages; anything else may hold a hook's or a handler's words.
    const known = statusCode < 500 || OWN_SERVER_ERRORS.has(error.code)
    if (known) {
      request.log.info({ code: error.code, statusCode }, error.message)
    } else {
      request.log.error({ err: error }, 'fastify-x-webhooks: request failed')
    }
    return reply.code(statusCode).send({
      statusCode,
      code: known ? error.code : 'FST_XWH_INTERNAL',
      error: STATUS_CODES[statusCode],
      message: known ? error.message : 'The webhook route failed'
    })
  })

  routes.get(options.path, { logSerializers }, async (request) => {
    const token = crcTokenOf(request.url)
    if (token === undefined) throw new FST_XWH_MISSING_CRC_TOKEN()
    if (token === null) throw new FST_XWH_INVALID_CRC_TOKEN()
    // Throws FST_XWH_INVALID_CRC_TOKEN for anything else not shaped like X's tokens: it is never signed.
    return { response_token: crcResponseToken(token, secrets[0] as string) }
  })

  // Deliveries whose handlers are still running: app.close() waits for them, up to handlerTimeout, before the server
  // stops (preClose runs before it does; onClose, after).
  const inFlight = new Set<Promise<boolean>>()
  let closing = false
  routes.addHook('preClose', async () => {
    closing = true
    await within(Promise.all(inFlight), handlerTimeout)
    await checkpoints.close()
  })

  const rejectWhileClosing: onRequestHookHandler = (request, reply, done) => {
    // 503 before the body is read: X delivers it again, to an instance that is not going away.
    done(closing ? new FST_XWH_SHUTTING_DOWN() : undefined)
  }

  routes.post(options.path, { bodyLimit: options.bodyLimit, logSerializers, onRequest: rejectWhileClosing }, async (request, reply) => {
    // Fastify skips parsing a body-less request that names no content type.
    if (request.body === undefined) throw new FST_XWH_UNSUPPORTED_MEDIA_TYPE()
    const receivedAt = Date.now()
    const events = normalizeDelivery(request.body)
    const handled = handleDelivery(router, dedupe, events, request.log, observers)
    inFlight.add(handled)
    handled.then((failed) => {
      inFlight.delete(handled)
      // A replayed delivery is old news: only live ones move the checkpoint, and only when nothing in them failed.
      if (!failed && events.every((event) => !event.replay)) checkpoints.record(receivedAt)
    })
    if (options.ack === 'immediate') return reply.code(200).send()
    const failed = await within(handled, handlerTimeout)
    if (failed === TIMED_OUT) {
      request.log.warn({ handlerTimeout }, 'fastify-x-webhooks: handlers still running; answered 200 so that X does not time out')
    } else if (failed) {
      throw new FST_XWH_HANDLER_FAILED()
    }
    return reply.code(200).send()
  })
}
