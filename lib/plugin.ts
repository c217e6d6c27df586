import type { FastifyPluginCallback } from 'fastify'
import fp from 'fastify-plugin'
import type { FastifyBaseLogger } from 'fastify'
import { XWebhooksClient } from './client/index.js'
import { FST_XWH_ALREADY_REGISTERED, FST_XWH_NO_CLIENT } from './errors.js'
import { resolveOptions, type FastifyXWebhooksOptions } from './options.js'
import { XEventRouter } from './router.js'
import { webhookRoutes } from './routes.js'

/** `app.x`: register handlers for X events, and manage webhooks through `client`. */
export class XWebhooks extends XEventRouter {
  readonly #client: XWebhooksClient | undefined

  constructor (log: FastifyBaseLogger, client: XWebhooksClient | undefined) {
    super(log)
    this.#client = client
  }

  /** The management client, with the plugin's `bearerToken` and `apiBaseUrl`; throws FST_XWH_NO_CLIENT without them. */
  get client (): XWebhooksClient {
    if (this.#client === undefined) throw new FST_XWH_NO_CLIENT()
    return this.#client
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    x: XWebhooks
  }
}

const plugin: FastifyPluginCallback<FastifyXWebhooksOptions> = (fastify, options, done) => {
  if (fastify.hasDecorator('x')) {
    done(new FST_XWH_ALREADY_REGISTERED())
    return
  }
  let resolved
  try {
    resolved = resolveOptions(options)
  } catch (error) {
    done(error as Error)
    return
  }
  const router = new XWebhooks(fastify.log, resolved.client)
  // The decorator is the only thing the host app sees; routes, parser and error handler stay encapsulated below.
  fastify.decorate('x', router)
  // fastify-plugin drops `prefix` for the plugin itself; the encapsulated routes honour it.
  fastify.register(webhookRoutes, { ...resolved, router, prefix: (options as { prefix?: string }).prefix })
  done()
}

/** The plugin: `await app.register(xWebhooks, { consumerSecret })`. */
export const xWebhooks = fp(plugin, { fastify: '5.x', name: 'fastify-x-webhooks' })
