// The claim protocol (look, write, settle, read back) in process, over real HTTP to the
// emulator with random latency: one winner among racing claimants, and each way a claim is
// given up (lost to a later writer, too slow to trust, a look too old to write on).
import { describe, expect } from 'vitest'
import { ADOBE_BASE, EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_ORG_ID } from '../../../../../emulator/index'
import { emulatorPerTest } from '../../../../harness/per-test'
import { Deadline } from '../../../../../src/core/deadline'
import { ActionError } from '../../../../../src/core/errors'
import { Http } from '../../../../../src/core/http'
import { type AdobeInputs } from '../../../../../src/core/inputs'
import { readInputs } from '../../../../../src/providers/inputs'
import { hint, SandboxApi } from '../../../../../src/providers/adobe/api'
import { acquire, claim, type LeaseTiming } from '../../../../../src/providers/adobe/lease/claim'
import { formatHeld, parseLeaseTitle, slotOf } from '../../../../../src/providers/adobe/lease/record'
import type { StepContext } from '../../../../../src/core/provider'
import { Secrets } from '../../../../../src/core/secrets'
import type { Handoff } from '../../../../../src/core/handoff'
import { adobeInputs } from '../../../../../scripts/emulator-inputs'
import { seedReady } from '../../../../harness/lease'

const { emu, it } = emulatorPerTest({ latencyJitterMs: 40 })

const TIMING: LeaseTiming = { settleMs: 200, tentativeMs: 5000, holdMs: 5000, pollMs: () => 100, progressMs: 10_000 }
// For the race: a settle interval well above a busy machine's look-to-write time. A claim too
// slow to trust holds the sandbox with its tentative record, and with if-full: fail the round
// would end with no winner at all (safe, but not what this test is about).
const RACE_TIMING: LeaseTiming = { ...TIMING, settleMs: 3000, tentativeMs: 30_000 }

function claimant(runId: number, extra: Record<string, string> = {}) {
  const secrets = new Secrets(() => undefined)
  const values = adobeInputs(emu, { operation: 'lease', pool: 'ci-pool-*', 'if-full': 'fail', ...extra })
  const inputs = readInputs(n => values[n] ?? '', {}, secrets) as AdobeInputs
  const deadline = new Deadline(20_000)
  const lines: string[] = []
  const push = (m: string): void => void lines.push(m)
  const log = { info: push, notice: push, warning: push, debug: () => undefined }
  const records: (Handoff | undefined)[] = []
  const ctx: StepContext<AdobeInputs> = {
    inputs,
    deadline,
    log,
    secrets,
    run: { repository: 'acme/shop', repo: 'shop', runId, runAttempt: 1, job: 'unit', serverUrl: 'https://github.com' },
    http: (provider, h) => new Http({ provider, deadline, log, hint: h }),
    record: h => void records.push(h),
    createGraceMs: 0
  }
  const api = new SandboxApi(ctx.http('Adobe Sandbox API', hint), emu.url, { token: emu.adobe.issueToken(), apiKey: EMULATOR_ADOBE_CLIENT_ID, orgId: EMULATOR_ADOBE_ORG_ID }, deadline, log)
  return { ctx, api, lines, records }
}

const member = (name: string) => {
  const s = emu.adobe.get(name)
  return { name, sandbox: s, slot: slotOf(s ? { ...s } : undefined, Date.now(), false) }
}

describe('claim protocol', () => {
  it('of 8 claimants racing for a pool of one, exactly one holds it, in every round', async () => {
    for (let round = 0; round < 4; round++) {
      seedReady(emu, 'ci-pool-1')
      const racers = Array.from({ length: 8 }, (_, i) => claimant(100 * round + i))
      const outcomes = await Promise.allSettled(racers.map(r => acquire(r.ctx, r.api, RACE_TIMING)))
      const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [{ claim: o.value, racer: racers[i] }] : []))
      expect(winners, `round ${round}`).toHaveLength(1)
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ActionError)
      // the title ends with the winner's record, and only the winner recorded a release
      const rec = parseLeaseTitle(emu.adobe.get('ci-pool-1')?.title)
      expect(rec).toMatchObject({ kind: 'held', nonce: winners[0].claim.nonce })
      expect(racers.filter(r => r.records.length > 0)).toEqual([winners[0].racer])
    }
  })

  it('loses to a record written during its settle interval, and records nothing', async () => {
    seedReady(emu, 'ci-pool-1')
    const a = claimant(1)
    const b = claimant(2)
    // b writes once a's tentative record is there, that is during a's settle interval
    const attempt = claim(a.ctx, a.api, member('ci-pool-1'), Date.now(), RACE_TIMING)
    for (let i = 0; i < 400 && !emu.adobe.get('ci-pool-1')?.title.includes('run=1.1 job=unit'); i++) await new Promise(r => setTimeout(r, 25))
    await b.api.setTitle('ci-pool-1', formatHeld(Date.now() + 60_000, 'fedcba9876543210', 'by=acme/other run=2.1 job=x'))
    expect(await attempt).toBeUndefined()
    expect(a.lines.join('\n')).toContain('Lost the claim on "ci-pool-1" (now held by by=acme/other run=2.1 job=x)')
    expect(a.records).toEqual([])
  })

  it('does not trust a write answered a settle interval or more after its look', async () => {
    seedReady(emu, 'ci-pool-1')
    emu.faults.add({ method: 'PATCH', path: `${ADOBE_BASE}/sandboxes/ci-pool-1`, faults: [{ kind: 'delay', ms: 300 }] })
    const a = claimant(1)
    expect(await claim(a.ctx, a.api, member('ci-pool-1'), Date.now(), TIMING)).toBeUndefined()
    expect(a.lines.join('\n')).toMatch(/took \d+ ms from look to write, not under the 200 ms settle interval: not trusted/)
    expect(a.records).toEqual([])
    // its tentative record is left to expire by itself, soon (not at the lease-ttl, 6 h)
    const rec = parseLeaseTitle(emu.adobe.get('ci-pool-1')?.title)
    expect(rec.kind).toBe('held')
    const patched = emu.requests.find(r => r.method === 'PATCH')?.time ?? 0
    if (rec.kind === 'held') expect(rec.until - patched).toBeLessThan(60_000)
  })

  it('looks again at a sandbox whose last look is older than half the settle interval', async () => {
    seedReady(emu, 'ci-pool-1')
    const a = claimant(1)
    const m = member('ci-pool-1')
    // meanwhile another job took it
    emu.adobe.seed({ name: 'ci-pool-1', type: 'development', state: 'active', title: formatHeld(Date.now() + 60_000, 'fedcba9876543210', 'by=x run=9.1 job=y') })
    emu.clearLog()
    expect(await claim(a.ctx, a.api, m, Date.now() - 1000, TIMING)).toBeUndefined()
    expect(emu.requests.map(r => r.method)).toEqual(['GET'])
  })

  it('a won claim records its release before writing the full expiry', async () => {
    seedReady(emu, 'ci-pool-1')
    const a = claimant(1, { 'lease-ttl': '2h' })
    // a settle interval that a loaded machine's look-to-write time stays under, as in the race
    const before = Date.now()
    const won = await claim(a.ctx, a.api, member('ci-pool-1'), Date.now(), RACE_TIMING)
    expect(won?.nonce).toMatch(/^[0-9a-f]{16}$/)
    expect(a.records).toEqual([{ provider: 'adobe', sandbox: 'ci-pool-1', action: 'release', lease: won?.nonce, confirmed: true }])
    expect(parseLeaseTitle(emu.adobe.get('ci-pool-1')?.title)).toMatchObject({ kind: 'held', nonce: won?.nonce })
    // lease-ttl after the claim, in the server's time (to the whole second)
    expect((won?.until ?? 0) - before).toBeGreaterThanOrEqual(2 * 3600_000 - 1000)
    // the last two titles: the tentative record, then the full expiry, both with its nonce
    const titles = emu.adobe.leaseHistory().filter(e => e.field === 'title' && e.name === 'ci-pool-1').map(e => parseLeaseTitle(e.value))
    const [tentative, full] = titles.slice(-2)
    expect(tentative).toMatchObject({ kind: 'held', nonce: won?.nonce })
    expect(full).toMatchObject({ kind: 'held', nonce: won?.nonce, until: won?.until })
    if (tentative.kind === 'held') expect(tentative.until).toBeLessThan(won?.until ?? 0)
  })
})
