// operation: get, end to end: a later job's credentials and record for an existing sandbox,
// changing nothing and leaving nothing for the post step.
import { describe, expect } from 'vitest'
import { ADOBE_BASE, EMULATOR_ADOBE_CLIENT_SECRET } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob, runStep } from '../../scripts/local-runner'
import { adobeInputs } from '../../scripts/emulator-inputs'
import { bearerTokens, finishOnceSeen } from '../harness/adobe'
import { expectMaskedEverywhere } from '../harness/secrets'
import { LEASE_ENV, seedHeld, seedReady } from '../harness/lease'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 600, resetMs: 600, deleteMs: 300 } })

const changes = () => emu.requests.filter(r => r.path.startsWith(ADOBE_BASE) && r.method !== 'GET')

describe('adobe get', () => {
  it("gives a later job the leased sandbox's record and a masked token, and changes nothing", async () => {
    seedReady(emu, 'ci-pool-1')
    const lease = await runStep({ inputs: adobeInputs(emu, { operation: 'lease', pool: 'ci-pool-1' }), env: { ...LEASE_ENV, GITHUB_RUN_ID: '6001' } })
    expect(lease.exitCode, lease.stdout).toBe(0)
    const before = emu.adobe.get('ci-pool-1')
    emu.clearLog()

    // the next job knows only the name (a job output); it fetches credentials again
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { operation: 'get', 'sandbox-name': lease.outputs.sandbox_name, 'export-env': 'true' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.sandbox_name).toBe('ci-pool-1')
    expect(main.outputs.sandbox_state).toBe('active')
    expect(main.outputs.sandbox_type).toBe('development')
    expect(main.outputs.sandbox_title).toBe(lease.outputs.sandbox_title)
    expect(main.outputs.created).toBe('false')
    expect(main.outputs.lease_expires_at).toBe(lease.outputs.lease_expires_at)
    expect(main.outputs.access_token).not.toBe('')
    expect(main.masks).toContain(main.outputs.access_token)
    expect(main.env.AEP_ACCESS_TOKEN).toBe(main.outputs.access_token)
    expectMaskedEverywhere(main, [EMULATOR_ADOBE_CLIENT_SECRET, ...bearerTokens(emu)])
    // nothing changed, nothing recorded
    expect(changes()).toEqual([])
    expect(emu.adobe.get('ci-pool-1')).toEqual(before)
    expect(main.state.cleanup ?? '').toBe('')
    expect(post.stdout).toContain('nothing to clean up')
  })

  it('waits while the sandbox is resetting, then answers', async () => {
    // Busy for far longer than any step start; it ends once the step says it is waiting.
    emu.adobe.setTimings({ resetMs: 60_000 })
    emu.adobe.seed({ name: 'shared-box', type: 'development', state: 'resetting' })
    const waiting = 'Sandbox "shared-box" is resetting: waiting until it is active'
    const main = await runStep({ inputs: adobeInputs(emu, { operation: 'get', 'sandbox-name': 'shared-box' }), onLine: finishOnceSeen(emu, 'shared-box', waiting) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain(waiting)
    expect(main.outputs.sandbox_state).toBe('active')
    expect(main.outputs.lease_expires_at).toBeUndefined()
    expect(changes()).toEqual([])
  })

  it('says when a pool sandbox is not leased, or its lease has expired', async () => {
    seedReady(emu, 'ci-pool-2')
    seedHeld(emu, 'ci-pool-3', Date.now() - 1000)
    const free = await runStep({ inputs: adobeInputs(emu, { operation: 'get', 'sandbox-name': 'ci-pool-2' }) })
    expect(free.exitCode).toBe(0)
    expect(free.stdout).toContain('is a free pool sandbox: another job may lease and reset it at any time')
    const expired = await runStep({ inputs: adobeInputs(emu, { operation: 'get', 'sandbox-name': 'ci-pool-3' }) })
    expect(expired.exitCode).toBe(0)
    expect(expired.stdout).toMatch(/The lease on "ci-pool-3" expired at \S+Z: another job may take it over/)
    expect(changes()).toEqual([])
  })

  it('refuses a missing, a failed, the default or (without allow-production) a production sandbox', async () => {
    emu.adobe.seed({ name: 'broken-box', type: 'development', state: 'failed' })
    emu.adobe.seed({ name: 'prod-two', type: 'production', state: 'active' })
    const cases: [string, string][] = [
      ['no-such-box', 'does not exist'],
      ['broken-box', 'is in state "failed"'],
      ['prod', "it is the organization's default sandbox"],
      ['prod-two', 'Set allow-production: true']
    ]
    for (const [name, why] of cases) {
      const run = await runStep({ inputs: adobeInputs(emu, { operation: 'get', 'sandbox-name': name }) })
      expect(run.exitCode, name).toBe(1)
      expect(errors(run)[0]).toContain(why)
      expect(run.outputs.access_token).toBeUndefined()
    }
    const allowed = await runStep({ inputs: adobeInputs(emu, { operation: 'get', 'sandbox-name': 'prod-two', 'allow-production': 'true' }) })
    expect(allowed.exitCode).toBe(0)
    expect(allowed.outputs.sandbox_type).toBe('production')
    expect(changes()).toEqual([])
  })
})
