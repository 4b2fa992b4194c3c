// The emulator's access-control roles API and the schema read that depends on it, over HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_ID, ROLES_BASE, SCHEMAS_PATH, startEmulator, type Emulator } from '../../emulator'
import { credentialRole } from '../../scripts/emulator-inputs'
import { adobeHeaders, call } from './helpers'

let emu: Emulator
let headers: Record<string, string>
beforeAll(async () => {
  emu = await startEmulator({ adobe: { createMs: 0 } })
})
afterAll(() => emu.close())
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
  headers = adobeHeaders(emu)
  emu.platform.roles.seed(credentialRole('r1'))
  emu.adobe.seed({ name: 'dev-a', state: 'active' })
  emu.adobe.seed({ name: 'dev-b', state: 'active' })
})

const role = (method: string, id: string, body?: unknown) => call(emu, method, `${ROLES_BASE}/roles/${id}`, { headers, body })
const add = (value: unknown) => ({ operations: [{ op: 'add', path: '/sandboxes', value }] })

describe('roles', () => {
  it('GET answers the documented role record, without its subjects', async () => {
    const res = await role('GET', 'r1')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: 'r1', name: 'CI r1', roleType: 'user-defined', sandboxes: ['prod'], recordType: 'role', subjectAttributes: { labels: [] } })
    expect(res.body.permissionSets).toEqual(expect.arrayContaining(['view-sandboxes']))
    expect(typeof res.body.createdAt).toBe('number')
    expect(res.body.subjects).toBeUndefined()
  })

  it('an unknown role is 404 on GET and PATCH', async () => {
    for (const method of ['GET', 'PATCH']) {
      const res = await role(method, 'nope', method === 'PATCH' ? add('dev-a') : undefined)
      expect(res.status, method).toBe(404)
      expect(res.body).toMatchObject({ status: 404, title: 'Role `nope` not found.' })
    }
  })

  it('PATCH add appends one name and answers the whole role; remove takes it out; replace sets the list', async () => {
    const first = await role('PATCH', 'r1', add('dev-a'))
    expect(first.status).toBe(200)
    expect(first.body.sandboxes).toEqual(['prod', 'dev-a'])
    expect((await role('PATCH', 'r1', add('dev-a'))).body.sandboxes).toEqual(['prod', 'dev-a'])
    expect((await role('PATCH', 'r1', add('dev-b'))).body.sandboxes).toEqual(['prod', 'dev-a', 'dev-b'])
    expect((await role('PATCH', 'r1', { operations: [{ op: 'remove', path: '/sandboxes', value: 'dev-a' }] })).body.sandboxes).toEqual(['prod', 'dev-b'])
    expect((await role('PATCH', 'r1', { operations: [{ op: 'replace', path: '/sandboxes', value: ['dev-a'] }] })).body.sandboxes).toEqual(['dev-a'])
    expect((await role('PATCH', 'r1', { operations: [{ op: 'add', path: '/description', value: 'new text' }] })).body.description).toBe('new text')
  })

  it('takes both body shapes by default, and only one when set, with a 400 that names the shape', async () => {
    expect((await role('PATCH', 'r1', [{ op: 'add', path: '/sandboxes', value: 'dev-a' }])).status).toBe(200)
    expect((await role('PATCH', 'r1', { op: 'add', path: '/sandboxes', value: 'dev-b' })).status).toBe(200)
    emu.platform.roles.setPatchBody('bare')
    const wrapped = await role('PATCH', 'r1', add('dev-a'))
    expect(wrapped.status).toBe(400)
    expect(wrapped.body.title).toContain('without an `operations` wrapper')
    emu.platform.roles.setPatchBody('wrapped')
    const bare = await role('PATCH', 'r1', [{ op: 'add', path: '/sandboxes', value: 'dev-a' }])
    expect(bare.status).toBe(400)
    expect(bare.body.title).toContain('`operations` array')
  })

  it('rejects bad operations, other paths and unknown sandboxes without changing the role', async () => {
    for (const body of ['{', {}, { operations: [] }, { operations: [{ op: 'move', path: '/sandboxes', value: 'x' }] }, { operations: [{ op: 'add', path: '/permissionSets', value: 'x' }] }, add(42), add('no-such-box')]) {
      const res = await role('PATCH', 'r1', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.type).toMatch(/^http:\/\/ns\.adobe\.com\/aep\/errors\/ACS-\d+-400$/)
    }
    expect(emu.platform.roles.get('r1')?.sandboxes).toEqual(['prod'])
    expect(emu.platform.roles.patchCount()).toBe(0)
  })

  it('add replaces the whole list when addReplaces is set', async () => {
    emu.platform.roles.setAddReplaces(true)
    expect((await role('PATCH', 'r1', add('dev-a'))).body.sandboxes).toEqual(['dev-a'])
  })

  it('checks the gateway first, then the permission to manage roles', async () => {
    const noToken = await call(emu, 'GET', `${ROLES_BASE}/roles/r1`, { headers: { ...headers, authorization: '' } })
    expect(noToken.status).toBe(401)
    expect(noToken.body.error_code).toBe('403010')
    emu.platform.roles.deny(EMULATOR_ADOBE_CLIENT_ID)
    const denied = await role('PATCH', 'r1', add('dev-a'))
    expect(denied.status).toBe(403)
    expect(denied.body.title).toContain('not allowed to manage roles')
  })
})

describe('control API', () => {
  it('seeds a role and a package over HTTP, for runs against `npm run emulator`', async () => {
    const seeded = await call(emu, 'POST', '/_emulator/platform/role', { body: credentialRole('from-cli', ['dev-a']) })
    expect(seeded.status).toBe(201)
    expect((await role('GET', 'from-cli')).body.sandboxes).toEqual(['dev-a'])
    const pkg = await call(emu, 'POST', '/_emulator/platform/package', { body: { id: 'cli-pkg', name: 'From the CLI' } })
    expect(pkg.body).toMatchObject({ id: 'cli-pkg', status: 'PUBLISHED' })
    expect((await call(emu, 'POST', '/_emulator/platform/role', { body: '[]' })).status).toBe(400)
  })
})

describe('a read in a sandbox (schema listing)', () => {
  const schemas = (sandbox?: string) => {
    const without = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'x-sandbox-name'))
    return call(emu, 'GET', SCHEMAS_PATH, { headers: sandbox ? { ...without, 'x-sandbox-name': sandbox } : without })
  }

  it('is 403 until a role the credential holds includes the sandbox, then 200', async () => {
    const before = await schemas('dev-a')
    expect(before.status).toBe(403)
    expect(before.body.title).toContain('no role of the caller includes sandbox `dev-a`')
    await role('PATCH', 'r1', add('dev-a'))
    const after = await schemas('dev-a')
    expect(after.status).toBe(200)
    expect(after.body).toMatchObject({ results: [], _page: { count: 0 } })
    expect((await schemas('dev-b')).status).toBe(403)
  })

  it('a role the credential is not a subject of does not count; the header is required', async () => {
    emu.platform.roles.seed({ id: 'other', name: 'Other team', sandboxes: ['dev-a'], subjects: [{ subjectType: 'user', subjectId: 'someone@AdobeID' }] })
    expect((await schemas('dev-a')).status).toBe(403)
    expect((await schemas()).status).toBe(400)
  })
})
