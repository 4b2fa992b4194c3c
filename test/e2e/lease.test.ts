// Lease from a pool, end to end: the bundled action against the emulator, the post step
// releasing, concurrent claims, stale takeover, if-full for lease and create, and a cancel.
import { describe, expect } from 'vitest'
import { ADOBE_BASE, EMULATOR_ADOBE_CLIENT_SECRET, type Fault } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob, runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs } from '../../scripts/emulator-inputs'
import { bearerTokens, finishOnceSeen } from '../harness/adobe'
import { expectMaskedEverywhere } from '../harness/secrets'
import { LEASE_ENV, seedHeld, seedReady } from '../harness/lease'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 600, resetMs: 600, deleteMs: 300 } })

const env = (runId: string, extra: Record<string, string> = {}): Record<string, string> => ({ ...LEASE_ENV, GITHUB_RUN_ID: runId, GITHUB_JOB: 'test', ...extra })
const leaseInputs = (pool: string, extra: Record<string, string> = {}): Record<string, string> => adobeInputs(emu, { operation: 'lease', pool, ...extra })
const writes = (method: string, name?: string) =>
  emu.requests.filter(r => r.method === method && r.path.startsWith(ADOBE_BASE) && (name === undefined || r.path.endsWith(`/sandboxes/${name}`)))
const title = (name: string): string => emu.adobe.get(name)?.title ?? ''

function expectNoSecrets(run: StepRun): void {
  expectMaskedEverywhere(run, [EMULATOR_ADOBE_CLIENT_SECRET, ...bearerTokens(emu)])
}

/** Waits (bounded) until `cond` holds. */
async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 50))
  }
}

describe('adobe lease', () => {
  it('leases a ready pool sandbox at once, and the post step resets it and marks it free', async () => {
    seedReady(emu, 'ci-pool-1')
    seedReady(emu, 'ci-pool-2')
    const before = Date.now()
    const inputs = leaseInputs('ci-pool-1,ci-pool-2', { 'export-env': 'true' })
    const main = await runStep({ inputs, env: env('7001') })
    expect(main.exitCode, main.stdout).toBe(0)
    const name = main.outputs.sandbox_name
    expect(['ci-pool-1', 'ci-pool-2']).toContain(name)
    expect(main.outputs.sandbox_state).toBe('active')
    expect(main.outputs.created).toBe('false')
    expect(main.env.AEP_SANDBOX_NAME).toBe(name)
    expect(main.masks).toContain(main.outputs.access_token)
    // default lease-ttl: 15 min from now
    const expires = Date.parse(main.outputs.lease_expires_at)
    expect(expires - before).toBeGreaterThan(15 * 60_000 - 60_000)
    // written in the Sandbox API's time, at the latest it can be: the Date header names a whole second
    expect(expires - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 1000)
    // the record names the holder, its expiry and a nonce, and nothing else
    expect(main.outputs.sandbox_title).toMatch(/^lease v1 held until=\S+Z nonce=[0-9a-f]{16} by=acme\/Shop_API run=7001\.1 job=test$/)
    expect(title(name)).toBe(main.outputs.sandbox_title)
    expect(main.outputs.sandbox_title).toContain(`until=${main.outputs.lease_expires_at}`)
    // ready at once: no reset in the main step, and the other pool sandbox untouched
    expect(writes('PUT')).toEqual([])
    expect(writes('PATCH', name === 'ci-pool-1' ? 'ci-pool-2' : 'ci-pool-1')).toEqual([])
    expect(JSON.parse(main.state.cleanup)).toMatchObject({ provider: 'adobe', sandbox: name, action: 'release', confirmed: true })

    const post = await runStep({ inputs, env: env('7001'), state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain(`Released sandbox "${name}": reset started, marked free`)
    expect(writes('PUT', name)).toHaveLength(1)
    expect(title(name)).toMatch(/^lease v1 free reset=\S+Z last=acme\/Shop_API run=7001\.1 job=test$/)
    // while held: our record, then the reset, then the free marker
    const h = emu.adobe.leaseHistory().filter(e => e.name === name)
    const heldAt = h.findIndex(e => e.field === 'title' && e.value === main.outputs.sandbox_title)
    const resetAt = h.findIndex((e, i) => i > heldAt && e.field === 'state' && e.value === 'resetting')
    const freeAt = h.findIndex((e, i) => i > heldAt && e.field === 'title' && e.value.startsWith('lease v1 free'))
    expect(heldAt).toBeGreaterThanOrEqual(0)
    expect(resetAt).toBeGreaterThan(heldAt)
    expect(freeAt).toBeGreaterThan(resetAt)
    expect(emu.adobe.leases().find(l => l.name === name)).toMatchObject({ lease: 'free' })
    expectNoSecrets(main)
    expectNoSecrets(post)
  })

  it('prefers a ready sandbox over one that needs a reset, and resets one not known to be clean', async () => {
    emu.adobe.seed({ name: 'ci-pool-a', type: 'development', state: 'active', title: 'made by hand' })
    seedReady(emu, 'ci-pool-b')
    const first = await runStep({ inputs: leaseInputs('ci-pool-*'), env: env('7101') })
    expect(first.exitCode, first.stdout).toBe(0)
    expect(first.outputs.sandbox_name).toBe('ci-pool-b')
    expect(writes('PUT')).toEqual([])
    const second = await runStep({ inputs: leaseInputs('ci-pool-*'), env: env('7102') })
    expect(second.exitCode, second.stdout).toBe(0)
    expect(second.outputs.sandbox_name).toBe('ci-pool-a')
    expect(second.stdout).toContain('Resetting "ci-pool-a" before use (not known to be clean)')
    expect(writes('PUT', 'ci-pool-a')).toHaveLength(1)
    expect(second.outputs.sandbox_state).toBe('active')
  })

  it('two concurrent leases get different sandboxes', async () => {
    seedReady(emu, 'ci-pool-1')
    seedReady(emu, 'ci-pool-2')
    const [a, b] = await Promise.all([
      runStep({ inputs: leaseInputs('ci-pool-*'), env: env('7201') }),
      runStep({ inputs: leaseInputs('ci-pool-*'), env: env('7202') })
    ])
    expect(a.exitCode, a.stdout).toBe(0)
    expect(b.exitCode, b.stdout).toBe(0)
    expect(new Set([a.outputs.sandbox_name, b.outputs.sandbox_name]).size).toBe(2)
    // each holds what its title says
    for (const run of [a, b]) expect(title(run.outputs.sandbox_name)).toBe(run.outputs.sandbox_title)
  })

  it('takes over a lease past its expiry, resetting the sandbox first', async () => {
    seedHeld(emu, 'ci-pool-1', Date.now() - 60_000)
    const main = await runStep({ inputs: leaseInputs('ci-pool-1'), env: env('7301') })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain('The lease on "ci-pool-1" (by=acme/other run=555.1 job=build) has expired: taking it over')
    expect(writes('PUT', 'ci-pool-1')).toHaveLength(1)
    expect(main.outputs.sandbox_state).toBe('active')
    // our record replaced the dead one before the reset started
    const h = emu.adobe.leaseHistory().filter(e => e.name === 'ci-pool-1')
    const ours = h.findIndex(e => e.field === 'title' && e.value.includes('run=7301.1'))
    const reset = h.findIndex(e => e.field === 'state' && e.value === 'resetting')
    expect(ours).toBeGreaterThanOrEqual(0)
    expect(reset).toBeGreaterThan(ours)
  })

  it('if-full: fail ends at once when every pool sandbox is held, naming the holders', async () => {
    seedHeld(emu, 'ci-pool-1', Date.now() + 3600_000, '901.1')
    seedHeld(emu, 'ci-pool-2', Date.now() + 3600_000, '902.2')
    const main = await runStep({ inputs: leaseInputs('ci-pool-*', { 'if-full': 'fail' }), env: env('7401') })
    expect(main.exitCode).toBe(1)
    const error = errors(main)[0]
    expect(error).toContain('Every sandbox of the pool "ci-pool-*" is leased')
    expect(error).toContain('ci-pool-1: by=acme/other run=901.1 job=build until')
    expect(error).toContain('ci-pool-2: by=acme/other run=902.2 job=build until')
    expect(error).toContain('if-full is "fail"')
    expect([...writes('PATCH'), ...writes('PUT')]).toEqual([])
    expect(main.state.cleanup ?? '').toBe('')
  })

  it('if-full: wait waits for a release, saying who holds what, then leases the released sandbox', async () => {
    seedReady(emu, 'ci-pool-1')
    const first = await runStep({ inputs: leaseInputs('ci-pool-1'), env: env('7501') })
    expect(first.exitCode, first.stdout).toBe(0)
    // The first job releases once the waiter's own log says it is waiting: counting list
    // requests would count the first job's too (a claim it did not trust looks again).
    let sawWaiting = false
    const waiting = runStep({ inputs: leaseInputs('ci-pool-1'), env: env('7502'), timeoutMs: 120_000, onLine: line => void (sawWaiting ||= line.includes('waiting for a release')) })
    await until(() => sawWaiting, 'the waiter to say it is waiting', 90_000)
    const post = await runStep({ inputs: leaseInputs('ci-pool-1'), env: env('7501'), state: first.state })
    expect(post.exitCode).toBe(0)
    const second = await waiting
    expect(second.exitCode, second.stdout).toBe(0)
    expect(second.stdout).toMatch(/Every pool sandbox is leased \(ci-pool-1: by=acme\/Shop_API run=7501\.1 job=test until \S+\); waiting for a release/)
    expect(second.outputs.sandbox_name).toBe('ci-pool-1')
    expect(second.outputs.sandbox_state).toBe('active')
    expect(title('ci-pool-1')).toContain('run=7502.1')
    // it waited for the release's reset to finish; it did not reset again itself
    expect(writes('PUT', 'ci-pool-1')).toHaveLength(1)
  }, 120_000)

  it('a lease whose main step is cancelled is still released by its post step', async () => {
    emu.adobe.seed({ name: 'ci-pool-1', type: 'development', state: 'active', title: 'set up by hand' })
    // The reset runs until the test ends it: the cancel comes once the step has seen it running.
    emu.adobe.setTimings({ resetMs: 600_000 })
    const busy = 'Sandbox "ci-pool-1": resetting ('
    const main = await runStep({ inputs: leaseInputs('ci-pool-1'), env: env('7601'), signalWhen: { text: busy, signal: 'SIGTERM' } })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Cancelled while')
    expect(JSON.parse(main.state.cleanup)).toMatchObject({ sandbox: 'ci-pool-1', action: 'release' })
    expect(title('ci-pool-1')).toContain('run=7601.1')
    // the post step waits for the running reset; it ends once the post step has seen it
    const post = await runStep({ inputs: leaseInputs('ci-pool-1'), env: env('7601'), state: main.state, onLine: finishOnceSeen(emu, 'ci-pool-1', busy) })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('Released sandbox "ci-pool-1"')
    expect(title('ci-pool-1')).toMatch(/^lease v1 free reset=/)
    // the post step let the running reset finish, then reset again for the next job
    expect(writes('PUT', 'ci-pool-1')).toHaveLength(2)
  })

  it('the post step leaves a lease that is no longer its own', async () => {
    seedReady(emu, 'ci-pool-1')
    const main = await runStep({ inputs: leaseInputs('ci-pool-1'), env: env('7701') })
    expect(main.exitCode, main.stdout).toBe(0)
    // someone took it over (say the job outlived its lease-ttl)
    seedHeld(emu, 'ci-pool-1', Date.now() + 3600_000, '7799.1')
    const post = await runStep({ inputs: leaseInputs('ci-pool-1'), env: env('7701'), state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('is no longer this job\'s (it is held by by=acme/other run=7799.1 job=build)')
    expect(writes('PUT')).toEqual([])
    expect(title('ci-pool-1')).toContain('run=7799.1')
  })

  it('skips pool sandboxes that are being deleted or failed, says which and in what state, and leases the good one', async () => {
    const free = `lease v1 free reset=${new Date(Date.now() - 60_000).toISOString().slice(0, 19)}Z last=acme/other run=1.1 job=test`
    // going away for as long as the test runs
    emu.adobe.setTimings({ deleteMs: 600_000 })
    for (const [name, state] of [['ci-pool-a', 'cleaning'], ['ci-pool-b', 'deleting'], ['ci-pool-c', 'failed']] as const) {
      emu.adobe.seed({ name, type: 'development', state, title: free })
    }
    emu.adobe.setTimings({ deleteMs: 300 })
    seedReady(emu, 'ci-pool-d')
    const main = await runStep({ inputs: leaseInputs('ci-pool-*'), env: env('7851') })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.sandbox_name).toBe('ci-pool-d')
    expect(main.stdout).toContain('Pool sandbox "ci-pool-a" is being deleted (state cleaning): it is not leased')
    expect(main.stdout).toContain('Pool sandbox "ci-pool-b" is being deleted (state deleting): it is not leased')
    expect(main.stdout).toContain('Pool sandbox "ci-pool-c" is in state "failed" (delete it and create it again): it is not leased')
    for (const name of ['ci-pool-a', 'ci-pool-b', 'ci-pool-c']) {
      expect([...writes('PATCH', name), ...writes('PUT', name), ...writes('DELETE', name)], name).toEqual([])
      expect(title(name)).toBe(free)
    }
    // a second job finds the good one held, and says what it skipped
    const full = await runStep({ inputs: leaseInputs('ci-pool-*', { 'if-full': 'fail' }), env: env('7852') })
    expect(full.exitCode).toBe(1)
    expect(errors(full)[0]).toContain('is leased (ci-pool-d: by=acme/Shop_API run=7851.1 job=test until')
    expect(errors(full)[0]).toContain('or cannot be leased (ci-pool-a (state cleaning), ci-pool-b (state deleting), ci-pool-c (state failed))')
  })

  it('never leases the default sandbox, nor a production one without allow-production', async () => {
    emu.adobe.seed({ name: 'ci-prod', type: 'production', state: 'active', title: 'x' })
    const main = await runStep({ inputs: leaseInputs('prod,ci-prod'), env: env('7801') })
    expect(main.exitCode).toBe(1)
    expect(main.stdout).toContain('Pool sandbox "prod" is the organization\'s default sandbox, which is never leased')
    expect(main.stdout).toContain('Pool sandbox "ci-prod" is a production sandbox (set allow-production: true to lease it)')
    expect(errors(main)[0]).toContain('has no sandbox that may be leased')
    expect([...writes('PATCH'), ...writes('PUT')]).toEqual([])

    const allowed = await runStep({ inputs: leaseInputs('prod,ci-prod', { 'allow-production': 'true' }), env: env('7802') })
    expect(allowed.exitCode, allowed.stdout).toBe(0)
    expect(allowed.outputs.sandbox_name).toBe('ci-prod')
    expect(writes('PATCH', 'prod')).toEqual([])
  })

  it('cleanup: none keeps the lease until it expires', async () => {
    seedReady(emu, 'ci-pool-1')
    const { main, post } = await runJob({ inputs: leaseInputs('ci-pool-1', { cleanup: 'none', 'lease-ttl': '90m' }), env: env('7901') })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(Date.parse(main.outputs.lease_expires_at) - Date.now()).toBeGreaterThan(89 * 60_000)
    expect(post.stdout).toContain('nothing to clean up')
    expect(title('ci-pool-1')).toContain('run=7901.1')
  })
})

describe('adobe lease under faults', () => {
  const item = `${ADOBE_BASE}/sandboxes/ci-pool-1`
  const cases: [string, string, 'main' | 'post', Fault[]][] = [
    ['the claim write acted but its answer was lost', 'PATCH', 'main', [{ kind: 'drop-after' }]],
    ['the claim write answered 503', 'PATCH', 'main', [{ kind: 'status', status: 503 }]],
    ['the read-back answered 502 twice', 'GET', 'main', [{ kind: 'status', status: 502 }, { kind: 'status', status: 502 }]],
    ['the release write answered 500 after it acted', 'PATCH', 'post', [{ kind: 'status-after', status: 500 }]],
    ['the release reset answered 429', 'PUT', 'post', [{ kind: 'rate-limit', header: 'retry-after', seconds: 1 }]]
  ]
  it.each(cases)('%s: the job still leases, and the pool ends free and clean', async (_what, method, step, faults) => {
    seedReady(emu, 'ci-pool-1')
    const inputs = leaseInputs('ci-pool-1', { timeout: '40' })
    if (step === 'main') emu.faults.add({ method, path: item, faults })
    const main = await runStep({ inputs, env: env('7951'), timeoutMs: 60_000 })
    expect(main.exitCode, main.stdout).toBe(0)
    if (step === 'post') emu.faults.add({ method, path: item, faults })
    const post = await runStep({ inputs, env: env('7951'), state: main.state, timeoutMs: 60_000 })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).not.toContain('::warning::')
    expect(emu.faults.pending(), 'every injected fault was met').toBe(0)
    expect(title('ci-pool-1')).toMatch(/^lease v1 free reset=\S+Z last=acme\/Shop_API run=7951\.1 job=test$/)
  })
})

describe('adobe create when the licence is full', () => {
  it('if-full: fail fails clearly, if-full: wait names who holds the slots and creates once one frees', async () => {
    // Two slots in all: the default sandbox holds one, gh-old-run the other.
    emu.adobe.setLicenseLimit(2)
    emu.adobe.seed({ name: 'gh-old-run', type: 'development', state: 'active', title: 'left by run 1' })
    const failed = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'gh-new-run', 'if-full': 'fail' }) })
    expect(failed.exitCode).toBe(1)
    expect(errors(failed)[0]).toContain('licence is full')
    expect(errors(failed)[0]).toContain('if-full is "fail"')
    expect(emu.adobe.get('gh-new-run')).toBeUndefined()

    const waiting = runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'gh-new-run', timeout: '60' }), timeoutMs: 60_000 })
    await until(() => emu.requests.filter(r => r.method === 'POST' && r.path === `${ADOBE_BASE}/sandboxes` && r.status === 400).length >= 3, 'the create to be refused again')
    const del = await runStep({ inputs: adobeInputs(emu, { operation: 'delete', 'sandbox-name': 'gh-old-run' }) })
    expect(del.exitCode, del.stdout).toBe(0)
    const { main, post } = await waiting
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain("The organization's sandbox licence is full")
    expect(main.stdout).toContain('1 development sandbox(es): gh-old-run (left by run 1)')
    expect(main.outputs.created).toBe('true')
    expect(main.outputs.sandbox_state).toBe('active')
    expect(post.stdout).toContain('Deleted sandbox "gh-new-run"')
  })
})
