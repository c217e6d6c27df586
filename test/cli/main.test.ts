import { spawn } from 'node:child_process'
import { once } from 'node:events'
import t from 'tap'
import { build } from '../../examples/basic.js'

const ROOT = new URL('../../', import.meta.url)

/** Runs lib/cli/main.ts as its own process, through the same loaders as this test, so coverage adds up. */
async function main (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [...process.execArgv, 'lib/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, X_BEARER_TOKEN: '', X_CONSUMER_SECRET: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const [code] = await once(child, 'exit')
  return { code, stdout, stderr }
}

t.test('the executable prints its help and exits 0', async (t) => {
  const result = await main(['--help'])
  t.equal(result.code, 0)
  t.match(result.stdout, /^x-webhooks: manage X webhooks/)
})

t.test('the executable reads its environment and sets the exit code: crc-check against the example service', async (t) => {
  const app = await build('process-secret')
  t.teardown(() => app.close())
  const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/webhooks/x`
  const valid = await main(['crc-check', url, '--allow-insecure-url'], { X_CONSUMER_SECRET: 'process-secret' })
  t.equal(valid.code, 0, valid.stderr)
  t.match(valid.stdout, /^valid: /)
  const invalid = await main(['crc-check', url, '--allow-insecure-url', '--json'], { X_CONSUMER_SECRET: 'another-secret' })
  t.equal(invalid.code, 1)
  t.equal(JSON.parse(invalid.stdout).result, 'invalid')
  const usage = await main(['webhooks', 'list'])
  t.equal(usage.code, 2)
  t.match(usage.stderr, /^error: The app's bearer token is missing/)
})
