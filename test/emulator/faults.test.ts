import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_TRACKSTAR_API_KEY, startEmulator, type Emulator } from '../../emulator'
import { SANDBOXES, adobeHeaders, call, sleep } from './helpers'

let emu: Emulator
let headers: Record<string, string>
beforeAll(async () => {
  emu = await startEmulator({ adobe: { createMs: 0, deleteMs: 0 } })
})
afterAll(() => emu.close())
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
  emu.adobe.setTimings({ createMs: 0, deleteMs: 0 })
  headers = adobeHeaders(emu)
})

const create = (name: string) =>
  call(emu, 'POST', SANDBOXES, { headers, body: { name, title: name, type: 'development' } })
const generate = () =>
  call(emu, 'POST', '/sandbox/generate-sandbox/wms', { headers: { 'x-trackstar-api-key': EMULATOR_TRACKSTAR_API_KEY } })
const lastLog = () => emu.requests[emu.requests.length - 1]

describe('status faults', () => {
  it('status answers instead of the provider, which does not act', async () => {
    emu.faults.add({ method: 'POST', path: SANDBOXES, faults: [{ kind: 'status', status: 503, headers: { 'x-extra': '1' } }] })
    const res = await create('not-made')
    expect(res.status).toBe(503)
    expect(res.headers.get('x-extra')).toBe('1')
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.body).toMatchObject({ error_code: '503000' })
    expect(emu.adobe.get('not-made')).toBeUndefined()
    expect(lastLog()).toMatchObject({ fault: 'status', status: 503 })
  })

  it('sends a string body as-is (a proxy error page, say)', async () => {
    emu.faults.add({ path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'status', status: 502, body: '<html>Bad gateway</html>' }] })
    const res = await generate()
    expect(res.text).toBe('<html>Bad gateway</html>')
    expect(emu.trackstar.connections()).toHaveLength(0)
  })

  it('status-after lets the provider act, then answers the fault', async () => {
    emu.faults.add({ path: SANDBOXES, method: 'POST', faults: [{ kind: 'status-after', status: 504 }] })
    const res = await create('made-anyway')
    expect(res.status).toBe(504)
    expect(emu.adobe.get('made-anyway')?.state).toBe('active')
    expect(lastLog()).toMatchObject({ fault: 'status-after', status: 504 })
  })
})

describe('rule matching', () => {
  it('consumes one entry per matching request, pass included, then is spent', async () => {
    emu.faults.add({ path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'status', status: 500 }, 'pass', { kind: 'status', status: 502 }] })
    expect(emu.faults.pending()).toBe(3)
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await generate()).status)
    expect(statuses).toEqual([500, 200, 502, 200])
    expect(emu.faults.pending()).toBe(0)
  })

  it('matches by method and by RegExp path', async () => {
    emu.faults.add({ method: 'DELETE', path: /^\/data\/.*\/sandboxes\/[^/]+$/, faults: [{ kind: 'status', status: 500 }] })
    await create('victim')
    expect((await call(emu, 'GET', `${SANDBOXES}/victim`, { headers })).status).toBe(200)
    expect((await call(emu, 'DELETE', `${SANDBOXES}/victim`, { headers })).status).toBe(500)
    expect(emu.adobe.get('victim')?.state).toBe('active')
  })

  it('accepts rules over the control API with pathRegex', async () => {
    const res = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ pathRegex: '^/ims/', faults: [{ kind: 'status', status: 429 }] })
    })
    expect(res.status).toBe(201)
    const tok = await call(emu, 'POST', '/ims/token/v3', { body: 'grant_type=client_credentials' })
    expect(tok.status).toBe(429)
    expect((await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: '{"path":"/x","faults":[{"kind":"nope"}]}' })).status).toBe(400)
  })
})

describe('drops and delays', () => {
  it('drop-before closes the socket without acting', async () => {
    emu.faults.add({ path: SANDBOXES, method: 'POST', faults: [{ kind: 'drop-before' }] })
    await expect(create('dropped')).rejects.toThrow()
    expect(emu.adobe.get('dropped')).toBeUndefined()
    expect(lastLog()).toMatchObject({ fault: 'drop-before', status: 0 })
  })

  it('drop-after acts, then closes the socket without answering', async () => {
    emu.faults.add({ path: SANDBOXES, method: 'POST', faults: [{ kind: 'drop-after' }] })
    await expect(create('acted')).rejects.toThrow()
    expect(emu.adobe.get('acted')?.state).toBe('active')
    expect(lastLog()).toMatchObject({ fault: 'drop-after', status: 0 })
  })

  it('delay holds the answer for ms', async () => {
    emu.faults.add({ path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'delay', ms: 150 }] })
    const started = Date.now()
    const res = await generate()
    expect(res.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  })

  it('delay still acts when the client gave up meanwhile', async () => {
    // Long enough that the client surely gives up first: it does so as soon as the request arrives.
    emu.faults.add({ path: SANDBOXES, method: 'POST', faults: [{ kind: 'delay', ms: 5000 }] })
    const giveUp = new AbortController()
    const aborted = fetch(`${emu.url}${SANDBOXES}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'late', title: 'late', type: 'development' }),
      signal: giveUp.signal
    })
    for (let i = 0; i < 400 && !emu.requests.some(r => r.fault === 'delay'); i++) await sleep(25)
    const arrived = emu.requests.find(r => r.fault === 'delay')?.time ?? Number.NaN
    giveUp.abort()
    const gaveUpAt = Date.now()
    await expect(aborted).rejects.toThrow()
    for (let i = 0; i < 400 && !emu.adobe.get('late'); i++) await sleep(25)
    expect(emu.adobe.get('late')?.state).toBe('active')
    // made after its delay, and after the client had gone
    const made = emu.adobe.history().find(c => c.name === 'late' && c.from === null)?.time ?? Number.NaN
    expect(made).toBeGreaterThanOrEqual(arrived + 5000 - 5)
    expect(made).toBeGreaterThan(gaveUpAt)
  })
})

describe('rate-limit faults', () => {
  it('sends each header style with the provider default body', async () => {
    const styles = ['retry-after', 'retry-after-date', 'x-rate-limit-retry-after', 'x-ratelimit-reset', 'none'] as const
    emu.faults.add({ path: '/sandbox/generate-sandbox/wms', faults: styles.map(header => ({ kind: 'rate-limit' as const, header, seconds: 7 })) })
    const got = []
    // The dated headers are 7 s from when each answer was made: between these two readings.
    const before = Date.now()
    for (let i = 0; i < styles.length; i++) got.push(await generate())
    const after = Date.now()
    expect(got.every(r => r.status === 429)).toBe(true)
    expect(got[0].body).toEqual({ error: 'Too many requests', origin: 'trackstar' })
    expect(got[0].headers.get('retry-after')).toBe('7')
    // an HTTP date is whole seconds, cut down
    const retryAt = Date.parse(got[1].headers.get('retry-after') ?? '')
    expect(retryAt).toBeGreaterThan(before + 7000 - 1000)
    expect(retryAt).toBeLessThanOrEqual(after + 7000)
    expect(got[2].headers.get('x-rate-limit-retry-after')).toBe('7')
    // epoch seconds, rounded up
    const resetAt = Number(got[3].headers.get('x-ratelimit-reset')) * 1000
    expect(resetAt).toBeGreaterThanOrEqual(before + 7000)
    expect(resetAt).toBeLessThan(after + 7000 + 1000)
    expect(got[4].headers.get('retry-after')).toBeNull()
    expect(emu.trackstar.connections()).toHaveLength(0)
  })

  it('uses the Adobe gateway body on Platform paths', async () => {
    emu.faults.add({ path: SANDBOXES, faults: [{ kind: 'rate-limit', header: 'retry-after', seconds: 1 }] })
    const res = await call(emu, 'GET', SANDBOXES, { headers })
    expect(res.status).toBe(429)
    expect(res.body).toEqual({ error_code: '429050', message: 'Too many requests' })
  })
})

describe('store-title faults', () => {
  const patch = (name: string, title: string) => call(emu, 'PATCH', `${SANDBOXES}/${name}`, { headers: { ...headers, 'x-sandbox-name': name }, body: { title } })
  const TITLE = 'lease v1 held until=2026-11-25T18:00:00Z nonce=3f9c2a7b1d4e5f60 by=acme/shop run=1.1 job=test'
  it.each([
    ['truncated', { kind: 'store-title', truncate: 40 }, TITLE.slice(0, 40)],
    ['altered', { kind: 'store-title', replace: { from: 'nonce=', to: 'nonce:' } }, TITLE.replace('nonce=', 'nonce:')],
    ['altered everywhere', { kind: 'store-title', replace: { from: '=', to: '' } }, TITLE.replaceAll('=', '')],
    ['cut to nothing but spaces: kept whole (a title is required)', { kind: 'store-title', replace: { from: TITLE, to: ' ' } }, TITLE]
  ] as const)('stores the title %s, and answers with what it stored; the next write is stored whole', async (_what, fault, stored) => {
    await create('box-t')
    // from JSON, as the control API takes it
    const res0 = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ method: 'PATCH', path: `${SANDBOXES}/box-t`, faults: [fault] }) })
    expect(res0.status).toBe(201)
    const res = await patch('box-t', TITLE)
    expect(res.status).toBe(200)
    expect(res.body.title).toBe(stored)
    expect(emu.adobe.get('box-t')?.title).toBe(stored)
    expect(lastLog()).toMatchObject({ fault: 'store-title', status: 200 })
    await patch('box-t', TITLE)
    expect(emu.adobe.get('box-t')?.title).toBe(TITLE)
  })

  it.each([
    [{ kind: 'store-title' }, 'needs exactly one of truncate or replace'],
    [{ kind: 'store-title', truncate: 3, replace: { from: 'a', to: 'b' } }, 'needs exactly one of truncate or replace'],
    [{ kind: 'store-title', truncate: 0 }, 'truncate must be a length >= 1'],
    [{ kind: 'store-title', truncate: 2.5 }, 'truncate must be a length >= 1'],
    [{ kind: 'store-title', replace: { from: '', to: 'x' } }, 'replace needs {from, to} strings'],
    [{ kind: 'store-title', replace: { from: 'a' } }, 'replace needs {from, to} strings']
  ])('refuses a malformed rule: %j', (fault, message) => {
    expect(() => emu.faults.add({ path: SANDBOXES, faults: [fault as never] })).toThrow(message)
  })
})
