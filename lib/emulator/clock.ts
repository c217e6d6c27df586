// Emulator time: real time plus every advance. Tasks (CRC checks, retries) run when they fall due: on a real timer
// (unref'd), or in time order when the clock is advanced. One task runs at a time.
import { MAX_TIMER } from '../duration.js'

interface Task {
  at: number
  seq: number
  run: () => Promise<void>
}

export class Clock {
  #offset = 0
  #seq = 0
  #tasks: Task[] = []
  #timer: NodeJS.Timeout | undefined
  #chain: Promise<void> = Promise.resolve()
  #closed = false

  now (): number {
    return Date.now() + this.#offset
  }

  /** Runs `run` at emulator time `at`. */
  schedule (at: number, run: () => Promise<void>): void {
    if (this.#closed) return
    this.#tasks.push({ at, seq: this.#seq++, run })
    this.#tasks.sort((a, b) => a.at - b.at || a.seq - b.seq)
    this.#arm()
  }

  /** Moves the clock `ms` forward, running what falls due on the way, each at its own time; resolves with the new time. */
  advance (ms: number): Promise<number> {
    const step = this.#chain.then(async () => {
      const target = this.now() + ms
      await this.#drain(target, true)
      this.#offset += Math.max(0, target - this.now())
      this.#arm()
    })
    this.#chain = step
    return step.then(() => this.now())
  }

  close (): void {
    this.#closed = true
    this.#tasks = []
    clearTimeout(this.#timer)
  }

  async #drain (target: number, jump: boolean): Promise<void> {
    for (let next = this.#tasks[0]; next !== undefined && next.at <= target && !this.#closed; next = this.#tasks[0]) {
      this.#tasks.shift()
      if (jump && next.at > this.now()) this.#offset += next.at - this.now()
      await next.run()
    }
  }

  #arm (): void {
    clearTimeout(this.#timer)
    const next = this.#tasks[0]
    if (next === undefined) return
    this.#timer = setTimeout(() => {
      this.#chain = this.#chain.then(() => this.#drain(this.now(), false)).then(() => this.#arm())
    }, Math.min(MAX_TIMER, Math.max(0, next.at - this.now())))
    this.#timer.unref()
  }
}
