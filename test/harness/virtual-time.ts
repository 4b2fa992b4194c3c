// A simulated clock whose sleeps advance virtual time at once, and a logger that keeps its
// lines: for unit tests of code that waits (retries, polling) without waiting.
import { CancelledError } from '../../src/core/errors'
import type { Clock } from '../../src/core/deadline'
import type { Logger } from '../../src/core/log'

export function virtualClock(start = 0): Clock & { t: number } {
  const clock = {
    t: start,
    now: () => clock.t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new CancelledError()
      clock.t += ms
    }
  }
  return clock
}

/** info, notice and warning lines, in order; debug lines are dropped. */
export function listLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const push = (m: string): void => void lines.push(m)
  return { lines, info: push, notice: push, warning: push, debug: () => undefined }
}
