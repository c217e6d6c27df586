// A service that receives X webhooks: CRC on GET, verified events on POST, one typed handler per kind of event.
//   X_CONSUMER_SECRET=... PORT=3000 npx tsx examples/basic.ts
// With X_BEARER_TOKEN and X_WEBHOOK_ID too, it heals itself: at startup, and whenever a check every 15 minutes finds
// the webhook invalid, it re-validates it and has X replay what it missed (X_API_BASE_URL: the emulator's URL).
// In your own code, import from 'fastify-x-webhooks' instead of '../lib/index.js'.
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import xWebhooks, { type FastifyXWebhooksOptions, type XaaUserRef } from '../lib/index.js'

/** X sends v2 users bare or wrapped in `{ data }`. */
function username (user: XaaUserRef): string {
  return 'data' in user ? user.data.username : user.username
}

export async function build (
  consumerSecret: string, serverOptions: FastifyServerOptions = {}, pluginOptions: Partial<FastifyXWebhooksOptions> = {}
): Promise<FastifyInstance> {
  const app = Fastify(serverOptions)
  await app.register(xWebhooks, { ...pluginOptions, consumerSecret })

  // One handler for follows from either product: `product` tells the payload shapes apart.
  app.x.on('follow.follow', (event) => {
    const follower = event.product === 'aaa' ? event.payload.source.screen_name : username(event.payload.source)
    app.log.info(`${event.product} follow.follow: @${follower} followed user ${event.forUserId}`)
  })
  app.x.on(['post.mention.create', 'post.reply.create'], (event) => {
    app.log.info(`${event.product} ${event.type}: "${event.payload.text}"`)
  })
  app.x.on('xaa:profile.update', (event) => {
    app.log.info(`xaa ${event.type}: ${JSON.stringify(event.payload.before)} -> ${JSON.stringify(event.payload.after)}`)
  })
  app.x.on('dm.received', (event) => {
    app.log.info(`${event.product} dm.received for user ${event.forUserId}`)
  })
  app.x.on('replay', (event) => {
    app.log.info(`replay job ${event.payload.job_id} ended: ${event.payload.job_state}`)
  })
  app.x.onAny((event) => {
    app.log.info(`event ${event.type} (${event.product}) id=${event.id}${event.replay ? ' [replay]' : ''}`)
  })
  app.x.onError((error) => {
    app.log.error({ err: error }, `handlers failed for ${error.event.type}`)
  })
  return app
}

async function main (): Promise<void> {
  const { X_CONSUMER_SECRET: secret = '', X_BEARER_TOKEN: bearerToken, X_WEBHOOK_ID: webhookId, X_API_BASE_URL: apiBaseUrl, HOST = '127.0.0.1', PORT = '3000' } = process.env
  if (secret === '') {
    console.error('Set X_CONSUMER_SECRET to your X app\'s consumer secret (API secret key).')
    process.exitCode = 1
    return
  }
  const recovery = bearerToken !== undefined && webhookId !== undefined ? { bearerToken, apiBaseUrl, recovery: { webhookId } } : {}
  const app = await build(secret, { logger: true }, recovery)
  await app.listen({ host: HOST, port: Number(PORT) })
}

if (import.meta.url === pathToFileURL(String(process.argv[1])).href) await main()
