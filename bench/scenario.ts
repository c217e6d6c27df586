import { scenario, type Window } from '../test/e2e/load-scenario.js'

// What is the benchmark's own: where it delivers, with which secret, and how it takes the load test's scenario
// (test/e2e/load-scenario.ts): lazily, 4,096 deliveries at a time, so that a million events never sit in memory at once.

export const SECRET = 'bench-secret'
export const PATH = '/webhooks/x'

/** The scenario for `events` unique events, a window of 4,096 deliveries at a time. */
export function * windows (events: number): Generator<Window> {
  const load = scenario({ events })
  while (!load.done) yield load.window(4096)
}
