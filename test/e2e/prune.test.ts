// Prune at fleet scale: hundreds of sandboxes across several pages; only the stale
// development ones with the prefix go, with a bounded number of deletions in flight.
import { describe, expect } from 'vitest'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runStep } from '../../scripts/local-runner'
import { bearerTokens, callsWithoutSandboxHeader, liveSandboxes } from '../harness/adobe'
import { adobeInputs } from '../../scripts/emulator-inputs'
import { expectMaskedEverywhere } from '../harness/secrets'

const DAY = 86_400
interface Member {
  name: string
  ageSeconds: number
  type?: 'development' | 'production'
  state?: 'active' | 'failed' | 'deleted'
  stale: boolean
}
const series = (n: number, make: (i: number) => Member): Member[] => Array.from({ length: n }, (_, i) => make(i))
/** the fleet every test starts with, and which of it prune should delete */
const FLEET: Member[] = [
  ...series(120, i => ({ name: `gh-ci-stale-${i}`, ageSeconds: 3 * DAY + i, stale: true })),
  ...series(10, i => ({ name: `gh-ci-failed-${i}`, ageSeconds: 2 * DAY, state: 'failed', stale: true })),
  ...series(60, i => ({ name: `gh-ci-young-${i}`, ageSeconds: 3600 + i, stale: false })),
  ...series(60, i => ({ name: `team-old-${i}`, ageSeconds: 10 * DAY, stale: false })),
  ...series(30, i => ({ name: `gh-ci-prodlike-${i}`, ageSeconds: 10 * DAY, type: 'production', stale: false })),
  ...series(30, i => ({ name: `gh-ci-gone-${i}`, ageSeconds: 10 * DAY, state: 'deleted', stale: false }))
]
const stale = FLEET.filter(m => m.stale).map(m => m.name).sort()
const kept = FLEET.filter(m => !m.stale).map(m => m.name)

// A little latency so that deletions overlap and the concurrency bound is really tested.
const { emu, it } = emulatorPerTest({ latencyMs: 5, adobe: { licenseLimit: 10_000 } }, emu => {
  for (const m of FLEET) emu.adobe.seed({ name: m.name, ageSeconds: m.ageSeconds, type: m.type ?? 'development', state: m.state ?? 'active' })
})

const pruneInputs = (extra: Record<string, string> = {}): Record<string, string> =>
  adobeInputs(emu, { operation: 'prune', 'prune-prefix': 'gh-ci-', 'prune-older-than': '24h', ...extra })

function live(): Set<string> {
  return new Set(liveSandboxes(emu))
}

describe('adobe prune', () => {
  it('deletes exactly the stale sandboxes with the prefix, across pages, with at most 5 deletions in flight', async () => {
    expect(emu.adobe.sandboxes().length).toBeGreaterThanOrEqual(300)
    const main = await runStep({ inputs: pruneInputs() })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(JSON.parse(main.outputs.pruned)).toEqual(stale)

    const now = live()
    for (const name of stale) expect(now.has(name), name).toBe(false)
    for (const name of kept.filter(n => !n.startsWith('gh-ci-gone-'))) expect(now.has(name), name).toBe(true)
    expect(now.has(emu.adobe.defaultName())).toBe(true)

    const deletes = emu.requests.filter(r => r.method === 'DELETE')
    expect(deletes.map(r => r.path.split('/').pop()).sort()).toEqual(stale)
    const inFlight = emu.stats.maxInFlightByRoute['DELETE /sandboxes/{name}']
    expect(inFlight).toBeGreaterThan(1)
    expect(inFlight).toBeLessThanOrEqual(5)

    // every page asked with limit and offset together; the offsets follow the page size the
    // server used (its cap), not the one asked for
    const pages = emu.requests.filter(r => r.method === 'GET' && r.path.endsWith('/sandboxes'))
    const cap = emu.adobe.strictness().pageCap as number
    expect(pages.length).toBe(Math.ceil(emu.adobe.sandboxes().length / cap))
    for (const [i, p] of pages.entries()) expect(p.query.offset).toBe(String(i * cap))
    for (const p of pages) expect(Number(p.query.limit)).toBeGreaterThan(cap)
    expect(callsWithoutSandboxHeader(emu)).toEqual([])

    expect(main.summary).toContain('| Deleted | 130 |')
    expect(main.summary).toContain('`gh-ci-stale-0`')
    expectMaskedEverywhere(main, ['emulator-client-secret', ...bearerTokens(emu)])
  })

  it('dry-run lists the same sandboxes and deletes nothing', async () => {
    const main = await runStep({ inputs: pruneInputs({ 'dry-run': 'true' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(JSON.parse(main.outputs.pruned)).toEqual(stale)
    expect(emu.requests.filter(r => r.method !== 'GET' && !r.path.startsWith('/ims'))).toEqual([])
    expect(main.summary).toContain('Would delete (dry run)')
    for (const name of stale) expect(live().has(name)).toBe(true)
  })

  it('a sandbox that cannot be deleted does not stop the rest, and fails the step at the end with the list', async () => {
    emu.adobe.block('gh-ci-stale-7', 2074)
    const main = await runStep({ inputs: pruneInputs() })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    expect(error).toContain('Prune could not delete 1 sandbox')
    expect(error).toContain('gh-ci-stale-7')
    expect(JSON.parse(main.outputs.pruned)).toEqual(stale.filter(n => n !== 'gh-ci-stale-7'))
    expect(live().has('gh-ci-stale-7')).toBe(true)
    expect(stale.filter(n => live().has(n))).toEqual(['gh-ci-stale-7'])
  })

  it('respects the age given in minutes: older ones go, younger ones stay', async () => {
    for (let i = 0; i < 5; i++) emu.adobe.seed({ name: `gh-ci-minutes-${i}`, type: 'development', state: 'active', ageSeconds: 20 * 60 })
    // 30m: the 60-minute-old ones are past it, the 20-minute-old ones are not
    const thirty = await runStep({ inputs: pruneInputs({ 'prune-older-than': '30m', 'dry-run': 'true' }) })
    const pruned30 = JSON.parse(thirty.outputs.pruned) as string[]
    expect(pruned30.filter(n => n.startsWith('gh-ci-young-'))).toHaveLength(60)
    expect(pruned30.filter(n => n.startsWith('gh-ci-minutes-'))).toEqual([])
    // 90m: now the 60-minute-old ones are too young, and the days-old ones still go
    const ninety = await runStep({ inputs: pruneInputs({ 'prune-older-than': '90m', 'dry-run': 'true' }) })
    const pruned90 = JSON.parse(ninety.outputs.pruned) as string[]
    expect(pruned90.filter(n => n.startsWith('gh-ci-young-'))).toEqual([])
    expect(pruned90).toEqual(stale)
  })
})
