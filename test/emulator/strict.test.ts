// The emulator's strict defaults (Adobe's published contract) and the options that turn them off.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator'
import { SANDBOXES, adobeHeaders, call, manualClock, startCli } from './helpers'

const clock = manualClock()
let emu: Emulator
let headers: Record<string, string>
beforeAll(async () => {
  emu = await startEmulator({ now: clock.now, adobe: { createMs: 10_000, resetMs: 10_000, deleteMs: 4_000, licenseLimit: 1000 } })
})
afterAll(() => emu.close())
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
  headers = adobeHeaders(emu)
})

const api = (method: string, path: string, body?: unknown, h = headers) => call(emu, method, `${SANDBOXES}${path}`, { headers: h, body })
const create = (name: string) => api('POST', '', { name, title: name, type: 'development' })
const names = (res: { body: { sandboxes: { name: string }[] } }) => res.body.sandboxes.map(s => s.name)
/** The headers without x-sandbox-name. */
const withoutSandbox = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'x-sandbox-name'))
const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${emu.url}/_emulator${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, body: await res.json() }
}

describe('x-sandbox-name', () => {
  const calls: [string, string, unknown?][] = [
    ['GET', ''],
    ['GET', '?limit=5&offset=0'],
    ['POST', '', { name: 'no-header', title: 't', type: 'development' }],
    ['GET', '/kept'],
    ['PATCH', '/kept', { title: 'changed' }],
    ['PUT', '/kept', { action: 'reset' }],
    ['DELETE', '/kept']
  ]

  it('is required on every Sandbox API call, create and list included: gateway 400 400003, nothing changes', async () => {
    emu.adobe.seed({ name: 'kept' })
    const without = withoutSandbox(headers)
    for (const blank of [without, { ...headers, 'x-sandbox-name': '  ' }]) {
      for (const [method, path, body] of calls) {
        const res = await api(method, path, body, blank)
        expect([res.status, res.body.error_code], `${method} ${path}`).toEqual([400, '400003'])
        expect(res.body.message).toMatch(/x-sandbox-name/)
      }
    }
    expect(emu.adobe.get('no-header')).toBeUndefined()
    expect(emu.adobe.get('kept')).toMatchObject({ state: 'active', title: 'kept' })
  })

  it('is not needed when requireSandboxHeader is off, at start or at run time', async () => {
    const without = withoutSandbox(headers)
    emu.adobe.configure({ requireSandboxHeader: false })
    expect((await api('POST', '', { name: 'lenient', title: 't', type: 'development' }, without)).status).toBe(202)
    const lenient = await startEmulator({ adobe: { requireSandboxHeader: false } })
    try {
      const bare = withoutSandbox(adobeHeaders(lenient))
      expect((await call(lenient, 'GET', SANDBOXES, { headers: bare })).status).toBe(200)
    } finally {
      await lenient.close()
    }
    // A reset returns to the startup options: strict again.
    await control('POST', '/reset')
    expect((await call(emu, 'GET', SANDBOXES, { headers: { ...without, authorization: adobeHeaders(emu).authorization } })).status).toBe(400)
  })
})

describe('page cap', () => {
  it('answers at most 50 records whatever limit was asked, and _page.limit says 50', async () => {
    for (let i = 0; i < 60; i++) emu.adobe.seed({ name: `s${String(i).padStart(2, '0')}` })
    const first = await api('GET', '?limit=100&offset=0')
    expect(first.body._page).toEqual({ limit: 50, count: 50 })
    expect(first.body._links.page.href).toMatch(/offset=0&limit=50$/)
    const second = await api('GET', '?limit=100&offset=50')
    expect(second.body._page).toEqual({ limit: 50, count: 11 })
    expect(new Set([...names(first), ...names(second)]).size).toBe(61)
    const plain = await api('GET', '')
    expect(plain.body._page.count).toBe(50)
  })

  it('follows a configured cap, and a smaller limit asked for is kept', async () => {
    emu.adobe.configure({ pageCap: 3 })
    for (const n of ['a', 'b', 'c', 'd']) emu.adobe.seed({ name: n })
    expect((await api('GET', '?limit=10&offset=0')).body._page).toEqual({ limit: 3, count: 3 })
    expect((await api('GET', '?limit=2&offset=0')).body._page).toEqual({ limit: 2, count: 2 })
    expect(emu.adobe.strictness().pageCap).toBe(3)
    expect(() => emu.adobe.configure({ pageCap: 0 })).toThrow(/pageCap/)
  })
})

describe('state flow', () => {
  it('records every state a sandbox passes in history(), with the time each took effect', async () => {
    const start = clock.now()
    await create('flow')
    clock.advance(10_000)
    await api('PUT', '/flow', { action: 'reset' })
    clock.advance(10_000)
    await api('PATCH', '/flow', { title: 'Renamed' })
    await api('DELETE', '/flow')
    clock.advance(4_000)
    const seen = emu.adobe.history().filter(c => c.name === 'flow')
    expect(seen.map(c => [c.from, c.to, c.cause])).toEqual([
      [null, 'creating', 'create'],
      ['creating', 'provisioning', 'settle'],
      ['provisioning', 'active', 'settle'],
      ['active', 'resetting', 'reset'],
      ['resetting', 'active', 'settle'],
      ['active', 'active', 'update'],
      ['active', 'cleaning', 'delete'],
      ['cleaning', 'de-provisioning', 'settle'],
      ['de-provisioning', 'deleted', 'settle']
    ])
    expect(seen.map(c => c.time - start)).toEqual([0, 5000, 10_000, 10_000, 20_000, 20_000, 20_000, 22_000, 24_000])
    expect(seen[5].title).toBe('Renamed')
    expect(emu.adobe.get('flow')?.state).toBe('deleted')
    const viaHttp = await control('GET', '/adobe/history')
    expect(viaHttp.body.filter((c: { name: string }) => c.name === 'flow')).toHaveLength(9)
  })

  it('stateFlow legacy goes creating then active, and deleting then deleted', async () => {
    emu.adobe.configure({ stateFlow: 'legacy' })
    await create('old')
    clock.advance(9_999)
    expect(emu.adobe.get('old')?.state).toBe('creating')
    clock.advance(1)
    expect((await api('DELETE', '/old')).body.state).toBe('deleting')
    clock.advance(3_999)
    expect(emu.adobe.get('old')?.state).toBe('deleting')
    clock.advance(1)
    expect(emu.adobe.get('old')?.state).toBe('deleted')
  })

  it('a seeded record mid-way finishes the rest of its flow', () => {
    emu.adobe.seed({ name: 'going', state: 'de-provisioning' })
    emu.adobe.seed({ name: 'coming', state: 'provisioning' })
    clock.advance(3_999)
    expect([emu.adobe.get('going')?.state, emu.adobe.get('coming')?.state]).toEqual(['de-provisioning', 'provisioning'])
    clock.advance(6_001)
    expect([emu.adobe.get('going')?.state, emu.adobe.get('coming')?.state]).toEqual(['deleted', 'active'])
  })
})

describe('default sandbox name', () => {
  it('is prod unless configured; defaultName() and the control API tell it', async () => {
    expect(emu.adobe.defaultName()).toBe('prod')
    emu.adobe.configure({ defaultSandboxName: 'main' })
    expect(emu.adobe.defaultName()).toBe('main')
    expect((await control('GET', '/adobe/default')).body).toEqual({ name: 'main' })
    const res = await api('GET', '/main')
    expect(res.body).toMatchObject({ name: 'main', isDefault: true, type: 'production' })
    expect((await api('GET', '/prod')).status).toBe(404)
    expect((await api('DELETE', '/main')).status).toBe(400)
  })

  it('can be random, so a sandbox called prod is just another sandbox', async () => {
    const other = await startEmulator({ adobe: { randomDefaultName: true } })
    try {
      const name = other.adobe.defaultName()
      expect(name).not.toBe('prod')
      expect(name).toMatch(/^[a-z][a-z0-9-]+$/)
      other.adobe.seed({ name: 'prod', type: 'production' })
      const h = adobeHeaders(other)
      expect(h['x-sandbox-name']).toBe(name)
      const list = await call(other, 'GET', SANDBOXES, { headers: h })
      expect(list.body.sandboxes.map((s: { name: string; isDefault: boolean }) => [s.name, s.isDefault])).toEqual([
        [name, true],
        ['prod', false]
      ])
      expect((await call(other, 'DELETE', `${SANDBOXES}/prod`, { headers: h })).status).toBe(202)
      expect((await call(other, 'DELETE', `${SANDBOXES}/${name}`, { headers: h })).status).toBe(400)
      await fetch(`${other.url}/_emulator/reset`, { method: 'POST' })
      expect(other.adobe.defaultName()).not.toBe(name)
    } finally {
      await other.close()
    }
  })

  it('is configured over the control API, which rejects a bad name', async () => {
    expect((await control('POST', '/adobe/configure', { defaultSandboxName: 'org-default' })).body).toMatchObject({
      defaultSandboxName: 'org-default',
      requireSandboxHeader: true,
      pageCap: 50,
      stateFlow: 'adobe',
      licenseScope: 'all'
    })
    expect(emu.adobe.sandboxes()[0]).toMatchObject({ name: 'org-default', isDefault: true })
    expect((await control('POST', '/adobe/configure', { defaultSandboxName: 'Bad Name' })).status).toBe(400)
    expect((await control('POST', '/adobe/license', { limit: 1 })).status).toBe(200)
    expect((await create('over')).status).toBe(400)
  })
})

describe('cli flags', () => {
  it('--page-cap, --license-limit, --default-sandbox-name and --trackstar-shape reach the emulator', async () => {
    const args = ['--page-cap', '7', '--license-limit', '3', '--default-sandbox-name', 'main', '--trackstar-shape', 'legacy']
    const { child, url } = await startCli(args)
    try {
      const get = async (path: string) => (await fetch(`${url}/_emulator${path}`, { signal: AbortSignal.timeout(5000) })).json()
      expect(await get('/adobe/configure')).toMatchObject({ pageCap: 7, defaultSandboxName: 'main' })
      expect(await get('/adobe/default')).toEqual({ name: 'main' })
      const generated = await fetch(`${url}/sandbox/generate-sandbox/wms`, {
        method: 'POST',
        headers: { 'x-trackstar-api-key': 'ts-emulator-key' },
        signal: AbortSignal.timeout(5000)
      })
      expect(Object.keys(await generated.json())).toContain('available_endpoints')
      const token = (await (await fetch(`${url}/_emulator/adobe/token`, { method: 'POST' })).json()).access_token
      const made = []
      for (const name of ['c1', 'c2', 'c3']) {
        const res = await fetch(`${url}${SANDBOXES}`, {
          method: 'POST',
          headers: { ...adobeHeaders(emu, token, 'main'), 'content-type': 'application/json' },
          body: JSON.stringify({ name, title: name, type: 'development' }),
          signal: AbortSignal.timeout(5000)
        })
        made.push(res.status)
      }
      expect(made).toEqual([202, 202, 400])
    } finally {
      child.kill('SIGTERM')
    }
  }, 20_000)
})
