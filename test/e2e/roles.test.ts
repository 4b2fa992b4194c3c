// adobe-role-id end to end: the bundled action adds the sandbox to access-control roles once
// it is active, and the post step takes it out again before deleting the sandbox. Against the
// emulator in both modes: `spec` (as strict as Adobe's access-control.yaml: one
// {op, path, value} with a string value, anything else 422) and `docs` (the docs'
// `{"operations": [ … ]}`, a single object 400). The request log says which forms were sent.
import { describe, expect } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_SECRET, ROLES_BASE, type Emulator, type FaultRule } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob, runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs, credentialRole } from '../../scripts/emulator-inputs'
import { bearerTokens, expectOnlyLive } from '../harness/adobe'
import { readSchemas } from '../../scripts/later-step'
import { expectMaskedEverywhere } from '../harness/secrets'
import { expectNoInjectedCommands, MODES, patchOp, rolePatches, sandboxApiCalls } from './platform-helpers'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 400, resetMs: 400, deleteMs: 200, licenseLimit: 20 } }, emu => {
  emu.platform.roles.seed(credentialRole('role-ci'))
  emu.platform.roles.seed(credentialRole('role-qa', ['prod', 'qa-shared']))
})

const roleOf = (id: string): string[] => emu.platform.roles.get(id)?.sandboxes ?? []
const roleCalls = (e: Emulator = emu) => e.requests.filter(r => r.path.startsWith(`${ROLES_BASE}/roles/`))
const ROLE_CI = `${ROLES_BASE}/roles/role-ci`

function expectNoSecrets(run: StepRun): void {
  expectMaskedEverywhere(run, [EMULATOR_ADOBE_CLIENT_SECRET, ...bearerTokens(emu)])
}

/** What the action sends, by mode: the OpenAPI's form first; in docs mode the docs' form after one shape refusal, kept for the rest of the step. */
const FORMS = {
  spec: (writes: number) => Array.from({ length: writes }, () => 'spec 200'),
  docs: (writes: number) => ['spec 400', ...Array.from({ length: writes }, () => 'docs 200')]
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

  it.each(MODES)('%s mode: create grants the sandbox to every role in the form the server takes, and the post step revokes before deleting', async mode => {
    emu.platform.setMode(mode)
    const inputs = adobeInputs(emu, { 'sandbox-name': 'granted-box', 'adobe-role-id': 'role-ci, role-qa' })
    const main = await runStep({ inputs })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(roleOf('role-ci')).toEqual(['prod', 'granted-box'])
    expect(roleOf('role-qa')).toEqual(['prod', 'qa-shared', 'granted-box'])
    expect(main.stdout).toContain('Added sandbox "granted-box" to role "role-ci" (CI role-ci): confirmed by reading the role back')
    expect(main.summary).toContain('| Roles granted | `role-ci`, `role-qa` |')
    expect(JSON.parse(main.state.cleanup)).toMatchObject({ sandbox: 'granted-box', action: 'delete', roles: ['role-ci', 'role-qa'] })
    // the OpenAPI's form first; in docs mode one refusal, then the docs' form for the rest of the step; never a third form
    expect(rolePatches(emu)).toEqual(FORMS[mode](2))
    const patches = roleCalls().filter(r => r.method === 'PATCH')
    expect(JSON.parse(patches[0].body)).toEqual({ op: 'add', path: '/sandboxes', value: 'granted-box' })
    if (mode === 'docs') {
      expect(patches[0].status).toBe(400)
      expect(JSON.parse(patches[1].body)).toEqual({ operations: [{ op: 'add', path: '/sandboxes', value: 'granted-box' }] })
      expect(main.stdout).toContain("was refused for its body shape (HTTP 400: Request body must be an object with an `operations` array")
    } else {
      expect(main.stdout).not.toContain('refused for its body shape')
    }
    // both roles checked before anything else; then each read right before its change, and read back after it
    const calls = roleCalls().map(r => `${r.method} ${r.path.split('/').pop()}`)
    const firstSandboxCall = emu.requests.findIndex(r => r.path.startsWith('/data/foundation/sandbox-management'))
    expect(emu.requests.slice(0, firstSandboxCall).filter(r => r.path.startsWith(ROLES_BASE)).map(r => `${r.method} ${r.path.split('/').pop()}`)).toEqual(['GET role-ci', 'GET role-qa'])
    const writes = (id: string) => (mode === 'docs' && id === 'role-ci' ? ['PATCH role-ci', 'PATCH role-ci'] : [`PATCH ${id}`])
    expect(calls).toEqual(['GET role-ci', 'GET role-qa', 'GET role-ci', ...writes('role-ci'), 'GET role-ci', 'GET role-qa', ...writes('role-qa'), 'GET role-qa'])
    expect((await readSchemas(emu, main.outputs.access_token, 'granted-box')).status).toBe(200)

    const before = emu.requests.length
    const post = await runStep({ inputs, state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('Removed sandbox "granted-box" from role "role-ci"')
    expect(post.stdout).toContain('Deleted sandbox "granted-box"')
    // a new step: the OpenAPI's form first again
    expect(rolePatches(emu, before)).toEqual(FORMS[mode](2))
    const removes = emu.requests.slice(before).filter(r => r.method === 'PATCH' && r.status === 200)
    expect(removes.map(patchOp)).toEqual([
      { op: 'remove', path: '/sandboxes', value: 'granted-box' },
      { op: 'remove', path: '/sandboxes', value: 'granted-box' }
    ])
    const order = emu.requests.slice(before).filter(r => r.method === 'PATCH' || r.method === 'DELETE').map(r => r.method)
    expect(order[order.length - 1]).toBe('DELETE')
    expect(order.filter(m => m === 'DELETE')).toHaveLength(1)
    expect(roleOf('role-ci')).toEqual(['prod'])
    expect(roleOf('role-qa')).toEqual(['prod', 'qa-shared'])
    expectNoSecrets(main)
    expectNoSecrets(post)
    expectOnlyLive(emu)
  })

  it.each(MODES)('%s mode: a role that holds only "prod" gets one add, no read-modify-write, no extra writes', async mode => {
    emu.platform.setMode(mode)
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'one-add', 'adobe-role-id': 'role-ci' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    const mainPatches = rolePatches(emu).slice(0, FORMS[mode](1).length)
    expect(mainPatches).toEqual(FORMS[mode](1))
    expect(roleCalls().filter(r => r.method === 'PATCH' && r.status === 200).map(patchOp)[0]).toEqual({ op: 'add', path: '/sandboxes', value: 'one-add' })
    expect(main.stdout).not.toMatch(/read-modify-write|putting them back|put back|another writer/)
    expect(emu.platform.roles.patchCount()).toBe(2) // the add, and the post step's remove
    expect(post.stdout).toContain('Removed sandbox "one-add" from role "role-ci"')
    expect(roleOf('role-ci')).toEqual(['prod'])
    expectOnlyLive(emu)
  })

  it('a read-back that does not show the add yet is read again, not written again', async () => {
    const stale = { id: 'role-ci', name: 'CI role-ci', sandboxes: ['prod'] }
    // the check before the slot, the read before the add, then one stale read-back
    emu.faults.add({ method: 'GET', path: ROLE_CI, faults: ['pass', 'pass', { kind: 'wrong-shape', body: stale }] })
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'lagging', 'adobe-role-id': 'role-ci' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(rolePatches(emu)).toEqual(['spec 200', 'spec 200'])
    expect(roleCalls().filter(r => r.method === 'GET').map(r => r.fault ?? 'real').slice(0, 4)).toEqual(['real', 'real', 'wrong-shape', 'real'])
    expect(main.stdout).not.toMatch(/read-modify-write|put back|another writer/)
    expect(roleOf('role-ci')).toEqual(['prod'])
    expectOnlyLive(emu)
  })

  it('an add the role never shows, while nothing else in it changes, fails without blaming other writers and without more writes', async () => {
    const stale = { id: 'role-ci', name: 'CI role-ci', sandboxes: ['prod'] }
    emu.faults.add({ method: 'GET', path: ROLE_CI, faults: ['pass', 'pass', ...Array.from({ length: 3 }, () => ({ kind: 'wrong-shape' as const, body: stale }))] })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'never-shown', 'adobe-role-id': 'role-ci' }) })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    expect(error).toContain('Role "role-ci": the change adding sandbox "never-shown" was accepted, but the role read back 3 times still does not list it, and nothing else in it changed')
    expect(main.stdout).not.toMatch(/other (jobs|writers)|another writer|putting back|read-modify-write/)
    // one add only in the main step; the post step takes it out again
    expect(roleCalls().filter(r => r.method === 'PATCH').map(r => (patchOp(r) as { op: string }).op)).toEqual(['add', 'remove'])
    expect(post.stdout).toContain('Removed sandbox "never-shown" from role "role-ci"')
    expect(roleOf('role-ci')).toEqual(['prod'])
    expectOnlyLive(emu)
  })

  it('docs mode, where add replaces the list: the dropped names are put back by read-modify-write, and named', async () => {
    emu.platform.setMode('docs')
    emu.platform.roles.setAddReplaces(true)
    // a name put back must be a sandbox the service knows
    emu.adobe.seed({ name: 'qa-shared', state: 'active' })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'rmw-box', 'adobe-role-id': 'role-qa' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain('Role "role-qa": adding sandbox "rmw-box" replaced the role\'s list of sandboxes and dropped "prod", "qa-shared"; putting them back')
    expect(main.stdout).toContain('Role "role-qa": put back "prod", "qa-shared", and sandbox "rmw-box" is in it')
    const ops = roleCalls().filter(r => r.method === 'PATCH' && r.status === 200).map(patchOp)
    expect(ops.slice(0, 2)).toEqual([
      { op: 'add', path: '/sandboxes', value: 'rmw-box' },
      { op: 'replace', path: '/sandboxes', value: ['rmw-box', 'prod', 'qa-shared'] }
    ])
    expect(rolePatches(emu).every(p => p.startsWith('spec 400') || p.startsWith('docs'))).toBe(true)
    expect(post.stdout).toContain('Removed sandbox "rmw-box" from role "role-qa"')
    expect([...roleOf('role-qa')].sort()).toEqual(['prod', 'qa-shared'])
    expectOnlyLive(emu, ['qa-shared'])
  })

  it('spec mode, where add replaces the list: the replace is refused in both forms, and the step says which names to put back by hand', async () => {
    emu.platform.roles.setAddReplaces(true)
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'lost-names', 'adobe-role-id': 'role-qa' }) })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    expect(error).toContain('Role "role-qa": adding sandbox "lost-names" replaced the role\'s whole list of sandboxes and dropped "prod", "qa-shared"')
    expect(error).toContain('which the service refused in both body forms')
    expect(error).toContain('body.value: must be string')
    expect(error).toContain('Put "prod", "qa-shared" back into role "role-qa" by hand')
    expect(error).not.toMatch(/other (jobs|writers)/)
    // the add, then the replace in the OpenAPI's form and in the docs' form: no third form
    expect(rolePatches(emu).slice(0, 3)).toEqual(['spec 200', 'spec 422', 'docs 422'])
    expect(post.stdout).toContain('Removed sandbox "lost-names" from role "role-qa"')
    expectOnlyLive(emu)
  })

  it.each([
    ['a sandbox the service does not know', 400, { type: 'http://ns.adobe.com/aep/errors/ACS-1410-400', status: 400, title: 'Sandbox `x` not found.' }, 'HTTP 400 ACS-1410-400: Sandbox `x` not found.'],
    ['a refusal with no text', 422, '', 'HTTP 422'],
    ['a permission refusal', 403, { error_code: '403003', message: 'Api Key is invalid' }, 'HTTP 403 403003: Api Key is invalid']
  ])('%s is not a shape refusal: no other form is tried, and nothing is left behind', async (_kind, status, body, text) => {
    emu.faults.add({ method: 'PATCH', path: ROLE_CI, faults: [{ kind: 'status', status, body }] })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'not-shape', 'adobe-role-id': 'role-ci' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain(`Adobe Access Control API: add sandbox "not-shape" to role "role-ci" failed: ${text}`)
    expect(rolePatches(emu)[0]).toBe(`spec ${status}`)
    expect(rolePatches(emu)).toHaveLength(1)
    expect(post.stdout).toContain('Role "role-ci" no longer includes sandbox "not-shape": nothing to remove')
    expect(roleOf('role-ci')).toEqual(['prod'])
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

  it('a credential not allowed to manage roles gets a 403 naming what it needs, before any sandbox exists', async () => {
    emu.platform.roles.deny('emulator-client-id')
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'denied-box', 'adobe-role-id': 'role-ci' }) })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    expect(error).toContain('read role "role-ci" (adobe-role-id) failed: HTTP 403')
    expect(error).toContain('org admin')
    expect(sandboxApiCalls(emu)).toEqual([])
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
    emu.faults.add({ method: 'PATCH', path: ROLE_CI, faults: [{ kind: 'status', status: 403, body: { error_code: '403003', message: 'Api Key is invalid' } }] })
    const post = await runStep({ inputs, state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toMatch(/::warning::Could not remove sandbox "sticky-grant" from role "role-ci": .*HTTP 403.*Remove it by hand/)
    expect(post.stdout).toContain('Deleted sandbox "sticky-grant"')
    expectOnlyLive(emu)
  })

  it('a role change whose answer was lost is repeated harmlessly and still confirmed', async () => {
    // the PATCH acts and then answers 502; its repeat acts again (the same add); the read-back confirms
    emu.faults.add({ method: 'PATCH', path: ROLE_CI, faults: [{ kind: 'status-after', status: 502 }, 'pass', { kind: 'drop-after' }] })
    const inputs = adobeInputs(emu, { 'sandbox-name': 'lossy-grant', 'adobe-role-id': 'role-ci' })
    const main = await runStep({ inputs })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(roleOf('role-ci')).toEqual(['prod', 'lossy-grant'])
    expect(rolePatches(emu)).toEqual(['spec 502', 'spec 200'])
    // the revoke's answer is lost too: repeated, and the role is as it was
    const post = await runStep({ inputs, state: main.state })
    expect(post.exitCode, post.stdout).toBe(0)
    expect(post.stdout).toContain('Removed sandbox "lossy-grant" from role "role-ci"')
    expect(rolePatches(emu).slice(2)).toEqual(['spec 0', 'spec 200'])
    expect(roleOf('role-ci')).toEqual(['prod'])
    expectOnlyLive(emu)
  })

  it('text from the roles API cannot start a workflow command: role names, and refusals of the body', async () => {
    emu.platform.roles.seed({ ...credentialRole('role-odd'), name: 'Odd\n::error::injected' })
    const ok = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'odd-name', 'adobe-role-id': 'role-odd' }) })
    expect(ok.exitCode, ok.stdout).toBe(0)
    expect(ok.stdout).toContain('(Odd : :error: :injected)')
    expectNoInjectedCommands(ok, 'injected')

    // docs mode: the OpenAPI's form is refused (here with a body full of commands), the docs' form goes through
    emu.platform.setMode('docs')
    const refusal = { title: 'Invalid\n::set-env name=X::injected', status: 422, validation: [{ location: ['body'], message: 'bad\n::error::injected' }] }
    emu.faults.add({ method: 'PATCH', path: `${ROLES_BASE}/roles/role-odd`, faults: [{ kind: 'status', status: 422, body: refusal }] })
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'odd-refusal', 'adobe-role-id': 'role-odd' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain('was refused for its body shape (HTTP 422: Invalid ::set-env name=X::injected: body: bad ::error::injected)')
    expectNoInjectedCommands(main, 'injected')
    // a refusal in both forms ends in an error annotation: its text cannot start a command either
    emu.platform.setMode('spec')
    emu.faults.add({ method: 'PATCH', path: `${ROLES_BASE}/roles/role-odd`, faults: [{ kind: 'status', status: 422, body: refusal }] })
    const both = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'odd-both', 'adobe-role-id': 'role-odd' }) })
    expect(both.main.exitCode).toBe(1)
    expect(errors(both.main)[0]).toContain('refused the body in both forms')
    expectNoInjectedCommands(both.main, 'injected')
    expectNoInjectedCommands(both.post, 'injected')
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

describe('faults at each step of a grant', () => {
  type Step = 'the check before the slot' | 'the read before the add' | 'the PATCH' | 'the read-back'
  // Which request of its kind (in order) each step is, for role-ci.
  const AT: Record<Step, { method: string; nth: number }> = {
    'the check before the slot': { method: 'GET', nth: 1 },
    'the read before the add': { method: 'GET', nth: 2 },
    'the PATCH': { method: 'PATCH', nth: 1 },
    'the read-back': { method: 'GET', nth: 3 }
  }
  type Kind = '503' | 'dropped connection' | '403' | 'unreadable answer'
  const FAULT: Record<Kind, FaultRule['faults'][number]> = {
    '503': { kind: 'status', status: 503 },
    'dropped connection': { kind: 'drop-before' },
    '403': { kind: 'status', status: 403, body: { error_code: '403003', message: 'Api Key is invalid' } },
    'unreadable answer': { kind: 'html', status: 200, body: '<html><body>Gateway says hello</body></html>', act: true }
  }
  // What the step ends with: retried faults pass; a refusal or an answer that cannot be read
  // fails it, except the PATCH's own answer, which the read-back confirms.
  const outcome = (step: Step, kind: Kind): 'succeeds' | 'fails' => (kind === '503' || kind === 'dropped connection' || (step === 'the PATCH' && kind === 'unreadable answer') ? 'succeeds' : 'fails')
  const cases = (Object.keys(AT) as Step[]).flatMap(step => (Object.keys(FAULT) as Kind[]).map(kind => [step, kind, outcome(step, kind)] as const))

  it.each(cases)('%s, %s: the step %s, and the post step leaves the role and the licence as they were', async (step, kind, expected) => {
    const { method, nth } = AT[step]
    emu.faults.add({ method, path: ROLE_CI, faults: [...Array.from({ length: nth - 1 }, () => 'pass' as const), FAULT[kind]] })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'faulty-grant', 'adobe-role-id': 'role-ci' }) })
    expect(main.exitCode, main.stdout).toBe(expected === 'succeeds' ? 0 : 1)
    if (expected === 'fails') {
      const [error] = errors(main)
      expect(error).toMatch(kind === '403' ? /HTTP 403 403003: Api Key is invalid/ : /role "role-ci" \(adobe-role-id\) has no readable list of sandboxes/)
      // a failed check costs no slot: no sandbox was asked for
      if (step === 'the check before the slot') expect(sandboxApiCalls(emu)).toEqual([])
    } else {
      expect(main.stdout).toContain('Added sandbox "faulty-grant" to role "role-ci"')
    }
    expect(post.exitCode, post.stdout).toBe(0)
    expect(roleOf('role-ci')).toEqual(['prod'])
    expectOnlyLive(emu)
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
    expect(rolePatches(emu).filter(p => p.startsWith('other'))).toEqual([])
    expectOnlyLive(emu)
    return mains
  }

  // One scenario at a time: ten jobs at once is the load these are about, not twenty, and a
  // read-modify-write can only be confirmed, never made atomic (no If-Match on roles).
  it.serial(`${N} jobs at once, each adding its own sandbox: all end up in the role, and all leave it`, async () => {
    const mains = await tenJobs('many')
    expect(mains.some(m => /read-modify-write/.test(m.stdout))).toBe(false)
  }, 240_000)

  it.serial(`${N} jobs at once in docs mode where add replaces the list: read-modify-write, confirmed, still all end up in it`, async () => {
    emu.platform.setMode('docs')
    emu.platform.roles.setAddReplaces(true)
    const mains = await tenJobs('rmw')
    expect(mains.some(m => m.stdout.includes('putting them back by read-modify-write'))).toBe(true)
  }, 240_000)
})
