// The licence-full wait, in process against the emulator: which refusals count as a full
// licence, the schedule between attempts, if-full: fail and wait, the progress lines that name
// who holds the slots, and the message when the step's time runs out. A virtual clock makes
// the waits instant; the requests are real.
import { describe, expect, it as plainIt } from 'vitest'
import { ActionError, CancelledError, DeadlineError, ProviderError } from '../../../../src/core/errors'
import { createWithinLicence, isLicenceFull, licencePollMs } from '../../../../src/providers/adobe/capacity'
import { emulatorPerTest } from '../../../harness/per-test'
import { inProcessStep } from '../../../harness/lease'
import { virtualClock } from '../../../harness/virtual-time'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 0, deleteMs: 0, licenseLimit: 2 } })

const refusal = (status: number, message?: string, code?: string): ProviderError =>
  new ProviderError({ provider: 'Adobe Sandbox API', action: 'create sandbox "x"', status, providerMessage: message, code })

describe('isLicenceFull', () => {
  plainIt.each([
    [400, 'the organization has reached the limit of 5 sandboxes allowed by its license', true],
    [400, 'Licence exhausted', true],
    [403, 'Quota exceeded for sandboxes', true],
    [422, 'No entitlement left', true],
    [400, 'Maximum number of sandboxes reached', true],
    [400, 'capacity reached', true],
    [400, 'no free slots available', true],
    [400, 'No more sandboxes left', true],
    [400, 'Allowance used', true],
    [400, 'rate limit exceeded for sandboxes', false],
    [400, 'rate-limit: license', false],
    [400, 'ratelimit on license calls', false],
    [400, 'no slots left', true],
    [400, 'no free slot available', true],
    [400, 'sandboxes exceeded', true],
    [400, 'Too many requests: limit', false],
    [400, 'throttled by the license server', false],
    [400, 'name is not valid', false],
    [409, 'license limit', false],
    [500, 'license limit', false],
    [429, 'license limit', false]
  ])('%i "%s" → %s', (status, message, full) => expect(isLicenceFull(refusal(status, message))).toBe(full))

  plainIt('reads the code too, and nothing that is not a provider error', () => {
    expect(isLicenceFull(refusal(400, undefined, 'SMS-LICENSE-400'))).toBe(true)
    expect(isLicenceFull(refusal(400, undefined, undefined))).toBe(false)
    expect(isLicenceFull(refusal(400, 'please retry', 'QUOTA-1'))).toBe(true)
    expect(isLicenceFull(refusal(400, 'license', 'THROTTLED'))).toBe(false)
    expect(isLicenceFull(new Error('license limit'))).toBe(false)
    expect(isLicenceFull(new ActionError('license limit'))).toBe(false)
  })
})

describe('licencePollMs', () => {
  plainIt.each([
    [0, 2000],
    [59_999, 2000],
    [60_000, 5000],
    [299_999, 5000],
    [300_000, 15_000],
    [3_600_000, 15_000]
  ])('after %i ms waiting: %i ms', (elapsed, ms) => expect(licencePollMs(elapsed)).toBe(ms))
})

/** A step with a virtual clock and `timeout` seconds; the licence holds the default sandbox and `other`. */
async function step(ifFull: 'wait' | 'fail', timeoutSeconds = 900) {
  emu.adobe.seed({ name: 'other', type: 'development', state: 'active', title: 'Team sandbox' })
  const clock = virtualClock(Date.now())
  const s = inProcessStep(emu, { 'if-full': ifFull, 'sandbox-name': 'new-box' }, { runId: 1, clock, timeoutMs: timeoutSeconds * 1000 })
  const { api } = await s.api()
  return { ...s, api, clock }
}

describe('createWithinLicence', () => {
  it('if-full: fail names Adobe\'s words and the ways out, and tries once', async () => {
    const s = await step('fail')
    const err = await createWithinLicence(s.ctx, s.api, 'new-box', 't').catch(e => e)
    expect(err).toBeInstanceOf(ActionError)
    expect(err.message).toMatch(/^The organization's sandbox licence is full \(Adobe: "Sandbox `new-box` cannot be created: the organization has reached the limit of 2 sandboxes allowed by its license\."\) and if-full is "fail": delete unused sandboxes \(operation: prune\), lease from a pool instead, or set if-full: wait$/)
    expect(emu.requests.filter(r => r.method === 'POST' && r.path.endsWith('/sandboxes'))).toHaveLength(1)
  })

  it('if-full: wait says who holds the slots, waits the schedule, and creates once a slot is free', async () => {
    const s = await step('wait')
    const waits: number[] = []
    let looks = 0
    // `random` is asked once before each pause: the third time, a slot frees up
    const random = (): number => {
      looks += 1
      waits.push(s.clock.now())
      if (looks === 3) emu.adobe.setLicenseLimit(3)
      return 0.5
    }
    const res = await createWithinLicence(s.ctx, s.api, 'new-box', 't', random)
    expect(res.status).toBe(202)
    expect(emu.adobe.get('new-box')).toBeDefined()
    // three refusals, then the create; each pause exactly the schedule's (random 0.5: no jitter)
    expect(emu.requests.filter(r => r.method === 'POST' && r.path.endsWith('/sandboxes')).map(r => r.status)).toEqual([400, 400, 400, 202])
    expect(waits[1] - waits[0]).toBe(2000)
    expect(waits[2] - waits[1]).toBe(2000)
    // one progress line (they come every 15 s), naming the development sandboxes that hold slots
    const progress = s.lines.filter(l => l.startsWith('The organization\'s sandbox licence is full'))
    expect(progress).toHaveLength(1)
    expect(progress[0]).toMatch(/^The organization's sandbox licence is full \(Adobe: ".*"\); 1 development sandbox\(es\): other \(Team sandbox\)\. Waiting for a free slot \(0 s elapsed\)$/)
  })

  it('jitters each pause by a quarter either way', async () => {
    for (const [r, expected] of [[0, 1500], [1, 2500]] as const) {
      emu.adobe.setLicenseLimit(2)
      const s = await step('wait')
      const at: number[] = []
      const random = (): number => {
        at.push(s.clock.now())
        if (at.length === 2) emu.adobe.setLicenseLimit(3)
        return r
      }
      await createWithinLicence(s.ctx, s.api, `new-box-${r}`, 't', random)
      expect(at[1] - at[0]).toBe(expected)
      await s.api.remove(`new-box-${r}`, false)
    }
  })

  it('a progress line every 15 s while it waits, each with the time waited', async () => {
    const s = await step('wait', 40)
    const err = await createWithinLicence(s.ctx, s.api, 'new-box', 't', () => 0.5).catch(e => e)
    expect(err).toBeInstanceOf(DeadlineError)
    const progress = s.lines.filter(l => l.startsWith('The organization\'s sandbox licence is full'))
    expect(progress.map(l => /\((\d+) s elapsed\)$/.exec(l)?.[1])).toEqual(['0', '16', '32'])
  })

  it('ends with the step\'s time, saying what it waited for', async () => {
    const s = await step('wait', 10)
    const err = await createWithinLicence(s.ctx, s.api, 'new-box', 't', () => 0.5).catch(e => e)
    expect(err).toBeInstanceOf(DeadlineError)
    expect(err.message).toBe('Timed out after 10 s while waiting for a free slot in the organization\'s sandbox licence to create "new-box" (raise the `timeout` input if the provider needs longer)')
    // an attempt about every 2 s of the 10
    const creates = emu.requests.filter(r => r.method === 'POST' && r.path.endsWith('/sandboxes')).length
    expect(creates).toBeGreaterThanOrEqual(5)
    expect(creates).toBeLessThanOrEqual(6)
  })

  it('progress lines come every 15 s exactly, not every 15 s and a pause', async () => {
    const s = await step('wait', 31)
    // random 1: every pause 2.5 s, so waits land on 15 s and 30 s exactly
    await createWithinLicence(s.ctx, s.api, 'new-box', 't', () => 1).catch(e => e)
    const progress = s.lines.filter(l => l.startsWith('The organization\'s sandbox licence is full'))
    expect(progress.map(l => /\((\d+) s elapsed\)$/.exec(l)?.[1])).toEqual(['0', '15', '30'])
  })

  it('names the holders of the slots: long titles cut at 80 characters, untitled ones by name alone', async () => {
    emu.adobe.seed({ name: 'long', type: 'development', state: 'active', title: 'x'.repeat(100) })
    emu.adobe.seed({ name: 'bare', type: 'development', state: 'active', title: '' })
    emu.adobe.setLicenseLimit(4)
    const s = await step('wait', 3)
    await createWithinLicence(s.ctx, s.api, 'new-box', 't', () => 0.5).catch(e => e)
    const [line] = s.lines.filter(l => l.startsWith('The organization\'s sandbox licence is full'))
    expect(line).toContain(`3 development sandbox(es): `)
    expect(line).toContain(`long (${'x'.repeat(80)})`)
    expect(line).not.toContain('x'.repeat(81))
    expect(line).toMatch(/bare(, |\. )/)
  })

  it('a licence refusal without words is quoted by its status', async () => {
    const s = await step('fail')
    emu.faults.add({ method: 'POST', path: '/data/foundation/sandbox-management/sandboxes', faults: [{ kind: 'status', status: 403, body: { error_code: 'QUOTA' } }] })
    const err = await createWithinLicence(s.ctx, s.api, 'new-box', 't').catch(e => e)
    expect(err.message).toMatch(/^The organization's sandbox licence is full \(Adobe: "HTTP 403"\)/)
  })

  it('a cancel while it waits ends it as a cancel, not as a timeout', async () => {
    const s = await step('wait')
    const err = await createWithinLicence(s.ctx, s.api, 'new-box', 't', () => {
      s.kill()
      return 0.5
    }).catch(e => e)
    expect(err).toBeInstanceOf(CancelledError)
    expect(err.message).toBe('Cancelled while waiting for a free licence slot')
  })

  it('any other refusal is not waited on', async () => {
    const s = await step('wait')
    emu.faults.add({ method: 'POST', path: '/data/foundation/sandbox-management/sandboxes', faults: [{ kind: 'status', status: 400, body: { type: 'x/SMS-1001-400', status: 400, title: 'Sandbox name is not valid.' } }] })
    const err = await createWithinLicence(s.ctx, s.api, 'new-box', 't').catch(e => e)
    expect(err).toBeInstanceOf(ProviderError)
    expect(err.message).toContain('Sandbox name is not valid.')
    expect(s.lines.filter(l => l.includes('licence is full'))).toEqual([])
  })
})
