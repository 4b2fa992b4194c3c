// The one way the action waits for something to change on a provider: look, and while it is
// not there yet, pause on a schedule that grows with the time spent, within the step's
// deadline (which also ends the pause when the job is cancelled). Every wait uses it: a
// sandbox's state, a package being published, an import job, a licence slot.
import { DeadlineError } from './errors'
import type { Deadline } from './deadline'
import type { Logger } from './log'

/** A progress line at most this often while nothing changes. */
export const PROGRESS_EVERY_MS = 10_000

/** The usual schedule: often at first, then less and less, so a long wait does not hammer the API. */
export function pollDelayMs(elapsedMs: number): number {
  if (elapsedMs < 6_000) return 1_000
  if (elapsedMs < 60_000) return 2_000
  if (elapsedMs < 180_000) return 5_000
  return 12_000
}

/**
 * Progress lines for a wait: one whenever what is seen changes, and one every `everyMs` while
 * it does not.
 */
export class Progress {
  private lastAt: number | undefined
  private lastSeen: string | undefined

  constructor(
    private readonly log: Logger,
    private readonly everyMs = PROGRESS_EVERY_MS
  ) {}

  /** Logs `line()` when `seen` differs from the last one, or `everyMs` have passed since the last line. */
  report(now: number, seen: string, line: () => string): void {
    if (this.due(now, seen)) this.log.info(line())
  }

  /** Whether a line is due now (then it counts as written): for a line that takes a request to write. */
  due(now: number, seen = ''): boolean {
    if (this.lastAt !== undefined && seen === this.lastSeen && now - this.lastAt < this.everyMs) return false
    this.lastAt = now
    this.lastSeen = seen
    return true
  }
}

export interface PollOptions<T> {
  deadline: Deadline
  /**
   * One look. A value ends the wait; undefined means not yet. It may throw: the error ends the
   * wait as it is, except a DeadlineError, which becomes the message of `awaited`.
   */
  look(elapsedMs: number): Promise<T | undefined>
  /** the pause before the next look, by time spent waiting (default: pollDelayMs) */
  delayMs?(elapsedMs: number): number
  /** what a pause is for, as a cancel message names it: "waiting for sandbox …" (read before each pause) */
  pausing: string | (() => string)
  /** what was awaited, for the error when the deadline ends the wait (read when it ends) */
  awaited(): string
  /** pause before the first look (the thing was just asked for), instead of looking at once */
  pauseFirst?: boolean
  /**
   * A deadline that runs out inside a look: `awaited` (the default) says what was awaited;
   * `as is` keeps the look's own error (a look that is itself the action, such as a create).
   */
  lookExpiry?: 'awaited' | 'as is'
}

/**
 * Looks until `look` returns a value, pausing between looks. The deadline ends it with an
 * error naming what was awaited, whether it ran out in a pause or in a look; a pause the
 * deadline cut short is not followed by one more look.
 */
export async function poll<T>(o: PollOptions<T>): Promise<T> {
  return (await looks(o, Infinity)) as T
}

/**
 * As poll, but gives up quietly at `until` (on the deadline's clock), before the deadline:
 * undefined when nothing was found by then. The last pause ends at `until`, and one last look
 * follows it.
 */
export async function pollUntil<T>(o: PollOptions<T> & { until: number }): Promise<T | undefined> {
  return looks(o, o.until)
}

async function looks<T>(o: PollOptions<T>, until: number): Promise<T | undefined> {
  const { deadline } = o
  const started = deadline.clock.now()
  const delay = o.delayMs ?? pollDelayMs
  const elapsed = (): number => deadline.clock.now() - started
  const expired = (err: unknown): unknown => (err instanceof DeadlineError ? deadline.expiredError(o.awaited()) : err)
  for (let first = true; ; first = false) {
    if (!first || o.pauseFirst) {
      const left = until - deadline.clock.now()
      if (left <= 0) return undefined
      try {
        if (deadline.remainingMs() <= 0) throw deadline.expiredError('waiting')
        await deadline.sleep(Math.min(delay(elapsed()), left), typeof o.pausing === 'string' ? o.pausing : o.pausing())
        if (deadline.remainingMs() <= 0) throw deadline.expiredError('waiting')
      } catch (err) {
        throw expired(err)
      }
    }
    let found: T | undefined
    try {
      found = await o.look(elapsed())
    } catch (err) {
      throw o.lookExpiry === 'as is' ? err : expired(err)
    }
    if (found !== undefined) return found
  }
}
