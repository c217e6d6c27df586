// `x-webhooks emulator`: X's side on 127.0.0.1 (lib/emulator), until SIGINT or SIGTERM.
import { once } from 'node:events'
import type { FastifyInstance } from 'fastify'
import { createEmulator, type EmulatorOptions } from '../emulator/index.js'
import { UsageError } from './args.js'
import { EXIT, type Command } from './command.js'
import type { Context } from './context.js'
import { untilStopped } from './interrupt.js'

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` */
  url: string
  app: FastifyInstance
  close: () => Promise<void>
}

/** Starts the emulator on 127.0.0.1 (`port` 0: a free one) and resolves once it listens. */
export async function startEmulator (options: EmulatorOptions & { port: number }): Promise<RunningEmulator> {
  const { port, ...emulatorOptions } = options
  const app = createEmulator(emulatorOptions)
  try {
    await app.listen({ host: '127.0.0.1', port })
  } catch (error) {
    await app.close()
    throw error
  }
  const address = app.server.address() as { port: number }
  return { url: `http://127.0.0.1:${address.port}`, app, close: () => app.close() }
}

function port (context: Context): number {
  const value = context.option('port') ?? '8787'
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`--port must be a port number (0 for a free one), not "${value}"`, context.help)
  return Number(value)
}

export const emulator: Command = {
  name: 'emulator',
  summary: 'Run a local stand-in for X on 127.0.0.1, until Ctrl-C',
  description: [
    'Serves X\'s webhook, subscription and stream-link endpoints with X\'s shapes, runs CRCs (on create, on PUT and',
    'on X\'s schedule), delivers signed events with retries and replays from a 24-hour log. Webhook URLs on',
    'http://127.0.0.1:PORT are accepted (--strict applies X\'s real rules). Events for an invalid webhook are held',
    'for a replay after a PUT. Control endpoints, outside X\'s paths:',
    '  POST /_emulator/events  {"type", "product"?, "webhook_id"?, "for_user_id"?, "payload"?}  (x-webhooks trigger)',
    '  POST /_emulator/clock   {"advance_ms": n}  moves the clock; CRC checks and retries falling due run',
    '  POST /_emulator/crc     {"webhook_id"?}  runs X\'s scheduled CRC now (a wrong answer: invalid at once)',
    '  GET  /_emulator/deliveries  what was sent, the answers, the attempts  (x-webhooks listen)'
  ].join('\n'),
  options: {
    port: { type: 'string', value: 'PORT', description: 'The port on 127.0.0.1 (default 8787; 0 picks a free one)' },
    'consumer-secret': { type: 'string', value: 'SECRET', env: 'X_CONSUMER_SECRET', description: 'The consumer secret that signs deliveries and keys CRCs (your service\'s)' },
    'bearer-token': { type: 'string', value: 'TOKEN', env: 'X_BEARER_TOKEN', description: 'The bearer token the emulator accepts (others get 401, as from X)' },
    strict: { type: 'boolean', description: 'Apply X\'s real URL rules: https, no explicit port, at most 200 characters' }
  },
  auth: 'none',
  examples: [
    'X_CONSUMER_SECRET=dev-secret X_BEARER_TOKEN=dev-token x-webhooks emulator',
    'x-webhooks emulator --port 0 --consumer-secret dev-secret --bearer-token dev-token',
    'export X_API_BASE_URL=http://127.0.0.1:8787  # then x-webhooks webhooks … --allow-insecure-url talks to it'
  ],
  async run (context) {
    const options = {
      port: port(context),
      consumerSecret: context.need('consumer-secret', 'The consumer secret'),
      bearerToken: context.need('bearer-token', 'The bearer token'),
      strict: context.flag('strict')
    }
    let running: RunningEmulator
    try {
      running = await startEmulator(options)
    } catch (error) {
      const { code, message } = error as { code?: string, message: string }
      const hint = 'pass another --port, or --port 0 for a free one'
      context.out.failure({ kind: 'network', message: `the emulator could not listen on 127.0.0.1:${options.port}: ${message}`, hint, code })
      return EXIT.unreachable
    }
    context.out.result({ url: running.url }, [
      `X emulator listening on ${running.url}`,
      `  point the client at it:  X_API_BASE_URL=${running.url} (with --allow-insecure-url for http://127.0.0.1 webhooks)`,
      `  send an event:           x-webhooks trigger follow.follow --emulator ${running.url}`,
      `  watch deliveries:        x-webhooks listen --forward-to http://127.0.0.1:3000/webhooks/x --emulator ${running.url}`,
      'Ctrl-C stops it.'
    ])
    await untilStopped(context.io, async (signal) => {
      if (!signal.aborted) await once(signal, 'abort')
    })
    await running.close()
    if (!context.out.json) context.out.text('Emulator stopped.\n')
    return EXIT.ok
  }
}
