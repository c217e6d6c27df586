// Durations in options: a number of milliseconds, or a string such as '15m', '30s', '1h', '500ms'.

/** setTimeout's longest delay (about 24.8 days): a longer one fires at once. */
export const MAX_TIMER = 2 ** 31 - 1

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/

/** Milliseconds, or undefined when `value` is neither a positive number nor a string like '15m'. */
export function parseDuration (value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const match = DURATION.exec(value.trim())
  if (match === null) return undefined
  const ms = Number(match[1]) * (UNITS[match[2] as string] as number)
  return ms > 0 ? ms : undefined
}
