// The Sandbox API's own clock, read from the `Date` header of its answers (RFC 9110 section
// 6.6.1: an origin server with a clock sends it on every answer). Lease expiries are written
// and judged in this time, never in the runner's: self-hosted runners drift by tens of seconds,
// and two runners that disagree on the time must still agree on when a lease ends.
//
// A `Date` names the second in which the server answered, and the answer was made between our
// send and our receipt. So for an answer sent at local time `sent`, received at `received`,
// with `Date: D`, the server's clock minus ours lies in [D - received, D + 1000 - sent]. The
// latest answer's bounds are kept (not a running intersection: the runner's clock may jump).
// `earliest()` and `latest()` bound the server's time now; judging another job's record
// expired uses `earliest()`, judging our own still safe uses `latest()`, so the ~1 s of
// uncertainty always counts against us.
import type { Clock } from '../../core/deadline'
import type { Logger } from '../../core/log'

export class ServerTime {
  private low = 0
  private high = 0
  private seen = false
  private warned = false

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly log?: Logger
  ) {}

  /** Takes the `Date` header of an answer sent and received at these local times. */
  observe(date: string | string[] | undefined, sentAt: number, receivedAt: number): void {
    const text = Array.isArray(date) ? date[0] : date
    const d = text ? Date.parse(text) : NaN
    if (!Number.isFinite(d)) return
    this.low = d - receivedAt
    this.high = d + 1000 - sentAt
    this.seen = true
  }

  /** Whether an answer has told the server's time yet. */
  get known(): boolean {
    return this.seen
  }

  private fallback(): void {
    if (this.seen || this.warned) return
    this.warned = true
    this.log?.info("Adobe Sandbox API: no answer carried a Date header yet; lease expiries are judged by this runner's clock")
  }

  /** The server's time now is at least this. */
  earliest(): number {
    this.fallback()
    return this.clock.now() + this.low
  }

  /** The server's time now is at most this. */
  latest(): number {
    this.fallback()
    return this.clock.now() + this.high
  }
}
