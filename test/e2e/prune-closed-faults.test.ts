// prune-closed under GitHub's faults, as a family: every fault on each kind of lookup (a pull
// request, a workflow run). A fault GitHub recovers from changes nothing; one it does not
// keeps the sandbox whose fate it would decide, says so, and fails the step, while the other
// kind of lookup still decides for its own sandbox. Never a delete on an unknown.
import { describe, expect } from 'vitest'
import { isLive, type Fault } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { defaultSandboxTitle, type Lifetime } from '../../src/core/naming'
import { errors, runStep } from '../../scripts/local-runner'
import { adobeInputs, githubEnv } from '../../scripts/emulator-inputs'
import { expectMaskedEverywhere } from '../harness/secrets'

const REPO = 'acme/Shop_API'
const TOKEN = 'ghs_emulatorToken0123456789abcdefXYZ'
const { emu, it } = emulatorPerTest({ adobe: { licenseLimit: 100, deleteMs: 100 } })

const title = (lifetime: Lifetime, runId: number, prNumber?: number): string =>
  defaultSandboxTitle({ repository: REPO, repo: 'Shop_API', runId, runAttempt: 1, prNumber, serverUrl: 'https://github.com' }, lifetime)

/** Two young sandboxes that only GitHub can doom: one for closed PR #11, one for finished run 501. */
function seedPair(): void {
  emu.github.addToken({ token: TOKEN, repositories: [REPO], permissions: { pull_requests: 'read', actions: 'read' } })
  emu.github.seedPull({ repository: REPO, number: 11, state: 'closed' })
  emu.github.seedRun({ repository: REPO, id: 501, status: 'completed' })
  emu.adobe.seed({ name: 'gh-shop-pr', title: title('pr', 400, 11), ageSeconds: 3600, type: 'development', state: 'active' })
  emu.adobe.seed({ name: 'gh-shop-run', title: title('run', 501, 12), ageSeconds: 3600, type: 'development', state: 'active' })
}

const LOOKUPS = [
  ['a pull request', `/api/v3/repos/${REPO}/pulls/11`, 'gh-shop-pr', 'gh-shop-run'],
  ['a workflow run', `/api/v3/repos/${REPO}/actions/runs/501`, 'gh-shop-run', 'gh-shop-pr']
] as const

const inputs = (): Record<string, string> => adobeInputs(emu, { operation: 'prune', 'prune-prefix': 'gh-shop-', 'prune-closed': 'true', 'github-token': TOKEN })

// Faults GitHub recovers from: the lookup is asked again and decides as usual.
const PASSING: [string, Fault[]][] = [
  ['502 then an answer', [{ kind: 'status', status: 502 }]],
  ['503 twice then an answer', [{ kind: 'status', status: 503 }, { kind: 'status', status: 503 }]],
  ['a dropped connection then an answer', [{ kind: 'drop-before' }]],
  ['429 with retry-after', [{ kind: 'rate-limit', header: 'retry-after', seconds: 1 }]],
  ['a secondary limit (403 with retry-after)', [{ kind: 'status', status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit.' } }]],
  ['a primary limit (403, x-ratelimit-remaining: 0) that resets in 2 s', [{ kind: 'rate-limit', header: 'x-ratelimit-reset', seconds: 2, body: { message: 'API rate limit exceeded' } }]]
]

// Faults that never clear: GitHub never says, so the sandbox stays.
const KEEPING: [string, Fault][] = [
  ['404 (not found, or not visible to the token)', { kind: 'status', status: 404, body: { message: 'Not Found' } }],
  ['a proxy\'s HTML page with 200', { kind: 'html' }],
  ['JSON without the state', { kind: 'wrong-shape', body: { url: 'https://api.github.com/x', id: 1 } }],
  ['a 422 GitHub gives for nothing in particular', { kind: 'status', status: 422, body: { message: 'Validation Failed' } }]
]

describe('prune-closed under GitHub faults', () => {
  const passing = LOOKUPS.flatMap(([kind, path, doomed, other]) => PASSING.map(([fault, faults]) => [fault, kind, path, doomed, other, faults] as const))
  it.each(passing)('%s on %s: asked again, and decides as usual', async (_fault, _kind, path, doomed, other, faults) => {
    seedPair()
    emu.faults.add({ method: 'GET', path, faults })
    const main = await runStep({ inputs: inputs(), env: githubEnv(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(emu.faults.pending()).toBe(0)
    expect(JSON.parse(main.outputs.pruned)).toEqual([doomed, other].sort())
    expect(isLive(emu.adobe.get(doomed))).toBe(false)
    expectMaskedEverywhere(main, [TOKEN])
  })

  const keeping = LOOKUPS.flatMap(([kind, path, doomed, other]) => KEEPING.map(([fault, f]) => [fault, kind, path, doomed, other, f] as const))
  it.each(keeping)('%s on %s: the sandbox it decides is kept and reported; the other is still decided', async (_fault, _kind, path, doomed, other, fault) => {
    seedPair()
    emu.faults.add({ method: 'GET', path, faults: [fault], repeatLast: true })
    const main = await runStep({ inputs: inputs(), env: githubEnv(emu) })
    emu.faults.clear()
    expect(main.exitCode).toBe(1)
    expect(JSON.parse(main.outputs.pruned)).toEqual([other])
    expect(isLive(emu.adobe.get(doomed)), 'never a delete on an unknown').toBe(true)
    expect(emu.requests.filter(r => r.method === 'DELETE').map(r => r.path.split('/').at(-1))).toEqual([other])
    expect(main.stdout).toContain(`Keeping sandbox "${doomed}": GitHub did not say whether it may go`)
    expect(errors(main)[0]).toContain('prune-closed kept the sandboxes GitHub did not answer for')
    expectMaskedEverywhere(main, [TOKEN])
  })
})
