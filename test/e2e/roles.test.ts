// adobe-role-id end to end: the bundled action adds the sandbox to access-control roles once
// it is active, and the post step takes it out again before deleting the sandbox.
import { describe, expect } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_SECRET, ROLES_BASE } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob, runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs, credentialRole } from '../../scripts/emulator-inputs'
import { bearerTokens, expectOnlyLive } from '../harness/adobe'
import { readSchemas } from '../../scripts/later-step'
import { expectMaskedEverywhere } from '../harness/secrets'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 400, resetMs: 400, deleteMs: 200, licenseLimit: 20 } }, emu => {
  emu.platform.roles.seed(credentialRole('role-ci'))
  emu.platform.roles.seed(credentialRole('role-qa', ['prod', 'qa-shared']))
})

const roleOf = (id: string): string[] => emu.platform.roles.get(id)?.sandboxes ?? []
const patches = () => emu.requests.filter(r => r.method === 'PATCH' && r.path.startsWith(`${ROLES_BASE}/roles/`))

function expectNoSecrets(run: StepRun): void {
  expectMaskedEverywhere(run, [EMULATOR_ADOBE_CLIENT_SECRET, ...bearerTokens(emu)])
}

describe('adobe-role-id', () => {
  it('without a role grant a later read of the new sandbox is refused; with one it succeeds', async () => {
    const plain = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'no-grant' }) })
    expect(plain.exitCode, plain.stdout).toBe(0)
    expect((await readSchemas(emu, plain.outputs.access_token, 'no-grant')).status).toBe(403)

    const granted = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'with-grant', 'adobe-role-id': 'role-ci' }) })
    expect(granted.exitCode, granted.stdout).toBe(0)
    expect((await readSchemas(emu, granted.outputs.access_token, 'with-grant')).status).toBe(200)
  })

  it('create grants the sandbox to every role, confirms it, and the post step revokes before deleting', async () => {
    const inputs = adobeInputs(emu, { 'sandbox-name': 'granted-box', 'adobe-role-id': 'role-ci, role-qa' })
    const main = await runStep({ inputs })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(roleOf('role-ci')).toEqual(['prod', 'granted-box'])
    expect(roleOf('role-qa')).toEqual(['prod', 'qa-shared', 'granted-box'])
    expect(main.stdout).toContain('Added sandbox "granted-box" to role "role-ci" (CI role-ci): confirmed by reading the role back')
    expect(main.summary).toContain('| Roles granted | `role-ci`, `role-qa` |')
    expect(JSON.parse(main.state.cleanup)).toMatchObject({ sandbox: 'granted-box', action: 'delete', roles: ['role-ci', 'role-qa'] })
    // the documented body: an object with an `operations` array, adding one name
    expect(JSON.parse(patches()[0].body)).toEqual({ operations: [{ op: 'add', path: '/sandboxes', value: 'granted-box' }] })
    // each PATCH is followed by a read of the same role
    const roleCalls = emu.requests.filter(r => r.path.startsWith(`${ROLES_BASE}/roles/`)).map(r => `${r.method} ${r.path.split('/').pop()}`)
    expect(roleCalls).toEqual(['GET role-ci', 'GET role-qa', 'PATCH role-ci', 'GET role-ci', 'PATCH role-qa', 'GET role-qa'])
    expect((await readSchemas(emu, main.outputs.access_token, 'granted-box')).status).toBe(200)

    const post = await runStep({ inputs, state: main.state })

    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('Removed sandbox "granted-box" from role "role-ci"')
    expect(post.stdout).toContain('Deleted sandbox "granted-box"')
    const order = emu.requests.filter(r => r.method === 'PATCH' || r.method === 'DELETE').map(r => r.method)
    expect(order).toEqual(['PATCH', 'PATCH', 'PATCH', 'PATCH', 'DELETE'])
    expect(roleOf('role-ci')).toEqual(['prod'])
    expect(roleOf('role-qa')).toEqual(['prod', 'qa-shared'])
    expectNoSecrets(main)
    expectNoSecrets(post)
    expectOnlyLive(emu)
  })

  it('an unknown role fails the step before any role changes, and the post step deletes the sandbox', async () => {
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'bad-role', 'adobe-role-id': 'role-ci,no-such-role' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Role "no-such-role" (adobe-role-id) does not exist (HTTP 404)')
    expect(patches()).toEqual([])
    expect(roleOf('role-ci')).toEqual(['prod'])
    expect(post.stdout).toContain('Deleted sandbox "bad-role"')
    expectOnlyLive(emu)
  })

  it('a grant refused half-way is undone: the role already granted is revoked, the sandbox deleted', async () => {
    emu.faults.add({ method: 'PATCH', path: `${ROLES_BASE}/roles/role-qa`, faults: [{ kind: 'status', status: 403, body: { error_code: '403003', message: 'Api Key is invalid' } }] })
    const inputs = adobeInputs(emu, { 'sandbox-name': 'half-granted', 'adobe-role-id': 'role-ci,role-qa' })
    const main = await runStep({ inputs })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Adobe Access Control API: add sandbox "half-granted" to role "role-qa" failed: HTTP 403')
    expect(roleOf('role-ci')).toContain('half-granted')
    const post = await runStep({ inputs, state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('Removed sandbox "half-granted" from role "role-ci"')
    expect(post.stdout).toContain('Role "role-qa" no longer includes sandbox "half-granted": nothing to remove')
    expect(roleOf('role-ci')).toEqual(['prod'])
    expectOnlyLive(emu)
  })

  it('a credential not allowed to manage roles gets a 403 naming what it needs', async () => {
    emu.platform.roles.deny('emulator-client-id')
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'denied-box', 'adobe-role-id': 'role-ci' }) })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    expect(error).toContain('read role "role-ci" failed: HTTP 403')
    expect(error).toContain('org admin')
    expectOnlyLive(emu)
  })

  it('falls back to the bare body on a 400 that names the shape, and keeps it for the revoke', async () => {
    emu.platform.roles.setPatchBody('bare')
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'bare-body', 'adobe-role-id': 'role-ci' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain('refused for its body shape')
    const bodies = patches().map(r => ({ status: r.status, body: JSON.parse(r.body) as unknown }))
    expect(bodies[0]).toEqual({ status: 400, body: { operations: [{ op: 'add', path: '/sandboxes', value: 'bare-body' }] } })
    expect(bodies[1]).toEqual({ status: 200, body: [{ op: 'add', path: '/sandboxes', value: 'bare-body' }] })
    expect(post.exitCode).toBe(0)
    expect(roleOf('role-ci')).toEqual(['prod'])
    expectOnlyLive(emu)
  })

  it('a sandbox someone already took out of the role is fine for the post step', async () => {
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'taken-out', 'adobe-role-id': 'role-ci' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    emu.platform.roles.seed(credentialRole('role-ci'))
    const post = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'taken-out', 'adobe-role-id': 'role-ci' }), state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('Role "role-ci" no longer includes sandbox "taken-out": nothing to remove')
    expect(post.stdout).toContain('Deleted sandbox "taken-out"')
    expectOnlyLive(emu)
  })

  it('a revoke that fails is a warning naming the role, and the sandbox is still deleted', async () => {
    const inputs = adobeInputs(emu, { 'sandbox-name': 'sticky-grant', 'adobe-role-id': 'role-ci' })
    const main = await runStep({ inputs })
    expect(main.exitCode, main.stdout).toBe(0)
    emu.faults.add({ method: 'PATCH', path: `${ROLES_BASE}/roles/role-ci`, faults: [{ kind: 'status', status: 403, body: { error_code: '403003', message: 'Api Key is invalid' } }] })
    const post = await runStep({ inputs, state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toMatch(/::warning::Could not remove sandbox "sticky-grant" from role "role-ci": .*HTTP 403.*Remove it by hand/)
    expect(post.stdout).toContain('Deleted sandbox "sticky-grant"')
    expectOnlyLive(emu)
  })

  it('a role change whose answer was lost is repeated harmlessly and still confirmed', async () => {
    const path = `${ROLES_BASE}/roles/role-ci`
    emu.faults.add({ method: 'GET', path, faults: [{ kind: 'status', status: 503 }] })
    emu.faults.add({ method: 'PATCH', path, faults: [{ kind: 'status-after', status: 502 }, 'pass', { kind: 'drop-after' }] })
    const inputs = adobeInputs(emu, { 'sandbox-name': 'lossy-grant', 'adobe-role-id': 'role-ci' })
    const main = await runStep({ inputs })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(roleOf('role-ci')).toEqual(['prod', 'lossy-grant'])
    expect(patches().map(r => r.status)).toEqual([502, 200])
    const post = await runStep({ inputs, state: main.state })
    expect(post.exitCode, post.stdout).toBe(0)
    expect(post.stdout).toContain('Removed sandbox "lossy-grant" from role "role-ci"')
    expect(roleOf('role-ci')).toEqual(['prod'])
    expectOnlyLive(emu)
  })

  it('text from the roles API cannot start a workflow command', async () => {
    emu.platform.roles.seed({ ...credentialRole('role-odd'), name: 'Odd\n::error::injected' })
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'odd-name', 'adobe-role-id': 'role-odd' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain('(Odd : :error: :injected)')
    expect(main.stdout.split('\n').filter(l => l.startsWith('::error'))).toEqual([])
  })

  it('a reused sandbox is granted but keeps its grant: the post step changes nothing', async () => {
    emu.adobe.seed({ name: 'shared-box', state: 'active' })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'shared-box', 'adobe-role-id': 'role-ci' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.created).toBe('false')
    expect(post.stdout).toContain('nothing to clean up')
    expect(roleOf('role-ci')).toEqual(['prod', 'shared-box'])
  })
})

describe('concurrent grants to one role', () => {
  const N = 10
  async function tenJobs(prefix: string): Promise<StepRun[]> {
    const names = Array.from({ length: N }, (_, i) => `${prefix}-${i}`)
    const mains = await Promise.all(names.map(name => runStep({ inputs: adobeInputs(emu, { 'sandbox-name': name, 'adobe-role-id': 'role-ci' }), timeoutMs: 120_000 })))
    for (const m of mains) expect(m.exitCode, m.stdout).toBe(0)
    expect([...roleOf('role-ci')].sort()).toEqual(['prod', ...names].sort())
    const posts = await Promise.all(
      names.map((name, i) => runStep({ inputs: adobeInputs(emu, { 'sandbox-name': name, 'adobe-role-id': 'role-ci' }), state: mains[i].state, timeoutMs: 120_000 }))
    )
    for (const p of posts) expect(p.exitCode, p.stdout).toBe(0)
    expect(roleOf('role-ci')).toEqual(['prod'])
    expectOnlyLive(emu)
    return mains
  }

  // One scenario at a time: ten jobs at once is the load these are about, not twenty, and a
  // read-modify-write can only be confirmed, never made atomic (no If-Match on roles).
  it.serial(`${N} jobs at once, each adding its own sandbox: all end up in the role, and all leave it`, async () => {
    await tenJobs('many')
  }, 240_000)

  it.serial(`${N} jobs at once where add replaces the list: read-modify-write, confirmed, still all end up in it`, async () => {
    emu.platform.roles.setAddReplaces(true)
    const mains = await tenJobs('rmw')
    expect(mains.some(m => m.stdout.includes('switching to read-modify-write'))).toBe(true)
  }, 240_000)
})
