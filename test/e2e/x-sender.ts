import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { signPayload } from '../../lib/index.js'
import { SECRET } from '../helpers.js'

/** The URL of a listening app's webhook route, on loopback. */
export async function listen (app: FastifyInstance, path = '/webhooks/x'): Promise<string> {
  return `${await app.listen({ host: '127.0.0.1', port: 0 })}${path}`
}

/** One signed POST over real HTTP, as X sends it; resolves with the status. */
export async function send (url: string, body: Buffer | string, secret = SECRET): Promise<number> {
  const response = await fetch(url, {
    method: 'POST', body, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signPayload(body, secret) }
  })
  await response.arrayBuffer()
  return response.status
}

/**
 * Delivers like X: POST, and on any answer but 200 try again after each delay of `retryAfterMs` in turn.
 * Resolves with every status received.
 */
export async function deliverLikeX (url: string, body: Buffer | string, retryAfterMs: readonly number[] = [10, 20, 40]): Promise<number[]> {
  const statuses = [await send(url, body)]
  for (const delay of retryAfterMs) {
    if (statuses.at(-1) === 200) break
    await sleep(delay)
    statuses.push(await send(url, body))
  }
  return statuses
}
