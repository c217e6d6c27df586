// Where results and errors go: human lines, or JSON for scripts (results on stdout, errors on stderr).

export interface Writable {
  write (chunk: string): unknown
}

export interface CliIo {
  stdout: Writable
  stderr: Writable
  env: Record<string, string | undefined>
  /** For the client's requests and crc-check's GET. Default: Node's global fetch. */
  fetch?: typeof fetch
  /** Ends the long-running commands (emulator, listen) when it aborts. Default: SIGINT or SIGTERM to this process. */
  signal?: AbortSignal
}

/** What went wrong, for people (`message`, `hint`) and for scripts (every field). */
export interface Failure {
  kind: 'usage' | 'x-api' | 'network' | 'internal'
  message: string
  hint?: string | undefined
  [detail: string]: unknown
}

export class Output {
  constructor (private readonly io: CliIo, readonly json: boolean) {}

  /** A command's result: `value` as JSON, or `human` as lines. */
  result (value: unknown, human: string | string[]): void {
    const text = this.json ? JSON.stringify(value, null, 2) : [human].flat().join('\n')
    this.io.stdout.write(text + '\n')
  }

  /** Text that is neither a result nor an error: help. */
  text (text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.io[stream].write(text)
  }

  failure (failure: Failure): void {
    if (this.json) {
      this.io.stderr.write(JSON.stringify({ error: failure }) + '\n')
      return
    }
    this.io.stderr.write(`error: ${failure.message}\n${failure.hint === undefined ? '' : `hint: ${failure.hint}\n`}`)
  }
}
