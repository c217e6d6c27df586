// The long-running commands (emulator, listen) run until their signal aborts: the CliIo's, or else SIGINT or SIGTERM.
import type { CliIo } from './output.js'

/** Runs `body` with the io's signal or, without one, a signal that SIGINT or SIGTERM to this process aborts. */
export async function untilStopped<T> (io: CliIo, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (io.signal !== undefined) return await body(io.signal)
  const controller = new AbortController()
  const stop = (): void => { controller.abort() }
  process.once('SIGINT', stop).once('SIGTERM', stop)
  try {
    return await body(controller.signal)
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop)
  }
}
