// Roles, the seed package and the checks before a slot, in process against the emulator in
// both of its modes (`spec`: Adobe's OpenAPI; `docs`: the prose docs' forms): what is sent, in
// which order, what the step says, and every error word for word. The end-to-end tests run the
// same through the bundle; these see every branch.
import { describe, expect } from 'vitest'
import { PLATFORM_MODES, ROLES_BASE, TOOLING_BASE, type Emulator } from '../../../../../emulator/index'
import { ActionError, DeadlineError, ProviderError } from '../../../../../src/core/errors'
import { importable, jobErrors } from '../../../../../src/providers/adobe/ready/packages'
import { preflight } from '../../../../../src/providers/adobe/ready/preflight'
import { prepareSandbox, revokeRoles, rolesApi } from '../../../../../src/providers/adobe/ready/prepare'
import { credentialRole } from '../../../../../scripts/emulator-inputs'
import { emulatorPerTest } from '../../../../harness/per-test'
import { inProcessStep } from '../../../../harness/lease'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 0, licenseLimit: 50 } }, e => {
  e.platform.roles.seed(credentialRole('role-ci'))
  e.platform.roles.seed(credentialRole('role-qa', ['prod', 'qa-shared']))
  e.adobe.seed({ name: 'box', type: 'development', state: 'active' })
  e.adobe.seed({ name: 'qa-shared', type: 'development', state: 'active' })
})

async function step(e: Emulator, inputs: Record<string, string>, onLine?: (line: string) => void, timeoutMs?: number) {
  const s = inProcessStep(e, inputs, { runId: 7, onLine, timeoutMs })
  const { api } = await s.api()
  return { ...s, creds: { token: api.token, apiKey: s.ctx.inputs.apiKey, orgId: s.ctx.inputs.orgId } }
}
const patches = (e: Emulator) => e.requests.filter(r => r.method === 'PATCH' && r.path.startsWith(`${ROLES_BASE}/roles/`)).map(r => `${Array.isArray(JSON.parse(r.body)) ? 'array' : 'operations' in JSON.parse(r.body) ? 'docs' : 'spec'} ${r.status}`)
const sandboxApi = (e: Emulator) => e.requests.filter(r => r.path.startsWith('/data/foundation/sandbox-management'))

describe('importable', () => {
  it.each([
    ['PUBLISHED', 'ready'],
    ['PUBLISH_IN_PROGRESS', 'publishing']
  ] as const)('%s is %s', (status, answer) => expect(importable('p1', status)).toBe(answer))
  it.each([
    [undefined, 'Package "p1" (adobe-package-id) was not found by Adobe sandbox tooling (HTTP 404): check the id, and that it belongs to this organization'],
    ['DRAFT', 'Package "p1" (adobe-package-id) is DRAFT: only a PUBLISHED package can be imported (publish it first)'],
    ['PUBLISH_FAILED', 'Package "p1" (adobe-package-id) is PUBLISH_FAILED: its publication failed, so it cannot be imported; publish it again']
  ] as const)('%s is refused', (status, message) => {
    expect(() => importable('p1', status)).toThrow(ActionError)
    expect(() => importable('p1', status)).toThrow(message)
  })
})

describe.each(PLATFORM_MODES)('roles in %s mode', mode => {
  it('adds the sandbox, confirms it, says so, and takes it out again', async () => {
    emu.platform.setMode(mode)
    const s = await step(emu, { 'adobe-role-id': 'role-ci,role-qa' })
    const granted: string[][] = []
    const rows = await prepareSandbox(s.ctx, s.creds, 'box', { onGrant: ids => void granted.push(ids) })
    expect(rows).toEqual([['Roles granted', '`role-ci`, `role-qa`']])
    expect(granted).toEqual([['role-ci'], ['role-ci', 'role-qa']])
    expect(emu.platform.roles.get('role-ci')?.sandboxes).toEqual(['prod', 'box'])
    expect(emu.platform.roles.get('role-qa')?.sandboxes).toEqual(['prod', 'qa-shared', 'box'])
    expect(s.lines.filter(l => l.startsWith('Added'))).toEqual([
      'Added sandbox "box" to role "role-ci" (CI role-ci): confirmed by reading the role back',
      'Added sandbox "box" to role "role-qa" (CI role-qa): confirmed by reading the role back'
    ])
    // the OpenAPI's form first; in docs mode the docs' form once refused, and kept
    expect(patches(emu)).toEqual(mode === 'spec' ? ['spec 200', 'spec 200'] : ['spec 400', 'docs 200', 'docs 200'])
    if (mode === 'docs') expect(s.lines.some(l => /^Adobe Access Control API: add sandbox "box" to role "role-ci": .* was refused for its body shape \(.*\); sending /.test(l))).toBe(true)
    const lines = await revokeRoles(s.ctx, s.creds, 'box', ['role-ci', 'role-qa'])
    expect(lines).toEqual(['Removed sandbox "box" from role "role-ci"', 'Removed sandbox "box" from role "role-qa"'])
    expect(emu.platform.roles.get('role-qa')?.sandboxes).toEqual(['prod', 'qa-shared'])
  })

  it('a role that already holds the sandbox is left alone', async () => {
    emu.platform.setMode(mode)
    emu.platform.roles.seed(credentialRole('role-has', ['prod', 'box']))
    const s = await step(emu, { 'adobe-role-id': 'role-has' })
    expect(await prepareSandbox(s.ctx, s.creds, 'box')).toEqual([['Roles granted', '`role-has` (already)']])
    expect(s.lines).toContain('Role "role-has" (CI role-has) already includes sandbox "box"')
    expect(patches(emu)).toEqual([])
  })

  it('the revoke says what it found: no such role, not in the role, or a failure to remove by hand', async () => {
    emu.platform.setMode(mode)
    const s = await step(emu, {})
    emu.faults.add({ method: 'PATCH', path: `${ROLES_BASE}/roles/role-qa`, faults: [{ kind: 'status', status: 403, body: { message: 'no' } }] })
    const lines = await revokeRoles(s.ctx, s.creds, 'qa-shared', ['gone-role', 'role-ci', 'role-qa'])
    expect(lines[0]).toBe('Role "gone-role" no longer exists: nothing to remove')
    expect(lines[1]).toBe('Role "role-ci" no longer includes sandbox "qa-shared": nothing to remove')
    expect(lines[2]).toMatch(/^Could not remove sandbox "qa-shared" from role "role-qa": Adobe Access Control API: remove sandbox "qa-shared" from role "role-qa" failed: HTTP 403.*\. Remove it by hand in Permissions > Roles$/)
    expect(s.lines).toContain(`warning: ${lines[2]}`)
  })

  it('a role missing when the grant reads it: an error naming adobe-role-id', async () => {
    emu.platform.setMode(mode)
    const s = await step(emu, { 'adobe-role-id': 'nope' })
    const err = await prepareSandbox(s.ctx, s.creds, 'box').catch(e => e)
    expect(err).toBeInstanceOf(ActionError)
    expect(err.message).toBe('Role "nope" (adobe-role-id) does not exist (HTTP 404): check the id in Experience Platform Permissions > Roles')
  })

  it('a refusal that is not about the shape is no reason for the other form', async () => {
    emu.platform.setMode(mode)
    const s = await step(emu, { 'adobe-role-id': 'role-ci' })
    // a sandbox the service does not know: refused for what it asks, not for its shape
    const err = await prepareSandbox(s.ctx, s.creds, 'no-such-box').catch(e => e)
    expect(err).toBeInstanceOf(ProviderError)
    expect(patches(emu)).toEqual(mode === 'spec' ? ['spec 400'] : ['spec 400', 'docs 400'])
  })
})

describe('when add replaces the list', () => {
  it('docs mode: the names it dropped are put back by read-modify-write, and it says which', async () => {
    emu.platform.setMode('docs')
    emu.platform.roles.setAddReplaces(true)
    const s = await step(emu, { 'adobe-role-id': 'role-qa' })
    await prepareSandbox(s.ctx, s.creds, 'box')
    expect([...(emu.platform.roles.get('role-qa')?.sandboxes ?? [])].sort()).toEqual(['box', 'prod', 'qa-shared'])
    expect(s.lines).toContain('Role "role-qa": adding sandbox "box" replaced the role\'s list of sandboxes and dropped "prod", "qa-shared"; putting them back by read-modify-write (replace with the whole list)')
    expect(s.lines).toContain('Role "role-qa": put back "prod", "qa-shared", and sandbox "box" is in it: confirmed by reading the role until it stayed unchanged')
  })

  it('a read older than the fresh bound is taken again before the add, so what the add drops is judged against the role as it is now', async () => {
    emu.platform.setMode('docs')
    emu.platform.roles.setAddReplaces(true)
    const s = await step(emu, { 'adobe-role-id': 'role-qa' })
    // read 2 s ago, before "qa-shared" was granted: written on as it is, the add would drop it unseen
    const stale = { id: 'role-qa', sandboxes: ['prod'], readAt: s.ctx.deadline.clock.now() - 2_000 }
    const before = emu.requests.length
    await rolesApi(s.ctx, s.creds).grant(stale, 'box')
    const sent = emu.requests.slice(before).map(r => r.method)
    expect(sent.slice(0, 2)).toEqual(['GET', 'PATCH'])
    expect([...(emu.platform.roles.get('role-qa')?.sandboxes ?? [])].sort()).toEqual(['box', 'prod', 'qa-shared'])
  })

  it('a fresh read is written on at once', async () => {
    const s = await step(emu, { 'adobe-role-id': 'role-qa' })
    const api = rolesApi(s.ctx, s.creds)
    const role = await api.get('role-qa')
    const before = emu.requests.length
    await api.grant(role!, 'box')
    // written at once, read back once: nobody else wrote, so there is nothing to watch for
    expect(emu.requests.slice(before).map(r => r.method)).toEqual(['PATCH', 'GET'])
  })

  it('an add that finds names another writer added meanwhile watches the role until it stays unchanged', async () => {
    const s = await step(emu, { 'adobe-role-id': 'role-qa' })
    // "qa-shared" came in after this read: another job is granting to the same role
    const role = { id: 'role-qa', sandboxes: ['prod'], readAt: s.ctx.deadline.clock.now() }
    const before = emu.requests.length
    await rolesApi(s.ctx, s.creds).grant(role, 'box')
    const sent = emu.requests.slice(before).map(r => r.method)
    expect(sent[0]).toBe('PATCH')
    // the read back, then one read every 750 ms for the 4 s quiet period
    expect(sent.filter(m => m === 'GET').length).toBeGreaterThanOrEqual(5)
    expect(sent.filter(m => m === 'PATCH')).toEqual(['PATCH'])
  })

  it('spec mode: a whole list cannot be sent in either form, and the error lists what to put back by hand', async () => {
    emu.platform.setMode('spec')
    emu.platform.roles.setAddReplaces(true)
    const s = await step(emu, { 'adobe-role-id': 'role-qa' })
    const err = await prepareSandbox(s.ctx, s.creds, 'box').catch(e => e)
    expect(err).toBeInstanceOf(ActionError)
    expect(err.message).toMatch(/^Role "role-qa": adding sandbox "box" replaced the role's whole list of sandboxes and dropped "prod", "qa-shared"/)
    expect(err.message).toContain('which the service refused in both body forms')
    expect(err.message).toMatch(/Put "prod", "qa-shared" back into role "role-qa" by hand in Experience Platform Permissions > Roles$/)
  })

  it('nothing dropped (the role held only the default sandbox): no read-modify-write, one write', async () => {
    emu.platform.setMode('docs')
    emu.platform.roles.setAddReplaces(true)
    emu.platform.roles.seed(credentialRole('role-prod-only', ['prod']))
    const s = await step(emu, { 'adobe-role-id': 'role-prod-only' })
    await prepareSandbox(s.ctx, s.creds, 'box')
    // add replaced ["prod"] with ["box"]: "prod" was dropped, so it is put back; the evidence is the drop
    const role = emu.platform.roles.get('role-prod-only')?.sandboxes ?? []
    expect(role).toContain('box')
  })
})

describe('the checks before a slot is spent', () => {
  it('every role and the package are read, and nothing touches the Sandbox API', async () => {
    emu.platform.tooling.seed({ id: 'pkg-ok' })
    const s = await step(emu, { 'adobe-role-id': 'role-ci,role-qa', 'adobe-package-id': 'pkg-ok' })
    emu.clearLog()
    await preflight(s.ctx, s.creds)
    expect(sandboxApi(emu)).toEqual([])
    expect(emu.requests.map(r => `${r.method} ${r.path}`)).toEqual([`GET ${ROLES_BASE}/roles/role-ci`, `GET ${ROLES_BASE}/roles/role-qa`, `GET ${TOOLING_BASE}/packages/pkg-ok`])
    expect(emu.requests.at(-1)?.headers['x-sandbox-name']).toBe('prod')
    expect(s.lines).toEqual([])
  })

  it('a package still publishing passes, saying it will be imported once published', async () => {
    emu.platform.tooling.seed({ id: 'pkg-pub', status: 'PUBLISH_IN_PROGRESS' })
    const s = await step(emu, { 'adobe-package-id': 'pkg-pub' })
    await preflight(s.ctx, s.creds)
    expect(s.lines).toEqual(['Package "pkg-pub" is PUBLISH_IN_PROGRESS: it is imported once it is PUBLISHED'])
  })

  it.each([
    ['a missing role', { 'adobe-role-id': 'role-ci,nope' }, 'Role "nope" (adobe-role-id) does not exist (HTTP 404): check the id in Experience Platform Permissions > Roles'],
    ['a missing package', { 'adobe-package-id': 'pkg-none' }, 'Package "pkg-none" (adobe-package-id) was not found by Adobe sandbox tooling (HTTP 404): check the id, and that it belongs to this organization']
  ])('%s fails naming the input and the id', async (_what, inputs, message) => {
    const s = await step(emu, inputs)
    const err = await preflight(s.ctx, s.creds).catch(e => e)
    expect(err.message).toBe(message)
    expect(sandboxApi(emu).filter(r => r.method !== 'POST' || !r.path.endsWith('/token'))).toEqual([])
  })
})

describe.each(PLATFORM_MODES)('the import in %s mode', mode => {
  it('submits, waits with progress lines, and reports the job', async () => {
    emu.platform.setMode(mode)
    emu.platform.tooling.seed({ id: 'pkg-ok', artifactsList: [{ id: 's1', type: 'REGISTRY_SCHEMA' }] })
    emu.platform.tooling.setTimings({ pendingMs: 600_000, runMs: 600_000 })
    const tooling = emu.platform.tooling
    const s = await step(emu, { 'adobe-package-id': 'pkg-ok' }, line => {
      if (/^Import job .*: PENDING/.test(line)) tooling.finish()
    })
    const rows = await prepareSandbox(s.ctx, s.creds, 'box')
    expect(rows).toHaveLength(1)
    expect(rows[0][0]).toBe('Package imported')
    expect(rows[0][1]).toMatch(/^`pkg-ok` \(job `[^`]+`, \d+\.\d s\)$/)
    const submits = emu.requests.filter(r => r.path === `${TOOLING_BASE}/packages/import`).map(r => `${r.method} ${r.status}`)
    expect(submits).toEqual(mode === 'spec' ? ['PUT 202'] : ['PUT 405', 'POST 202'])
    expect(s.lines.some(l => l.startsWith('Importing package "pkg-ok" into sandbox "box"'))).toBe(true)
    expect(s.lines.some(l => /^Package "pkg-ok" imported into sandbox "box" \(job .+, \d+\.\d s\)$/.test(l))).toBe(true)
    // the job read carries the Content-Type the OpenAPI asks for, even without a body
    for (const r of emu.requests.filter(r => r.path.startsWith(`${TOOLING_BASE}/tools/job/`))) expect(r.headers['content-type']).toBe('application/json')
  })

  it.each(['FAILED', 'CANCELLED'] as const)('a job that ends %s is an error with the job id, its status and Adobe\'s errors', async end => {
    emu.platform.setMode(mode)
    emu.platform.tooling.seed({ id: 'pkg-ok', artifactsList: [{ id: 's1', type: 'REGISTRY_SCHEMA', title: 'Orders' }] })
    emu.platform.tooling.setTimings({ pendingMs: 0, runMs: 0 })
    emu.platform.tooling.failNext('box', end)
    const s = await step(emu, { 'adobe-package-id': 'pkg-ok' })
    const err = await prepareSandbox(s.ctx, s.creds, 'box').catch(e => e)
    expect(err).toBeInstanceOf(ActionError)
    expect(err.message).toMatch(new RegExp(`^Import of package "pkg-ok" into sandbox "box" ended ${end} \\(job [^)]+`))
    if (end === 'FAILED') expect(err.message).toContain('REGISTRY_SCHEMA s1: Could not create REGISTRY_SCHEMA "Orders"')
  })

  it('a package that is publishing is waited for until it is published, then imported', async () => {
    emu.platform.setMode(mode)
    emu.platform.tooling.seed({ id: 'pkg-pub', status: 'PUBLISH_IN_PROGRESS' })
    emu.platform.tooling.setTimings({ pendingMs: 0, runMs: 0 })
    const tooling = emu.platform.tooling
    const s = await step(emu, { 'adobe-package-id': 'pkg-pub' }, line => {
      if (line.includes('PUBLISH_IN_PROGRESS')) tooling.publish('pkg-pub', 'PUBLISHED')
    })
    await prepareSandbox(s.ctx, s.creds, 'box')
    expect(s.lines.some(l => l.includes('PUBLISH_IN_PROGRESS'))).toBe(true)
    expect(emu.platform.tooling.jobs().map(j => j.jobStatus)).toEqual(['SUCCESS'])
  })

  it('runs out of time saying which job it waited for, and its last status', async () => {
    emu.platform.setMode(mode)
    emu.platform.tooling.seed({ id: 'pkg-ok' })
    emu.platform.tooling.setTimings({ pendingMs: 600_000, runMs: 600_000 })
    const s = await step(emu, { 'adobe-package-id': 'pkg-ok', timeout: '3' }, undefined, 3000)
    const err = await prepareSandbox(s.ctx, s.creds, 'box').catch(e => e)
    expect(err).toBeInstanceOf(DeadlineError)
    expect(err.message).toMatch(/^Timed out after 3 s while waiting for import job .+ of package "pkg-ok" \(last status: (PENDING|unknown|not listed yet)\)/)
  })
})

describe('jobErrors', () => {
  it('takes error fields, error lists and failed tasks, drops the good ones, and keeps eight at most', () => {
    const raw = {
      errorMessage: 'top',
      errors: ['one', { message: 'two' }, { code: 3 }],
      completedTasks: [
        { taskStatus: 'SUCCESS', artifact: { id: 'a', type: 'T', messages: [{ status: 'CREATED', message: 'ok' }] } },
        { taskStatus: 'FAILED', artifact: { id: 'b', type: 'T', messages: [{ status: 'FAILED', message: 'bad' }] } },
        { taskStatus: 'CANCELLED', artifact: { id: 'c', type: 'T', messages: [] } }
      ]
    }
    expect(jobErrors(raw)).toEqual(['top', 'one', 'two', '{"code":3}', 'T b: bad', 'T c: task CANCELLED'])
    expect(jobErrors({ errors: Array.from({ length: 20 }, (_, i) => `e${i}`) })).toHaveLength(8)
  })
})

describe('roles API reads', () => {
  it('a role whose list of sandboxes cannot be read is an error, not an empty role', async () => {
    const s = await step(emu, {})
    emu.faults.add({ method: 'GET', path: `${ROLES_BASE}/roles/role-ci`, faults: [{ kind: 'wrong-shape', body: { id: 'role-ci', name: 'x' } }], repeatLast: true })
    const err = await rolesApi(s.ctx, s.creds).get('role-ci').catch(e => e)
    emu.faults.clear()
    expect(err).toBeInstanceOf(ActionError)
    expect(err.message).toMatch(/role "role-ci".*sandboxes/)
  })
})
