// Prune run in process (so a mutant of prune.ts is seen) against the emulator over real HTTP:
// what it deletes, what a dry run reports, and how a sandbox that cannot be deleted is told.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_CLIENT_SECRET, EMULATOR_ADOBE_ORG_ID, startEmulator, type Emulator } from '../../../../../emulator/index'
import { systemClock } from '../../../../../src/core/deadline'
import { type AdobeInputs } from '../../../../../src/core/inputs'
import { readInputs } from '../../../../../src/providers/inputs'
import type { Logger } from '../../../../../src/core/log'
import { connect } from '../../../../../src/providers/adobe/ops/common'
import { prune, PRUNE_CONCURRENCY } from '../../../../../src/providers/adobe/ops/prune'
import { Secrets } from '../../../../../src/core/secrets'
import { createContext } from '../../../../../src/core/context'
import type { StepDeps } from '../../../../../src/runner/step'
import type { StepContext, StepResult } from '../../../../../src/core/provider'

const DAY = 86_400
let emu: Emulator
beforeEach(async () => {
  emu = await startEmulator({ latencyMs: 5, adobe: { licenseLimit: 1000, deleteMs: 100 } })
})
afterEach(async () => emu?.close())

async function runPrune(extra: Record<string, string> = {}): Promise<{ result: StepResult; lines: string[] }> {
  const lines: string[] = []
  const log: Logger = { info: m => void lines.push(m), notice: m => void lines.push(m), warning: m => void lines.push(`warning: ${m}`), debug: () => undefined }
  const values: Record<string, string> = {
    provider: 'adobe',
    operation: 'prune',
    'prune-prefix': 'gh-',
    'prune-older-than': '24h',
    'adobe-client-id': EMULATOR_ADOBE_CLIENT_ID,
    'adobe-client-secret': EMULATOR_ADOBE_CLIENT_SECRET,
    'adobe-org-id': EMULATOR_ADOBE_ORG_ID,
    'adobe-ims-url': emu.url,
    'adobe-platform-url': emu.url,
    timeout: '60',
    ...extra
  }
  const secrets = new Secrets(() => undefined)
  const inputs = readInputs(name => values[name] ?? '', {}, secrets)
  const deps = {
    env: {},
    clock: systemClock,
    signal: new AbortController().signal,
    run: () => ({ repository: 'acme/shop', repo: 'shop', runId: 1, serverUrl: 'https://github.com' }),
    state: { get: () => '', save: () => undefined }
  } as unknown as StepDeps
  const ctx = createContext(deps, inputs, secrets, log) as StepContext<AdobeInputs>
  const api = await connect(ctx)
  return { result: await prune(ctx, api, api.token), lines }
}

function seed(names: string[], ageSeconds: number): void {
  for (const name of names) emu.adobe.seed({ name, type: 'development', state: 'active', ageSeconds })
}
const live = (): string[] => emu.adobe.sandboxes().filter(s => s.state === 'active').map(s => s.name)

describe('prune, run in process', () => {
  it('deletes the stale ones, keeps the rest, and reports what it did in outputs and summary', async () => {
    const stale = Array.from({ length: 12 }, (_, i) => `gh-old-${String(i).padStart(2, '0')}`)
    // listed in another order than by name: the output is sorted all the same
    seed([...stale].reverse(), 3 * DAY)
    seed(['gh-young', 'team-old'], 60)
    emu.adobe.seed({ name: 'team-older', type: 'development', state: 'active', ageSeconds: 9 * DAY })
    const { result, lines } = await runPrune()
    expect(JSON.parse(result.outputs.pruned)).toEqual(stale)
    expect(result.outputs.created).toBe('false')
    expect(result.outputs.access_token).toBeTruthy()
    expect(result.env.AEP_ACCESS_TOKEN).toBe(result.outputs.access_token)
    expect(result.failure).toBeUndefined()
    expect(live().sort()).toEqual([emu.adobe.defaultName(), 'gh-young', 'team-old', 'team-older'].sort())
    const rows = Object.fromEntries(result.summary)
    expect(rows.Prefix).toBe('`gh-`')
    expect(rows['Older than']).toBe(`${DAY} s`)
    expect(rows.Listed).toBe(String(emu.adobe.sandboxes().length))
    expect(rows.Deleted).toBe(String(stale.length))
    expect(rows.Failed).toBeUndefined()
    expect(rows['Post step will']).toBe('do nothing')
    expect(result.summaryList).toEqual({ heading: 'Deleted', items: stale })
    expect(lines.find(l => l.startsWith('Prune:'))).toMatch(new RegExp(`${emu.adobe.sandboxes().length} sandboxes listed, ${stale.length} `))
    for (const name of stale) expect(lines.some(l => l.startsWith(`Deleted sandbox "${name}"`))).toBe(true)
    // at most the stated number of deletions at once, and more than one
    const inFlight = emu.stats.maxInFlightByRoute['DELETE /sandboxes/{name}']
    expect(inFlight).toBeGreaterThan(1)
    expect(inFlight).toBeLessThanOrEqual(PRUNE_CONCURRENCY)
  })

  it('a dry run deletes nothing and lists what it would delete', async () => {
    seed(['gh-a', 'gh-b'], 3 * DAY)
    const { result, lines } = await runPrune({ 'dry-run': 'true' })
    expect(JSON.parse(result.outputs.pruned)).toEqual(['gh-a', 'gh-b'])
    expect(emu.requests.filter(r => r.method === 'DELETE')).toEqual([])
    expect(Object.fromEntries(result.summary)['Would delete']).toBe('2')
    expect(result.summaryList?.heading).toBe('Would delete (dry run)')
    expect(lines.filter(l => l.includes('(dry run)'))).toHaveLength(2)
    expect(live()).toContain('gh-a')
  })

  it('a sandbox that cannot be deleted is reported at the end, the others still go', async () => {
    seed(['gh-a', 'gh-b', 'gh-c', 'gh-d'], 3 * DAY)
    emu.adobe.block('gh-b', 2074)
    emu.adobe.block('gh-d', 2075)
    const { result, lines } = await runPrune()
    expect(JSON.parse(result.outputs.pruned)).toEqual(['gh-a', 'gh-c'])
    const failure = (result.failure ?? '').split('\n')
    expect(failure[0]).toBe('Prune could not delete 2 sandbox(es):')
    expect(failure.slice(1).sort()).toEqual([expect.stringMatching(/^gh-b: .*SMS-2074-400/), expect.stringMatching(/^gh-d: .*SMS-2075-400/)])
    expect(Object.fromEntries(result.summary).Failed).toBe('2')
    expect(lines.some(l => l.startsWith('warning: Could not delete sandbox "gh-b"'))).toBe(true)
    expect(live()).toContain('gh-b')
  })

  it('nothing stale: nothing deleted, and no failure', async () => {
    seed(['gh-young'], 60)
    const { result } = await runPrune()
    expect(JSON.parse(result.outputs.pruned)).toEqual([])
    expect(result.failure).toBeUndefined()
    expect(emu.requests.filter(r => r.method === 'DELETE')).toEqual([])
  })
})
