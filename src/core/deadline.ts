// One budget of time for the whole step (the `timeout` input; `cleanup-timeout` in the post
// step), and the cancel signal that the runner's SIGINT/SIGTERM raises. Every sleep and every
// request asks this object how long it may take, so no wait can run past the step's deadline
// or survive a cancel.
import { CancelledError, DeadlineError } from './errors'

export interface Clock {
  now(): number
  /** Resolves after ms, or rejects with CancelledError when the signal fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new CancelledError())
      const onAbort = (): void => {
        clearTimeout(timer)
        reject(new CancelledError())
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, Math.max(0, ms))
      signal?.addEventListener('abort', onAbort, { once: true })
    })
}

export class Deadline {
  readonly startedAt: number
  readonly endsAt: number

  constructor(
    readonly totalMs: number,
    readonly clock: Clock = systemClock,
    readonly signal: AbortSignal = new AbortController().signal,
    /** the input that sets this budget, for messages: `timeout`, or `cleanup-timeout` in the post step */
    readonly input: string = 'timeout'
  ) {
    this.startedAt = clock.now()
    this.endsAt = this.startedAt + totalMs
  }

  elapsedMs(): number {
    return this.clock.now() - this.startedAt
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock.now())
  }

  get cancelled(): boolean {
    return this.signal.aborted
  }

  /** Throws when the step was cancelled or its time is up. */
  check(what: string): void {
    if (this.signal.aborted) throw new CancelledError(`Cancelled while ${what}`)
    if (this.remainingMs() <= 0) throw this.expiredError(what)
  }

  expiredError(what: string): DeadlineError {
    const raise = this.input ? ` (raise the \`${this.input}\` input if the provider needs longer)` : ''
    return new DeadlineError(`Timed out after ${Math.round(this.totalMs / 1000)} s while ${what}${raise}`)
  }

  /**
   * A shorter budget inside this one, for work that must not spend the step's (a call whose
   * failure is only a warning): it ends after `ms` or with this deadline, and is cancelled with
   * it. Its timeout names no input: no input sets it.
   */
  within(ms: number): Deadline {
    return new Deadline(Math.min(ms, this.remainingMs()), this.clock, this.signal, '')
  }

  /** Sleep at most until the deadline; rejects at once on cancel, saying what was cut short. */
  async sleep(ms: number, what: string): Promise<void> {
    try {
      await this.clock.sleep(Math.min(ms, this.remainingMs()), this.signal)
    } catch (err) {
      if (err instanceof CancelledError) throw new CancelledError(`Cancelled while ${what}`)
      throw err
    }
  }
}
