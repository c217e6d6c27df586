import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import type { Test } from 'tap'

/**
 * A Redis to test against, never a mock: `REDIS_URL` when set (`.ci/run` starts one), otherwise a `redis-server` of
 * this test file's own, on a free loopback port, without persistence, stopped when `t` ends.
 */
export async function redisUrl (t: Test): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL
  const port = await freePort()
  const server = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(async () => {
    if (server.exitCode !== null || server.signalCode !== null) return
    server.kill('SIGTERM')
    await once(server, 'exit')
  })
  await ready(server, port)
  return `redis://127.0.0.1:${port}`
}

async function freePort (): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as { port: number }
  probe.close()
  await once(probe, 'close')
  return port
}

/** Resolves once the server accepts connections; rejects with a message that says what to do when it cannot start. */
function ready (server: ReturnType<typeof spawn>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = ''
    let listening = false
    // Keep reading after it is ready: a full pipe would block the server's logging, and with it the server.
    const onData = (chunk: Buffer): void => {
      if (listening) return
      output += chunk.toString('utf8')
      if (output.includes('Ready to accept connections')) {
        listening = true
        resolve()
      }
    }
    server.stdout?.on('data', onData)
    server.stderr?.on('data', onData)
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(err.code === 'ENOENT'
        ? 'redis-server is not on PATH: install redis-server (apt-get install redis-server) or set REDIS_URL'
        : `redis-server could not start: ${err.message}`))
    })
    server.once('exit', (code) => {
      reject(new Error(`redis-server exited (code ${code}) before listening on 127.0.0.1:${port}:\n${output}`))
    })
  })
}
