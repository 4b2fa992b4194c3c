// The wait for a sandbox's state, on a simulated clock: sleeps advance virtual time at once.
import { describe, expect, it } from 'vitest'
import { CancelledError, DeadlineError } from '../../src/errors'
import { Deadline, type Clock } from '../../src/deadline'
import type { Logger } from '../../src/log'
import type { Sandbox } from '../../src/providers/adobe/api'
import { pollDelayMs, waitFor } from '../../src/providers/adobe/wait'

function virtualClock(): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new CancelledError()
      clock.t += ms
    }
  }
  return clock
}

function logger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const push = (m: string): void => void lines.push(m)
  return { lines, info: push, notice: push, warning: push, debug: () => undefined }
}

/** A sandbox that is `from` until virtual time `at`, then `to`. */
function lookupAt(clock: { t: number }, at: number, to: string, from = 'creating'): () => Promise<Sandbox | undefined> {
  return async () => ({ name: 'box', state: clock.t >= at ? to : from, type: 'development' })
}

describe('waitFor', () => {
  it('returns once the sandbox is active, having looked it up on the schedule', async () => {
    const clock = virtualClock()
    const log = logger()
    let lookups = 0
    const lookup = lookupAt(clock, 30_000, 'active')
    const s = await waitFor({ deadline: new Deadline(900_000, clock), log, lookup: () => (lookups++, lookup()), name: 'box', until: 'active', doing: 'creating' })
    expect(s?.state).toBe('active')
    expect(clock.t - 30_000).toBeLessThanOrEqual(2_000)
    expect(lookups).toBeLessThanOrEqual(20)
    expect(log.lines.at(-1)).toBe('Sandbox "box": active (30 s elapsed)')
  })

  it('logs a progress line on each change of state and at least every 10 s, not on every lookup', async () => {
    const clock = virtualClock()
    const log = logger()
    await waitFor({ deadline: new Deadline(900_000, clock), log, lookup: lookupAt(clock, 120_000, 'active'), name: 'box', until: 'active', doing: 'creating' })
    const progress = log.lines.filter(l => l.startsWith('Sandbox "box"'))
    expect(progress.length).toBeGreaterThanOrEqual(12)
    expect(progress.length).toBeLessThan(20)
  })

  it('fails with a clear message when the sandbox ends failed', async () => {
    const clock = virtualClock()
    await expect(waitFor({ deadline: new Deadline(60_000, clock), log: logger(), lookup: lookupAt(clock, 5_000, 'failed'), name: 'box', until: 'active', doing: 'creating' })).rejects.toThrow(
      /Sandbox "box" ended in state "failed" while creating/
    )
  })

  it('stops at the deadline and names the last state', async () => {
    const clock = virtualClock()
    const err = await waitFor({ deadline: new Deadline(20_000, clock), log: logger(), lookup: lookupAt(clock, 1e9, 'active', 'provisioning'), name: 'box', until: 'active', doing: 'creating' }).catch(e => e)
    expect(err).toBeInstanceOf(DeadlineError)
    expect(err.message).toMatch(/Timed out after 20 s while waiting for sandbox "box" to become active \(last state: provisioning\)/)
    expect(clock.t).toBeLessThanOrEqual(20_000)
  })

  it('treats unknown states as in progress, and a 404 as gone when waiting for a delete', async () => {
    const clock = virtualClock()
    const gone = await waitFor({
      deadline: new Deadline(60_000, clock),
      log: logger(),
      lookup: async () => (clock.t < 4_000 ? { name: 'box', state: 'de-provisioning' } : undefined),
      name: 'box',
      until: 'gone',
      doing: 'deleting'
    })
    expect(gone).toBeUndefined()
  })

  it('stops at once when the step is cancelled', async () => {
    const clock = virtualClock()
    const cancel = new AbortController()
    let lookups = 0
    const run = waitFor({
      deadline: new Deadline(900_000, clock, cancel.signal),
      log: logger(),
      lookup: async () => {
        if (++lookups === 3) cancel.abort()
        return { name: 'box', state: 'creating' }
      },
      name: 'box',
      until: 'active',
      doing: 'creating'
    })
    await expect(run).rejects.toThrow(/Cancelled while waiting for sandbox "box"/)
    expect(lookups).toBe(3)
  })
})

describe('pollDelayMs', () => {
  it('polls often at first and less later, never slower than every 12 s', () => {
    expect(pollDelayMs(0)).toBe(1_000)
    expect(pollDelayMs(30_000)).toBe(2_000)
    expect(pollDelayMs(120_000)).toBe(5_000)
    expect(pollDelayMs(3_600_000)).toBe(12_000)
  })
})
