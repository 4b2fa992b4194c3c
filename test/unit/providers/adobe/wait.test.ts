// The wait for a sandbox's state, on a simulated clock: sleeps advance virtual time at once.
import { describe, expect, it } from 'vitest'
import { CancelledError, DeadlineError } from '../../../../src/core/errors'
import { Deadline, type Clock } from '../../../../src/core/deadline'
import type { Logger } from '../../../../src/core/log'
import type { Sandbox } from '../../../../src/providers/adobe/api'
import { pollDelayMs } from '../../../../src/core/poll'
import { reached, waitFor } from '../../../../src/providers/adobe/wait'

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

function box(state: string, extra: Partial<Sandbox> = {}): Sandbox {
  return { name: 'box', state, type: 'development', isDefault: false, ...extra }
}

/** A sandbox that is `from` until virtual time `at`, then `to`. */
function lookupAt(clock: { t: number }, at: number, to: string, from = 'creating'): () => Promise<Sandbox | undefined> {
  return async () => ({ name: 'box', state: clock.t >= at ? to : from, type: 'development', isDefault: false })
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
      lookup: async () => (clock.t < 4_000 ? box('de-provisioning') : undefined),
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
        return box('creating')
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
  // Adobe says provisioning takes about 30 s: readiness should be noticed within a couple of
  // seconds then, and a wait of an hour should not hammer the API.
  const samples = Array.from({ length: 400 }, (_, i) => i * 10_000 + (i % 7) * 777)
  it('never polls faster than once a second nor slower than every 15 s', () => {
    for (const t of [0, 1, 5_999, 6_000, 59_999, 60_000, 179_999, 180_000, ...samples]) {
      expect(pollDelayMs(t)).toBeGreaterThanOrEqual(1_000)
      expect(pollDelayMs(t)).toBeLessThanOrEqual(15_000)
    }
  })
  it('notices a sandbox that is ready after 30 s within 2 s, and never polls faster as time goes on', () => {
    expect(pollDelayMs(0)).toBeLessThanOrEqual(2_000)
    expect(pollDelayMs(30_000)).toBeLessThanOrEqual(2_000)
    const sorted = [...samples].sort((a, b) => a - b)
    for (let i = 1; i < sorted.length; i++) expect(pollDelayMs(sorted[i])).toBeGreaterThanOrEqual(pollDelayMs(sorted[i - 1]))
  })
  it('backs off on long waits: an hour of waiting makes at most a few hundred lookups', () => {
    let t = 0
    let lookups = 0
    while (t < 3_600_000) {
      t += pollDelayMs(t)
      lookups++
    }
    expect(lookups).toBeLessThan(3_600_000 / 5_000)
    expect(pollDelayMs(3_600_000)).toBeGreaterThan(pollDelayMs(0))
  })
})

// Every state Adobe's OpenAPI and documents name, with what each means for each kind of wait.
// Expectations come from the documents: creating/provisioning/resetting are on the way to
// active; deleting/cleaning/de-provisioning on the way out; active/failed/deleted are ends.
const ON_THE_WAY_IN = ['creating', 'provisioning', 'resetting']
const ON_THE_WAY_OUT = ['deleting', 'cleaning', 'de-provisioning']
const ENDS = ['active', 'failed', 'deleted']

describe('reached, for every state and every kind of wait', () => {
  const o = (until: 'active' | 'settled' | 'gone') => ({ until, name: 'box', doing: 'creating' })
  it.each([...ON_THE_WAY_IN, 'migrating'])('waiting for active: %s goes on', state => {
    expect(reached(o('active'), box(state))).toBe(false)
  })
  it('waiting for active: active ends it', () => expect(reached(o('active'), box('active'))).toBe(true))
  it('waiting for active: failed is an error that says so', () => {
    expect(() => reached(o('active'), box('failed'))).toThrow(/ended in state "failed" while creating/)
  })
  it.each(ON_THE_WAY_OUT)('waiting for active: %s is an error (it will never become active)', state => {
    expect(() => reached(o('active'), box(state))).toThrow(new RegExp(`being deleted \\(state: ${state}\\)`))
  })
  it.each([
    ['a 404', undefined],
    ['deleted', box('deleted')]
  ])('waiting for active: %s is an error', (_what, s) => {
    expect(() => reached(o('active'), s)).toThrow(/disappeared while creating/)
  })

  it.each([...ON_THE_WAY_IN, 'migrating'])('waiting to settle: %s goes on', state => {
    expect(reached(o('settled'), box(state))).toBe(false)
  })
  it.each([...ENDS, ...ON_THE_WAY_OUT])('waiting to settle: %s ends it', state => {
    expect(reached(o('settled'), box(state))).toBe(true)
  })
  it('waiting to settle: a 404 ends it', () => expect(reached(o('settled'), undefined)).toBe(true))

  it.each([...ON_THE_WAY_IN, ...ON_THE_WAY_OUT, 'active', 'failed', 'migrating'])('waiting to be gone: %s goes on', state => {
    expect(reached(o('gone'), box(state))).toBe(false)
  })
  it.each([
    ['a 404', undefined],
    ['deleted', box('deleted')]
  ])('waiting to be gone: %s ends it', (_what, s) => {
    expect(reached(o('gone'), s)).toBe(true)
  })
})

describe('waitFor with a record in hand', () => {
  it('makes no lookup when the record already is what is waited for', async () => {
    const clock = virtualClock()
    let lookups = 0
    const s = await waitFor({ deadline: new Deadline(60_000, clock), log: logger(), lookup: async () => (lookups++, box('creating')), name: 'box', until: 'active', doing: 'creating', current: box('active') })
    expect(s?.state).toBe('active')
    expect(lookups).toBe(0)
    expect(clock.t).toBe(0)
  })

  it('waiting to settle returns undefined once the sandbox is gone, and the record once it is on its way out', async () => {
    const clock = virtualClock()
    const gone = await waitFor({ deadline: new Deadline(60_000, clock), log: logger(), lookup: async () => (clock.t < 3_000 ? box('provisioning') : undefined), name: 'box', until: 'settled', doing: 'creating' })
    expect(gone).toBeUndefined()
    const out = await waitFor({ deadline: new Deadline(60_000, clock), log: logger(), lookup: async () => box('cleaning'), name: 'box', until: 'settled', doing: 'creating', current: box('provisioning') })
    expect(out?.state).toBe('cleaning')
  })

  it('names the last state it saw when the time runs out', async () => {
    const clock = virtualClock()
    const err = await waitFor({ deadline: new Deadline(1, clock), log: logger(), lookup: async () => box('resetting'), name: 'box', until: 'settled', doing: 'resetting', current: box('resetting') }).catch(e => e)
    expect(err).toBeInstanceOf(DeadlineError)
    expect(err.message).toContain('to settle (last state: resetting)')
    expect(err.message).toContain('`timeout`')
  })

  it('a budget named after cleanup-timeout says so when it runs out', async () => {
    const clock = virtualClock()
    const err = await waitFor({ deadline: new Deadline(5_000, clock, undefined, 'cleanup-timeout'), log: logger(), lookup: async () => box('deleting'), name: 'box', until: 'gone', doing: 'deleting' }).catch(e => e)
    expect(err.message).toMatch(/Timed out after 5 s while waiting for sandbox "box" to be deleted \(last state: deleting\).*`cleanup-timeout`/)
  })

  it('lets an error from a lookup through unchanged', async () => {
    const clock = virtualClock()
    const boom = new Error('lookup failed')
    await expect(waitFor({ deadline: new Deadline(60_000, clock), log: logger(), lookup: async () => { throw boom }, name: 'box', until: 'active', doing: 'creating' })).rejects.toBe(boom)
  })
})

describe('waitFor details', () => {
  /** a clock that starts far from zero, as a real one does */
  function lateClock(): Clock & { t: number } {
    const c = virtualClock()
    c.t = 1_700_000_000_000
    return c
  }

  it('schedules by the time spent waiting, not by the clock\'s reading: the first lookups come within a couple of seconds', async () => {
    const clock = lateClock()
    const start = clock.t
    const seen: number[] = []
    await waitFor({ deadline: new Deadline(60_000, clock), log: logger(), lookup: async () => (seen.push(clock.t - start), box(clock.t - start >= 3_000 ? 'active' : 'creating')), name: 'box', until: 'active', doing: 'creating' })
    expect(seen[0]).toBeLessThanOrEqual(2_000)
    expect(seen.at(-1)).toBeLessThanOrEqual(3_000 + 2_000)
  })

  it('logs each change of state when it is seen, with the seconds since the wait began', async () => {
    const clock = lateClock()
    const start = clock.t
    const log = logger()
    const states = (t: number): string => (t < 7_000 ? 'creating' : t < 33_000 ? 'provisioning' : 'active')
    await waitFor({ deadline: new Deadline(120_000, clock), log, lookup: async () => box(states(clock.t - start)), name: 'box', until: 'active', doing: 'creating' })
    const lines = log.lines.filter(l => l.startsWith('Sandbox "box"'))
    const at = (state: string): number => Number(/\((\d+) s elapsed\)/.exec(lines.find(l => l.includes(`: ${state} (`)) ?? '')?.[1])
    // each change is logged within one poll of happening (polls are at most a few seconds apart early on)
    expect(at('provisioning')).toBeGreaterThanOrEqual(7)
    expect(at('provisioning')).toBeLessThanOrEqual(10)
    expect(at('active')).toBeGreaterThanOrEqual(33)
    expect(at('active')).toBeLessThanOrEqual(40)
    // and while nothing changes, at least every 10 s
    const secs = lines.map(l => Number(/\((\d+) s elapsed\)/.exec(l)?.[1]))
    for (let i = 1; i < secs.length; i++) expect(secs[i] - secs[i - 1]).toBeLessThanOrEqual(12)
  })

  it('logs a 404 as "not found" while waiting for a delete', async () => {
    const clock = virtualClock()
    const log = logger()
    await waitFor({ deadline: new Deadline(60_000, clock), log, lookup: async () => undefined, name: 'box', until: 'gone', doing: 'deleting' })
    expect(log.lines).toHaveLength(1)
    expect(log.lines[0]).toMatch(/^Sandbox "box": not found \(\d+ s elapsed\)$/)
  })

  it('a wait to be gone or to settle that ends on a deleted record returns nothing', async () => {
    const clock = virtualClock()
    for (const until of ['gone', 'settled'] as const) {
      const s = await waitFor({ deadline: new Deadline(60_000, clock), log: logger(), lookup: async () => box('deleted'), name: 'box', until, doing: 'deleting' })
      expect(s).toBeUndefined()
    }
  })

  it('a wait to settle that ends on an active or failed record returns it', async () => {
    const clock = virtualClock()
    for (const state of ['active', 'failed']) {
      const s = await waitFor({ deadline: new Deadline(60_000, clock), log: logger(), lookup: async () => box(state), name: 'box', until: 'settled', doing: 'resetting' })
      expect(s?.state).toBe(state)
    }
  })

  it('a budget already spent names the state of the record in hand', async () => {
    const clock = virtualClock()
    let lookups = 0
    const err = await waitFor({ deadline: new Deadline(0, clock), log: logger(), lookup: async () => (lookups++, box('creating')), name: 'box', until: 'active', doing: 'creating', current: box('provisioning') }).catch(e => e)
    expect(err).toBeInstanceOf(DeadlineError)
    expect(err.message).toContain('to become active (last state: provisioning)')
    expect(lookups).toBe(0)
  })

  it('a budget already spent with no record in hand says the last state is unknown', async () => {
    const err = await waitFor({ deadline: new Deadline(0, virtualClock()), log: logger(), lookup: async () => box('creating'), name: 'box', until: 'gone', doing: 'deleting' }).catch(e => e)
    expect(err.message).toContain('to be deleted (last state: unknown)')
  })

  it('says whether the sandbox it waited for was not found or deleted', () => {
    const o = { until: 'active' as const, name: 'box', doing: 'creating' }
    expect(() => reached(o, undefined)).toThrow('Sandbox "box" disappeared while creating (state: not found)')
    expect(() => reached(o, box('deleted'))).toThrow('Sandbox "box" disappeared while creating (state: deleted)')
  })
})
