// The emulator's control endpoints (`/_emulator/…`, outside X's namespace), for `trigger` and `listen`.
import { EXIT } from './command.js'
import type { Context } from './context.js'
import type { Failure } from './output.js'

export const DEFAULT_EMULATOR = 'http://127.0.0.1:8787'

export const EMULATOR_OPTION = {
  type: 'string', value: 'URL', env: 'X_EMULATOR_URL', description: `Where the emulator listens (default ${DEFAULT_EMULATOR})`
} as const

/** A control request that did not work: the failure to print and the exit code. */
export class ControlFailure extends Error {
  constructor (readonly failure: Failure, readonly exitCode: number) {
    super(failure.message)
  }
}

/** The emulator's base URL: --emulator, X_EMULATOR_URL, or the default; a usage error when it is not an http(s) URL. */
export function emulatorUrl (context: Context): string {
  const url = (context.option('emulator') ?? DEFAULT_EMULATOR).replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]/i.test(url) || !URL.canParse(url)) {
    throw new ControlFailure({ kind: 'usage', message: `--emulator must be an http(s) URL, not "${url}"`, hint: `see ${context.help}` }, EXIT.usage)
  }
  return url
}

function said (body: unknown): string {
  const { title, detail, errors } = Object(body) as { title?: string, detail?: string, errors?: Array<{ message?: string }> }
  return detail ?? errors?.[0]?.message ?? title ?? JSON.stringify(body)
}

/** Calls a control endpoint and resolves to its `data`; throws a ControlFailure when the emulator is down or refuses. */
export async function control<T> (context: Context, base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const request = `${method} ${path}`
  let response: Response
  try {
    response = await (context.io.fetch ?? fetch)(`${base}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(10_000)
    })
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message
    throw new ControlFailure({
      kind: 'network',
      message: `${request}: could not reach the emulator at ${base} (${cause})`,
      hint: 'start one with x-webhooks emulator, or point --emulator / X_EMULATOR_URL at it'
    }, EXIT.unreachable)
  }
  const text = await response.text()
  let answer: unknown
  try {
    answer = JSON.parse(text)
  } catch {
    answer = text
  }
  if (!response.ok) {
    const refused = response.status === 400 || response.status === 404
    throw new ControlFailure({
      kind: refused ? 'usage' : 'x-api',
      message: `${request}: the emulator answered ${response.status} (${said(answer)})`,
      status: response.status,
      body: answer
    }, refused ? EXIT.usage : EXIT.failed)
  }
  return (answer as { data: T }).data
}

/** Runs a command's body; a ControlFailure is printed and becomes its exit code. */
export async function guarded (context: Context, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (error) {
    if (!(error instanceof ControlFailure)) throw error
    context.out.failure(error.failure)
    return error.exitCode
  }
}
