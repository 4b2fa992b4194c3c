import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { formatSandboxDate, startEmulator, type Emulator } from '../../emulator'
import { SANDBOXES, adobeHeaders, call, manualClock } from './helpers'

const clock = manualClock()
let emu: Emulator
let headers: Record<string, string>
beforeAll(async () => {
  emu = await startEmulator({ now: clock.now, adobe: { createMs: 30_000, resetMs: 20_000, deleteMs: 5_000 } })
})
afterAll(() => emu.close())
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
  headers = adobeHeaders(emu)
})

const api = (method: string, path: string, body?: unknown) => call(emu, method, `${SANDBOXES}${path}`, { headers, body })
const create = (name: string, type = 'development') => api('POST', '', { name, title: `Title ${name}`, type })
const SMS = /^http:\/\/ns\.adobe\.com\/aep\/errors\/SMS-\d+-\d{3}$/

describe('listing', () => {
  it('starts with the default prod sandbox in the documented record shape', async () => {
    const res = await api('GET', '')
    expect(res.status).toBe(200)
    expect(res.body.sandboxes).toHaveLength(1)
    expect(res.body.sandboxes[0]).toMatchObject({
      name: 'prod', title: 'Production', type: 'production', isDefault: true, state: 'active', region: 'VA7', eTag: 1
    })
    expect(res.body.sandboxes[0].createdDate).toBe('2024-05-01 12:00:00')
  })

  it('pages with limit and offset, in creation order, with a templated next link', async () => {
    for (const n of ['a1', 'a2', 'a3']) await create(n)
    await api('DELETE', '/a2')
    const res = await api('GET', '?limit=2&offset=1')
    expect(res.body.sandboxes.map((s: { name: string }) => s.name)).toEqual(['a1', 'a2'])
    expect(res.body.sandboxes[1].state).toBe('cleaning')
    expect(res.body._page).toEqual({ limit: 2, count: 2 })
    expect(res.body._links.next).toEqual({
      href: `${emu.url}/data/foundation/sandbox-management/sandboxes/?limit={limit}&offset={offset}`,
      templated: true
    })
    expect(res.body._links.page.href).toBe(`${emu.url}/data/foundation/sandbox-management/sandboxes?offset=1&limit=2`)
    const last = await api('GET', '?limit=2&offset=3')
    expect(last.body._page.count).toBe(1)
  })

  it('rejects limit or offset alone and out-of-range limits', async () => {
    for (const q of ['?limit=2', '?offset=0', '?limit=0&offset=0', '?limit=1001&offset=0']) {
      const res = await api('GET', q)
      expect(res.status, q).toBe(400)
      expect(res.body.type).toMatch(SMS)
    }
  })
})

describe('create', () => {
  it('answers 202 creating, passes provisioning, then is active after createMs by the clock', async () => {
    const res = await create('ci-one')
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({ name: 'ci-one', state: 'creating', type: 'development', region: 'VA7' })
    clock.advance(14_999)
    expect((await api('GET', '/ci-one')).body.state).toBe('creating')
    clock.advance(1)
    expect((await api('GET', '/ci-one')).body.state).toBe('provisioning')
    clock.advance(14_999)
    expect((await api('GET', '/ci-one')).body.state).toBe('provisioning')
    clock.advance(1)
    const after = await api('GET', '/ci-one')
    expect(after.body.state).toBe('active')
    expect(after.body.eTag).toBeGreaterThan(res.body.eTag)
    expect(emu.adobe.becameActiveAt('ci-one')).toBe(clock.now())
  })

  it('validates name, title, type and JSON', async () => {
    const bad = [
      { name: 'Upper', title: 't', type: 'development' },
      { name: '1abc', title: 't', type: 'development' },
      { name: `a${'b'.repeat(256)}`, title: 't', type: 'development' },
      { name: 'ok', type: 'development' },
      { name: 'ok', title: 't', type: 'staging' }
    ]
    for (const body of bad) expect((await api('POST', '', body)).status, JSON.stringify(body).slice(0, 40)).toBe(400)
    expect((await api('POST', '', '{not json')).status).toBe(400)
    expect((await api('POST', '', { name: `a${'b'.repeat(255)}`, title: 't', type: 'development' })).status).toBe(202)
  })

  it('answers 409 for a live name and allows re-creating a deleted one as a new record', async () => {
    await create('dup')
    const conflict = await create('dup')
    expect(conflict.status).toBe(409)
    expect(conflict.body).toMatchObject({ status: 409, type: expect.stringMatching(SMS) })
    clock.advance(30_000)
    await api('DELETE', '/dup')
    clock.advance(5_000)
    expect((await api('GET', '/dup')).body.state).toBe('deleted')
    const again = await create('dup')
    expect(again.status).toBe(202)
    expect(again.body.state).toBe('creating')
    expect(emu.adobe.sandboxes().filter(s => s.name === 'dup')).toHaveLength(1)
  })

  it('counts every sandbox not yet deleted against a licence of 5, the default one included', async () => {
    const made = []
    for (const n of ['l1', 'l2', 'l3', 'l4', 'l5']) made.push((await create(n)).status)
    expect(made).toEqual([202, 202, 202, 202, 400])
    const over = await create('l6', 'production')
    expect(over.status).toBe(400)
    expect(over.body).toMatchObject({ status: 400, type: expect.stringMatching(SMS) })
    expect(over.body.title).toMatch(/licen[cs]e/i)
    expect(over.body.title).toMatch(/limit of 5 sandboxes/)
    clock.advance(30_000)
    await api('DELETE', '/l1')
    // A sandbox on its way out still holds its slot until it reads deleted.
    expect((await create('l5')).status).toBe(400)
    clock.advance(5_000)
    expect((await create('l5')).status).toBe(202)
  })

  it('setLicenseLimit changes the limit; licenseScope development counts only development sandboxes', async () => {
    emu.adobe.setLicenseLimit(2)
    expect((await create('d1')).status).toBe(202)
    expect((await create('d2')).status).toBe(400)
    emu.adobe.configure({ licenseScope: 'development' })
    expect((await create('d2')).status).toBe(202)
    expect((await create('d3')).status).toBe(400)
    expect((await create('p2', 'production')).status).toBe(202)
  })

  it('ends in failed when failNext was set', async () => {
    emu.adobe.failNext('doomed')
    await create('doomed')
    clock.advance(30_000)
    expect((await api('GET', '/doomed')).body.state).toBe('failed')
    expect(emu.adobe.becameActiveAt('doomed')).toBeUndefined()
  })
})

describe('update, reset and delete', () => {
  beforeEach(async () => {
    await create('box')
    clock.advance(30_000)
  })

  it('updates the title with PATCH', async () => {
    const res = await api('PATCH', '/box', { title: 'New title' })
    expect(res.status).toBe(200)
    expect(emu.adobe.get('box')?.title).toBe('New title')
  })

  it('resets: 202 resetting with a bumped eTag, then active after resetMs', async () => {
    const before = emu.adobe.get('box')!
    clock.advance(60_000)
    const res = await api('PUT', '/box', { action: 'reset' })
    expect(res.status).toBe(202)
    expect(res.body.state).toBe('resetting')
    expect(res.body.eTag).toBeGreaterThan(before.eTag)
    expect(res.body.lastModifiedDate).not.toBe(before.lastModifiedDate)
    clock.advance(20_000)
    expect(emu.adobe.get('box')?.state).toBe('active')
  })

  it('rejects a reset with the wrong action, of a missing sandbox, or while not active', async () => {
    expect((await api('PUT', '/box', { action: 'restart' })).status).toBe(400)
    expect((await api('PUT', '/ghost', { action: 'reset' })).status).toBe(404)
    await api('PUT', '/box', { action: 'reset' })
    const busy = await api('PUT', '/box', { action: 'reset' })
    expect(busy.status).toBe(400)
    expect(busy.body.type).toMatch(SMS)
  })

  it('validationOnly changes nothing', async () => {
    const before = emu.adobe.get('box')!
    const res = await api('PUT', '/box?validationOnly=true', { action: 'reset' })
    expect(res.status).toBe(200)
    expect(emu.adobe.get('box')).toEqual(before)
  })

  it('answers the documented SMS-207x errors for blocked sandboxes; ignoreWarnings overrides only 2077', async () => {
    emu.adobe.block('box', 2074)
    const reset = await api('PUT', '/box?ignoreWarnings=true', { action: 'reset' })
    expect(reset.body).toMatchObject({ status: 400, type: 'http://ns.adobe.com/aep/errors/SMS-2074-400' })
    expect(reset.body.title).toContain('Sandbox `box` cannot be reset')
    expect((await api('DELETE', '/box')).body.type).toBe('http://ns.adobe.com/aep/errors/SMS-2074-400')

    emu.adobe.block('box', 2077)
    const warn = await api('PUT', '/box', { action: 'reset' })
    expect(warn.body.type).toBe('http://ns.adobe.com/aep/errors/SMS-2077-400')
    expect((await api('PUT', '/box?ignoreWarnings=true', { action: 'reset' })).status).toBe(202)
  })

  it('deletes: 202 cleaning, then de-provisioning, then deleted (still readable), then 404 on a second delete', async () => {
    const res = await api('DELETE', '/box')
    expect(res.status).toBe(202)
    expect(res.body.state).toBe('cleaning')
    const again = await api('DELETE', '/box')
    expect([again.status, again.body.state]).toEqual([202, 'cleaning'])
    clock.advance(2_500)
    expect((await api('GET', '/box')).body.state).toBe('de-provisioning')
    expect((await create('box')).status).toBe(409)
    clock.advance(2_500)
    const read = await api('GET', '/box')
    expect([read.status, read.body.state]).toEqual([200, 'deleted'])
    expect((await api('DELETE', '/box')).status).toBe(404)
    expect((await api('PUT', '/box', { action: 'reset' })).status).toBe(404)
  })

  it('deletes at once when deleteMs is 0', async () => {
    emu.adobe.setTimings({ deleteMs: 0 })
    expect((await api('DELETE', '/box')).body.state).toBe('deleted')
  })

  it('never deletes the default sandbox and answers 404 for one that never existed', async () => {
    const res = await api('DELETE', '/prod')
    expect(res.status).toBe(400)
    expect(res.body.title).toBe('The default production sandbox cannot be deleted')
    const missing = await api('GET', '/never-was')
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ status: 404, type: expect.stringMatching(SMS) })
  })
})

describe('seeding', () => {
  it('seeds a sandbox aged into the past and lists it after prod', () => {
    const seeded = emu.adobe.seed({ name: 'old-one', ageSeconds: 3 * 86400 })
    expect(seeded.createdDate).toBe(formatSandboxDate(clock.now() - 3 * 86400 * 1000))
    expect(seeded.createdDate).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(emu.adobe.sandboxes().map(s => s.name)).toEqual(['prod', 'old-one'])
  })

  it('lets a seeded in-progress sandbox finish with the current timings', () => {
    emu.adobe.seed({ name: 'mid', state: 'creating' })
    clock.advance(30_000)
    expect(emu.adobe.get('mid')?.state).toBe('active')
  })

  it('seeds over the control API too', async () => {
    const res = await fetch(`${emu.url}/_emulator/adobe/seed`, {
      method: 'POST',
      body: JSON.stringify({ name: 'via-http', type: 'production', state: 'failed' })
    })
    expect(res.status).toBe(201)
    expect(emu.adobe.get('via-http')).toMatchObject({ type: 'production', state: 'failed' })
  })
})

describe('server time', () => {
  it.each([
    ['a lookup', () => api('GET', '/prod')],
    ['a list', () => api('GET', '')],
    ['a refused call', () => call(emu, 'GET', `${SANDBOXES}/prod`, { headers: { ...headers, authorization: 'Bearer nope' } })]
  ])('%s carries the Sandbox API clock in its Date header, not the host clock', async (_what, send) => {
    const before = clock.now()
    const res = await send()
    expect(res.headers.get('date')).toBe(new Date(before).toUTCString())
    clock.advance(90_000)
    const later = await send()
    expect(later.headers.get('date')).toBe(new Date(before + 90_000).toUTCString())
  })
})
