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
// Adobe's OpenAPI (rolePatchOperation): one object; the docs: an `operations` array
const op = (o: string, value: unknown, path = '/sandboxes') => ({ op: o, path, value })
const add = (value: unknown) => op('add', value)
const wrapped = (...ops: unknown[]) => ({ operations: ops })

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

  it('spec mode is the default: one {op, path, value} adds a name, removes it, replaces the list, sets the description', async () => {
    expect(emu.platform.roles.mode()).toBe('spec')
    const first = await role('PATCH', 'r1', add('dev-a'))
    expect(first.status).toBe(200)
    expect(first.body.sandboxes).toEqual(['prod', 'dev-a'])
    expect((await role('PATCH', 'r1', add('dev-a'))).body.sandboxes).toEqual(['prod', 'dev-a'])
    expect((await role('PATCH', 'r1', add('dev-b'))).body.sandboxes).toEqual(['prod', 'dev-a', 'dev-b'])
    expect((await role('PATCH', 'r1', op('remove', 'dev-a'))).body.sandboxes).toEqual(['prod', 'dev-b'])
    expect((await role('PATCH', 'r1', op('replace', 'dev-a'))).body.sandboxes).toEqual(['dev-a'])
    expect((await role('PATCH', 'r1', op('add', 'new text', '/description'))).body.description).toBe('new text')
    expect(emu.platform.roles.patchCount()).toBe(6)
  })

  // What a validating mock of access-control.yaml answers: 422, a validation list located in the body.
  it.each([
    ['the docs\' wrapper', wrapped(add('dev-a')), ['op', 'path', 'value'].map(k => ({ location: ['body'], message: `must have required property '${k}'` }))],
    ['a bare array', [add('dev-a')], [{ location: ['body'], message: 'must be object' }]],
    ['a list as value', op('replace', ['prod', 'dev-a']), [{ location: ['body', 'value'], message: 'must be string' }]],
    ['a number as value', add(42), [{ location: ['body', 'value'], message: 'must be string' }]],
    ['no value', { op: 'remove', path: '/sandboxes' }, [{ location: ['body'], message: "must have required property 'value'" }]],
    ['an op outside the enum', op('move', 'dev-a'), [{ location: ['body', 'op'], message: expect.stringContaining('add, replace, remove') }]],
    ['text that is not JSON', '{', [{ location: ['body'], message: 'must be JSON' }]]
  ])('spec mode answers %s with 422 naming the body, and changes nothing', async (_, body, validation) => {
    const res = await role('PATCH', 'r1', body)
    expect(res.status).toBe(422)
    expect(res.body).toMatchObject({ status: 422, title: 'Invalid request', type: expect.stringMatching(/ACS-\d+-422$/) })
    expect(res.body.validation).toEqual(validation.map(v => expect.objectContaining({ ...v, severity: 'Error' })))
    expect(emu.platform.roles.get('r1')?.sandboxes).toEqual(['prod'])
    expect(emu.platform.roles.patchCount()).toBe(0)
  })

  it('docs mode takes the `operations` wrapper (a list as value too), and answers one object or a bare array with a 400 naming the shape', async () => {
    emu.platform.roles.setMode('docs')
    expect((await role('PATCH', 'r1', wrapped(add('dev-a')))).body.sandboxes).toEqual(['prod', 'dev-a'])
    expect((await role('PATCH', 'r1', wrapped(op('replace', ['dev-b', 'prod'])))).body.sandboxes).toEqual(['dev-b', 'prod'])
    expect((await role('PATCH', 'r1', wrapped(op('remove', 'dev-b')))).body.sandboxes).toEqual(['prod'])
    for (const body of [add('dev-a'), [add('dev-a')]]) {
      const res = await role('PATCH', 'r1', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.title).toBe('Request body must be an object with an `operations` array of {op, path, value}.')
    }
    expect(emu.platform.roles.patchCount()).toBe(3)
  })

  it.each(['spec', 'docs'] as const)('%s mode: a well-formed body that asks for the impossible is a 400 that is not about the shape', async mode => {
    emu.platform.roles.setMode(mode)
    const body = (o: unknown) => (mode === 'spec' ? o : wrapped(o))
    for (const [o, title] of [
      [add('no-such-box'), 'Sandbox `no-such-box` not found.'],
      [op('add', 'x', '/permissionSets'), 'Path `/permissionSets` cannot be patched.']
    ] as const) {
      const res = await role('PATCH', 'r1', body(o))
      expect(res.status).toBe(400)
      expect(res.body.title).toBe(title)
      expect(res.body.validation).toBeUndefined()
    }
    if (mode === 'docs') {
      for (const b of ['{', {}, { operations: [] }, wrapped(op('move', 'x')), wrapped(add(42))]) expect((await role('PATCH', 'r1', b)).status, JSON.stringify(b)).toBe(400)
    }
    expect(emu.platform.roles.get('r1')?.sandboxes).toEqual(['prod'])
    expect(emu.platform.roles.patchCount()).toBe(0)
  })

  it.each(['spec', 'docs'] as const)('%s mode: add replaces the whole list when addReplaces is set', async mode => {
    emu.platform.roles.setMode(mode)
    emu.platform.roles.setAddReplaces(true)
    expect((await role('PATCH', 'r1', mode === 'spec' ? add('dev-a') : wrapped(add('dev-a')))).body.sandboxes).toEqual(['dev-a'])
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
  it('sets the mode of both APIs and publishes a package over HTTP; a reset brings back the startup mode', async () => {
    expect((await call(emu, 'POST', '/_emulator/platform/mode', { body: { mode: 'docs' } })).body).toEqual({ mode: 'docs' })
    expect([emu.platform.roles.mode(), emu.platform.tooling.mode()]).toEqual(['docs', 'docs'])
    expect((await call(emu, 'POST', '/_emulator/platform/mode', { body: { mode: 'loose' } })).status).toBe(400)
    await call(emu, 'POST', '/_emulator/platform/package', { body: { id: 'later', status: 'PUBLISH_IN_PROGRESS' } })
    const published = await call(emu, 'POST', '/_emulator/platform/package/publish', { body: { id: 'later' } })
    expect(published.body).toMatchObject({ id: 'later', status: 'PUBLISHED', publishDate: expect.any(Number) })
    expect((await call(emu, 'POST', '/_emulator/platform/package/publish', { body: { id: 'nope' } })).status).toBe(400)
    await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
    expect([emu.platform.roles.mode(), emu.platform.tooling.mode()]).toEqual(['spec', 'spec'])
  })

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
    expect((await role('PATCH', 'r1', add('dev-a'))).status).toBe(200)
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
