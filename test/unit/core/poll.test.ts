// The one poll helper every wait uses, on a virtual clock: when it looks, how long it pauses,
// what ends it, and what its errors and progress lines say.
import { describe, expect, it } from 'vitest'
import { Deadline } from '../../../src/core/deadline'
import { ActionError, CancelledError, DeadlineError } from '../../../src/core/errors'
import { poll, pollDelayMs, pollUntil, Progress } from '../../../src/core/poll'
import { listLogger, virtualClock } from '../../harness/virtual-time'

function setup(totalMs = 60_000) {
  const clock = virtualClock(1_000)
  const controller = new AbortController()
  const deadline = new Deadline(totalMs, clock, controller.signal)
  const looks: number[] = []
  return { clock, controller, deadline, looks }
}

describe('poll', () => {
  it('looks at once, then after each pause on the schedule, until a value comes', async () => {
    const { clock, deadline, looks } = setup()
    const got = await poll({ deadline, pausing: 'p', awaited: () => 'x', look: async () => (looks.push(clock.t), looks.length === 4 ? 'done' : undefined) })
    expect(got).toBe('done')
    expect(looks).toEqual([1_000, 2_000, 3_000, 4_000])
  })

  it('pauses first when asked, and follows the schedule it is given', async () => {
    const { clock, deadline, looks } = setup()
    await poll({ deadline, pauseFirst: true, delayMs: e => 500 + e, pausing: 'p', awaited: () => 'x', look: async () => (looks.push(clock.t), looks.length === 3 ? 1 : undefined) })
    // pauses of 500 (after 0 ms), 1000 (after 500), 2000 (after 1500)
    expect(looks).toEqual([1_500, 2_500, 4_500])
  })

  it('a value of 0, false or null ends the wait; only undefined goes on', async () => {
    for (const value of [0, false, null, '']) {
      const { deadline } = setup()
      expect(await poll({ deadline, pausing: 'p', awaited: () => 'x', look: async () => value })).toBe(value)
    }
  })

  it('the deadline in a pause: an error naming what was awaited, and no look after the cut pause', async () => {
    const { clock, deadline, looks } = setup(5_500)
    let seen = 'nothing yet'
    const err = await poll({ deadline, pausing: 'p', awaited: () => `waiting for it (last: ${seen})`, look: async () => (looks.push(clock.t), (seen = `look ${looks.length}`), undefined) }).catch(e => e)
    expect(err).toBeInstanceOf(DeadlineError)
    expect(err.message).toBe('Timed out after 6 s while waiting for it (last: look 6) (raise the `timeout` input if the provider needs longer)')
    expect(looks).toEqual([1_000, 2_000, 3_000, 4_000, 5_000, 6_000])
    expect(clock.t).toBe(6_500)
  })

  it('the deadline inside a look: named as awaited by default, kept as it is with lookExpiry "as is"', async () => {
    const inner = new DeadlineError('Timed out while creating sandbox "x"')
    const { deadline } = setup()
    const named = await poll({ deadline, pausing: 'p', awaited: () => 'waiting for a slot', look: async () => Promise.reject(inner) }).catch(e => e)
    expect(named.message).toMatch(/while waiting for a slot/)
    const kept = await poll({ deadline, lookExpiry: 'as is', pausing: 'p', awaited: () => 'waiting for a slot', look: async () => Promise.reject(inner) }).catch(e => e)
    expect(kept).toBe(inner)
  })

  it('any other error of a look ends the wait as it is', async () => {
    const { deadline } = setup()
    const boom = new ActionError('failed')
    expect(await poll({ deadline, pausing: 'p', awaited: () => 'x', look: async () => Promise.reject(boom) }).catch(e => e)).toBe(boom)
  })

  it('a cancel in a pause ends it at once, saying what the pause was for', async () => {
    const { controller, deadline } = setup()
    let n = 0
    const err = await poll({ deadline, pausing: () => `pause ${n}`, awaited: () => 'x', look: async () => (++n === 2 ? controller.abort() : undefined) }).catch(e => e)
    expect(err).toBeInstanceOf(CancelledError)
    expect(err.message).toBe('Cancelled while pause 2')
  })
})

describe('pollUntil', () => {
  it('gives up quietly at its end, with one last look when the last pause ends there', async () => {
    const { clock, deadline, looks } = setup()
    const got = await pollUntil({ deadline, until: 5_000, delayMs: () => 1_500, pausing: 'p', awaited: () => 'x', look: async () => void looks.push(clock.t) })
    expect(got).toBeUndefined()
    expect(looks).toEqual([1_000, 2_500, 4_000, 5_000])
  })

  it('returns what it finds before its end', async () => {
    const { deadline } = setup()
    let n = 0
    expect(await pollUntil({ deadline, until: 60_000, pausing: 'p', awaited: () => 'x', look: async () => (++n === 3 ? 'here' : undefined) })).toBe('here')
  })

  it('the step deadline before its end is still an error', async () => {
    const { deadline } = setup(3_000)
    const err = await pollUntil({ deadline, until: 60_000, pausing: 'p', awaited: () => 'looking for it', look: async () => undefined }).catch(e => e)
    expect(err).toBeInstanceOf(DeadlineError)
    expect(err.message).toMatch(/while looking for it/)
  })
})

describe('pollDelayMs', () => {
  it.each([
    [0, 1_000], [5_999, 1_000], [6_000, 2_000], [59_999, 2_000], [60_000, 5_000], [179_999, 5_000], [180_000, 12_000], [3_600_000, 12_000]
  ])('after %i ms: %i ms', (elapsed, ms) => expect(pollDelayMs(elapsed)).toBe(ms))
})

describe('Progress', () => {
  it('a line on every change, and every interval while nothing changes', () => {
    const log = listLogger()
    const p = new Progress(log, 10_000)
    const at: [number, string][] = [[0, 'a'], [1_000, 'a'], [2_000, 'b'], [11_999, 'b'], [12_000, 'b'], [12_500, 'a'], [30_000, 'a']]
    for (const [t, seen] of at) p.report(t, seen, () => `${seen}@${t}`)
    expect(log.lines).toEqual(['a@0', 'b@2000', 'b@12000', 'a@12500', 'a@30000'])
  })

  it('due() says whether a line is due and counts it as written', () => {
    const p = new Progress(listLogger(), 15_000)
    expect([p.due(0), p.due(14_999), p.due(15_000), p.due(15_001)]).toEqual([true, false, true, false])
  })
})
