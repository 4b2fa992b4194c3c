// Odd rate-limit answers against the bundled action: Retry-After values that are zero,
// negative, in the past, unreadable or absurdly large are clamped (at least 1 s after a 429,
// at most a minute, half of what is left of `timeout` when that is less), so the step neither
// storms the provider nor gives up at once. Attempts are counted from the emulator's log.
import { describe, expect } from 'vitest'
import { type Fault } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { runStep } from '../../scripts/local-runner'
import { trackstarInputs } from '../../scripts/emulator-inputs'
import { expectMaskedEverywhere } from '../harness/secrets'
import { EMULATOR_TRACKSTAR_API_KEY } from '../../emulator/index'

const GENERATE = '/sandbox/generate-sandbox/wms'

const { emu, it } = emulatorPerTest()

/** Arrival times (emulator clock, ms) of each generate attempt. */
function attempts(): number[] {
  return emu.requests.filter(r => r.method === 'POST' && r.path === GENERATE).map(r => r.time)
}

function gaps(at: number[]): number[] {
  return at.slice(1).map((t, i) => t - at[i])
}

/** Most attempts that arrived within any one second. */
function peakPerSecond(at: number[]): number {
  return Math.max(...at.map(t => at.filter(u => u >= t && u < t + 1000).length))
}

const pastDate = new Date(Date.now() - 3_600_000).toUTCString()
const pastEpoch = String(Math.floor(Date.now() / 1000) - 3600)

// [what the 429 says, its headers]
const ODD_429: [string, Record<string, string>][] = [
  ['Retry-After: 0', { 'retry-after': '0' }],
  ['Retry-After: -5', { 'retry-after': '-5' }],
  ['Retry-After: a date an hour ago (clock skew)', { 'retry-after': pastDate }],
  ['Retry-After: soon', { 'retry-after': 'soon' }],
  ['x-ratelimit-reset an hour ago', { 'x-ratelimit-reset': pastEpoch }],
  ['no header at all', {}]
]

describe('odd Retry-After values', () => {
  it.each(ODD_429)('a 429 with %s is retried at most once a second, then succeeds', async (_case, headers) => {
    const fault: Fault = { kind: 'status', status: 429, headers, body: { error: 'Too many requests', origin: 'trackstar' } }
    emu.faults.add({ method: 'POST', path: GENERATE, faults: [fault, fault, fault] })
    const main = await runStep({ inputs: trackstarInputs(emu, { cleanup: 'none', timeout: '30' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    const at = attempts()
    expect(at).toHaveLength(4)
    // At least the 1 s floor between attempts (a little slack for timer rounding).
    for (const gap of gaps(at)) expect(gap).toBeGreaterThanOrEqual(950)
    expect(peakPerSecond(at)).toBe(1)
    expect(main.stdout.split('\n').filter(l => /HTTP 429 Too many requests.*retrying in \d+\.\d s/.test(l))).toHaveLength(3)
  })

  it('the emulator\'s rate-limit fault with Retry-After 0 waits the 1 s floor too', async () => {
    emu.faults.add({ method: 'POST', path: GENERATE, faults: [{ kind: 'rate-limit', header: 'retry-after', seconds: 0 }, { kind: 'rate-limit', header: 'x-rate-limit-retry-after', seconds: 0 }] })
    const main = await runStep({ inputs: trackstarInputs(emu, { cleanup: 'none' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    for (const gap of gaps(attempts())) expect(gap).toBeGreaterThanOrEqual(950)
  })

  it('a 503 that asks for no wait at all is retried at most four times a second', async () => {
    const fault: Fault = { kind: 'status', status: 503, headers: { 'retry-after': '0' } }
    emu.faults.add({ method: 'POST', path: GENERATE, faults: [fault, fault, fault, fault, fault] })
    const main = await runStep({ inputs: trackstarInputs(emu, { cleanup: 'none', timeout: '30' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    const at = attempts()
    expect(at).toHaveLength(6)
    for (const gap of gaps(at)) expect(gap).toBeGreaterThanOrEqual(240)
    expect(peakPerSecond(at)).toBeLessThanOrEqual(4)
  })

  it('an absurdly large Retry-After does not end the step: a capped retry comes halfway through what is left', async () => {
    emu.faults.add({ method: 'POST', path: GENERATE, faults: [{ kind: 'status', status: 429, headers: { 'retry-after': '99999999999' } }] })
    const main = await runStep({ inputs: trackstarInputs(emu, { cleanup: 'none', timeout: '6' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toMatch(/HTTP 429 .*retrying in \d\.\d s \(60\.0 s asked; less is left of `timeout`\) \(attempt 2 of at most 8\)/)
    // Half of what was left of the 6 s at most, and waited in full (on the emulator's clock).
    const [wait] = retryWaits(main)
    expect(wait).toBeLessThanOrEqual(3)
    const [gap] = gaps(attempts())
    expect(gap).toBeGreaterThanOrEqual(wait * 1000 - 50)
    expect(gap).toBeLessThan(6_000)
    expectMaskedEverywhere(main, [EMULATOR_TRACKSTAR_API_KEY])
  })

  it('a Retry-After date years ahead is capped at a minute, and a short timeout still gets its retry', async () => {
    const future = new Date(Date.now() + 5 * 365 * 86_400_000).toUTCString()
    emu.faults.add({ method: 'POST', path: GENERATE, faults: [{ kind: 'rate-limit', header: 'retry-after', seconds: 10 ** 9 }, { kind: 'status', status: 429, headers: { 'retry-after': future } }] })
    const main = await runStep({ inputs: trackstarInputs(emu, { cleanup: 'none', verify: 'false', timeout: '12' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    const at = attempts()
    expect(at).toHaveLength(3)
    // Each ask was capped at a minute, then cut to half of what was left of the 12 s.
    const waits = retryWaits(main)
    expect(main.stdout.split('\n').filter(l => l.includes('(60.0 s asked; less is left of `timeout`)'))).toHaveLength(2)
    expect(waits[0]).toBeLessThanOrEqual(6)
    expect(waits[1]).toBeLessThanOrEqual((12 - waits[0]) / 2)
    // On the emulator's clock, the attempts took less than the step's 12 s, however slow its start.
    expect(at[2] - at[0]).toBeLessThan(12_000)
    for (const gap of gaps(at)) expect(gap).toBeGreaterThanOrEqual(950)
  })

  it('a provider that keeps asking for too long ends the step within its timeout, saying what it asked', async () => {
    const fault: Fault = { kind: 'status', status: 429, headers: { 'retry-after': '3600' }, body: { error: 'Too many requests', origin: 'trackstar' } }
    emu.faults.add({ method: 'POST', path: GENERATE, faults: Array.from({ length: 8 }, () => fault) })
    const main = await runStep({ inputs: trackstarInputs(emu, { cleanup: 'none', timeout: '4' }) })
    emu.faults.clear()
    expect(main.exitCode).toBe(1)
    expect(main.stdout).toMatch(/::error[^:]*::Trackstar: generate wms sandbox failed: HTTP 429: Too many requests \(request id [0-9a-f-]+\)\. The provider asked to wait 3600 s before retrying; only \d\.\d s of `timeout` are left/)
    const at = attempts()
    expect(at.length).toBeGreaterThanOrEqual(2)
    // Every attempt was answered 429: the step gave up, it was not let through.
    expect(emu.requests.filter(r => r.path === GENERATE).map(r => r.status)).toEqual(at.map(() => 429))
    // The waits it announced halve what is left, so together they stay inside the 4 s ...
    const waits = retryWaits(main)
    expect(waits).toHaveLength(at.length - 1)
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThan(4)
    // ... and on the emulator's clock, first attempt to last, so did the attempts.
    expect(at[at.length - 1] - at[0]).toBeLessThan(4_000)
  })
})

/** The waits (s) that the step's retry lines announced, in order. */
function retryWaits(run: { stdout: string }): number[] {
  return run.stdout.split('\n').flatMap(l => {
    const m = /retrying in (\d+\.\d) s/.exec(l)
    return m ? [Number(m[1])] : []
  })
}
