// Seeded pool members end to end: the free record names the package imported since the last
// reset (`seeded=`), a lease with that package takes such a member without any import request,
// leases prefer the member that needs least work, and reseed-on-release makes the post step
// import again after its reset. Verdicts come from the emulator's own request log and title
// history, never from how long anything took.
import { describe, expect } from 'vitest'
import { ADOBE_BASE, EMULATOR_ADOBE_CLIENT_SECRET } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs, credentialRole } from '../../scripts/emulator-inputs'
import { bearerTokens } from '../harness/adobe'
import { expectMaskedEverywhere } from '../harness/secrets'
import { LEASE_ENV } from '../harness/lease'
import { toolingCalls } from './platform-helpers'

const PKG = 'pkg-seed'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 400, resetMs: 600, deleteMs: 200 }, platform: { tooling: { pendingMs: 200, runMs: 800 } } }, emu => {
  emu.platform.roles.seed(credentialRole('role-ci'))
  emu.platform.tooling.seed({ id: PKG, name: 'CI seed', artifactsList: [{ id: 'sch-orders', type: 'REGISTRY_SCHEMA', title: 'Orders' }] })
})

const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
const free = (seeded?: string): string => `lease v1 free reset=${iso(Date.now() - 60_000)}${seeded ? ` seeded=${seeded}` : ''} last=acme/other run=1.1 job=test`
const member = (name: string, title: string): void => void emu.adobe.seed({ name, type: 'development', state: 'active', title })
const env = (runId: string): Record<string, string> => ({ ...LEASE_ENV, GITHUB_RUN_ID: runId, GITHUB_JOB: 'test' })
const lease = (pool: string, extra: Record<string, string> = {}): Record<string, string> =>
  adobeInputs(emu, { operation: 'lease', pool, heartbeat: 'false', timeout: '120', ...extra })
/** accepted import submissions, and which sandbox each went to (the x-sandbox-name header) */
const imports = (): string[] => toolingCalls(emu, '/packages/import').filter(r => r.status < 300).map(r => String(r.headers['x-sandbox-name']))
const resets = (name: string) => emu.requests.filter(r => r.method === 'PUT' && r.path === `${ADOBE_BASE}/sandboxes/${name}`)
const title = (name: string): string => emu.adobe.get(name)?.title ?? ''

function ok(run: StepRun): StepRun {
  expect(run.exitCode, run.stdout + run.stderr).toBe(0)
  expectMaskedEverywhere(run, [EMULATOR_ADOBE_CLIENT_SECRET, ...bearerTokens(emu)])
  return run
}

describe('seeded pool members', () => {
  it('reseed-on-release: the post step resets, imports again under a seeding hold and writes seeded=; the next lease with that package imports nothing', async () => {
    member('ci-pool-1', free())
    const inputs = lease('ci-pool-1', { 'adobe-package-id': PKG, 'reseed-on-release': 'true' })
    const a = ok(await runStep({ inputs, env: env('9101') }))
    expect(imports()).toEqual(['ci-pool-1'])
    expect(a.summary).toContain(`\`${PKG}\` (job`)
    expect(JSON.parse(a.outputs.pool_status)).toEqual({ 'ci-pool-1': 'leased' })

    const aPost = ok(await runStep({ inputs, env: env('9101'), state: a.state }))
    expect(aPost.stdout).toContain(`Released sandbox "ci-pool-1": reset, package "${PKG}" imported again, marked free and ready`)
    expect(imports()).toEqual(['ci-pool-1', 'ci-pool-1'])
    expect(title('ci-pool-1')).toMatch(new RegExp(`^lease v1 free reset=\\S+Z seeded=${PKG} last=acme/Shop_API run=9101\\.1 job=test$`))

    // In the emulator's history: the reset, then the seeding hold, then the import, then the free record.
    const h = emu.adobe.history().filter(e => e.name === 'ci-pool-1')
    const seedingAt = h.find(e => /doing=seeding/.test(e.title ?? ''))?.time ?? -1
    const activeAgain = h.filter(e => e.from === 'resetting' && e.to === 'active').at(-1)?.time ?? -1
    const secondImport = toolingCalls(emu, '/packages/import').filter(r => r.status < 300)[1].time
    const freedAt = h.filter(e => /seeded=/.test(e.title ?? '')).at(-1)?.time ?? -1
    expect(seedingAt).toBeGreaterThan(0)
    expect(seedingAt).toBeLessThanOrEqual(secondImport)
    expect(activeAgain).toBeLessThanOrEqual(secondImport)
    expect(secondImport).toBeLessThan(freedAt)

    const b = ok(await runStep({ inputs: lease('ci-pool-1', { 'adobe-package-id': PKG }), env: env('9102') }))
    expect(imports()).toHaveLength(2)
    expect(resets('ci-pool-1')).toHaveLength(1)
    expect(b.stdout).toContain(`Package "${PKG}" was imported into sandbox "ci-pool-1" since its last reset: not imported again`)
    expect(b.summary).toContain('since the sandbox\'s last reset')
    // a release without reseed-on-release says nothing of a package: the reset empties it
    ok(await runStep({ inputs: lease('ci-pool-1', { 'adobe-package-id': PKG }), env: env('9102'), state: b.state }))
    expect(title('ci-pool-1')).toMatch(/^lease v1 free reset=\S+Z last=/)
  })

  it('picks the member that needs least work for the package it wants, and resets one seeded with another package', async () => {
    member('m-1', free(PKG))
    member('m-2', free())
    member('m-3', free('pkg-other'))
    const pool = 'm-1,m-2,m-3'
    const first = ok(await runStep({ inputs: lease(pool, { 'adobe-package-id': PKG }), env: env('9201') }))
    expect(first.outputs.sandbox_name).toBe('m-1')
    expect(JSON.parse(first.outputs.pool_status)).toEqual({ 'm-1': 'leased', 'm-2': 'seeding', 'm-3': 'resetting' })
    expect(imports()).toEqual([])
    expect(resets('m-1')).toEqual([])

    // no package wanted: the clean member, not the one seeded with another package
    const second = ok(await runStep({ inputs: lease(pool), env: env('9202') }))
    expect(second.outputs.sandbox_name).toBe('m-2')
    expect(JSON.parse(second.outputs.pool_status)).toEqual({ 'm-1': 'leased', 'm-2': 'leased', 'm-3': 'resetting' })
    expect(resets('m-2')).toEqual([])

    // only the member seeded with another package is left: reset, then the import
    const third = ok(await runStep({ inputs: lease(pool, { 'adobe-package-id': PKG }), env: env('9203') }))
    expect(third.outputs.sandbox_name).toBe('m-3')
    expect(third.stdout).toContain('Resetting "m-3" before use (it holds package "pkg-other", which this job did not ask for)')
    expect(resets('m-3')).toHaveLength(1)
    expect(imports()).toEqual(['m-3'])
    const resetAt = resets('m-3')[0].time
    expect(toolingCalls(emu, '/packages/import').find(r => r.status < 300)?.time).toBeGreaterThan(resetAt)
  })

  it('a reseed whose import fails leaves the member free but not known to be clean, and the next lease resets it', async () => {
    member('ci-pool-1', free())
    const inputs = lease('ci-pool-1', { 'adobe-package-id': PKG, 'reseed-on-release': 'true' })
    const a = ok(await runStep({ inputs, env: env('9301') }))
    emu.platform.tooling.failNext('ci-pool-1')
    const post = await runStep({ inputs, env: env('9301'), state: a.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain(`Could not import package "${PKG}" into "ci-pool-1" again after its reset`)
    expect(title('ci-pool-1')).toMatch(/^lease v1 free reset=no last=/)
    const b = ok(await runStep({ inputs: lease('ci-pool-1', { 'adobe-package-id': PKG }), env: env('9302') }))
    expect(b.stdout).toContain('Resetting "ci-pool-1" before use (not known to be clean)')
    expect(imports()).toHaveLength(3)
  })

  it('a post step cancelled while it reseeds leaves a seeding hold that lasts its cleanup budget, and no job takes the member meanwhile', async () => {
    member('ci-pool-1', free())
    member('ci-pool-2', free())
    const inputs = lease('ci-pool-1', { 'adobe-package-id': PKG, 'reseed-on-release': 'true', 'cleanup-timeout': '120' })
    const a = ok(await runStep({ inputs, env: env('9501') }))
    emu.platform.tooling.setTimings({ pendingMs: 3_600_000, runMs: 3_600_000 }) // the reseed's import never ends
    const post = await runStep({ inputs, env: env('9501'), state: a.state, signalWhen: { text: 'Import job', signal: 'SIGTERM' } })
    expect(post.stdout).toContain('Received SIGTERM')
    const held = emu.adobe.history().filter(e => e.name === 'ci-pool-1' && /doing=seeding/.test(e.title ?? '')).at(-1)
    expect(held).toBeDefined()
    // the hold covers what was left of cleanup-timeout plus the release's hold, from the emulator's time of its write
    const until = Date.parse(/until=(\S+)/.exec(title('ci-pool-1'))?.[1] ?? '')
    expect(title('ci-pool-1')).toContain('doing=seeding')
    expect(until - (held as { time: number }).time).toBeGreaterThan(60_000)
    expect(until - (held as { time: number }).time).toBeLessThanOrEqual(120_000 + 60_000 + 1000)
    // another job sees it seeding, and takes the other member
    const b = ok(await runStep({ inputs: lease('ci-pool-1,ci-pool-2', { 'if-full': 'fail' }), env: env('9502') }))
    expect(b.outputs.sandbox_name).toBe('ci-pool-2')
    expect(JSON.parse(b.outputs.pool_status)).toEqual({ 'ci-pool-1': 'seeding', 'ci-pool-2': 'leased' })
  })

  it('a member seeded with the package but whose record says no reset is not trusted', async () => {
    member('ci-pool-1', `lease v1 free reset=no seeded=${PKG} last=acme/other run=1.1 job=test`)
    ok(await runStep({ inputs: lease('ci-pool-1', { 'adobe-package-id': PKG }), env: env('9401') }))
    expect(resets('ci-pool-1')).toHaveLength(1)
    expect(imports()).toEqual(['ci-pool-1'])
  })
})
