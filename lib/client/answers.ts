// Reading X's answers: wrapped in `data` or not, ids and counts as strings or numbers, dates as ISO strings. An answer
// that lacks what the method returns is an error: X's own (`errors` on a 200), or one that says the shape is unknown.

import { FST_XWH_UNEXPECTED_RESPONSE } from '../errors.js'
import { XApiError, problemsOf } from './errors.js'
import type { XAnswer } from './http.js'

export type Fields = Record<string, unknown>

export function isObject (value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Rejects an answer that does not carry `what`: with X's error when the 200 carries `errors`, else as an unknown shape. */
export function missing (answer: XAnswer, what: string): never {
  if (problemsOf(answer.body) !== undefined) throw new XApiError(answer)
  throw new FST_XWH_UNEXPECTED_RESPONSE(answer.request, `no ${what} in it`)
}

/** The answer's object: `{"data": {...}}` (current) or the same fields unwrapped (older answers). */
export function dataOf (answer: XAnswer, what: string): Fields {
  const body = answer.body
  if (isObject(body) && isObject(body.data)) return body.data
  if (isObject(body) && !('data' in body) && !('errors' in body)) return body
  return missing(answer, what)
}

/** The answer's list: `{"data": [...]}`, or `{"data": {"<key>": [...]}}`; no `data` at all is an empty list. */
export function listOf (answer: XAnswer, what: string, key?: string): unknown[] {
  const body = answer.body
  if (!isObject(body)) return missing(answer, what)
  const data = body.data
  if (Array.isArray(data)) return data
  if (key !== undefined && isObject(data) && Array.isArray(data[key])) return data[key]
  if (data === undefined && problemsOf(body) === undefined) return []
  return missing(answer, what)
}

/** Ids and names: strings, or numbers X (or a stand-in) wrote bare. */
export function str (value: unknown): string | undefined {
  if (typeof value === 'string') return value
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined
}

export function bool (value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value
  return value === 'true' ? true : value === 'false' ? false : undefined
}

/** Counts X answers as strings (`"3"`), or numbers. */
export function count (value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : undefined
}

export function date (value: unknown): Date | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const parsed = new Date(value)
  return Number.isNaN(parsed.getTime()) ? undefined : parsed
}

/** A field the method cannot answer without. */
export function required<T> (answer: XAnswer, value: T | undefined, what: string): T {
  return value === undefined ? missing(answer, what) : value
}
