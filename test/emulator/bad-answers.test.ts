// Faults whose answers a client cannot trust: proxy HTML with 200, JSON of the wrong shape,
// errors that echo a credential in some encoding, and an error whose action lands later.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ECHO_ENCODINGS,
  EMULATOR_ADOBE_CLIENT_SECRET,
  EMULATOR_TRACKSTAR_API_KEY,
  startEmulator,
  type Emulator,
  type EchoEncoding
} from '../../emulator'
import { FORM, SANDBOXES, adobeHeaders, call, sleep, tokenForm } from './helpers'

let emu: Emulator
let headers: Record<string, string>
beforeAll(async () => {
  emu = await startEmulator({ adobe: { createMs: 0, deleteMs: 0 } })
})
afterAll(() => emu.close())
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
  headers = adobeHeaders(emu)
})

const create = (name: string) => call(emu, 'POST', SANDBOXES, { headers, body: { name, title: name, type: 'development' } })
const item = (name: string, method = 'GET') => call(emu, method, `${SANDBOXES}/${name}`, { headers })
const addRule = (rule: unknown) => fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(rule) })

describe('html', () => {
  it('answers a proxy page with 200 and text/html, and the provider does not act', async () => {
    emu.faults.add({ method: 'POST', path: SANDBOXES, faults: [{ kind: 'html' }] })
    const res = await create('behind-proxy')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.text).toMatch(/^<!DOCTYPE html>/)
    expect(res.body).toBeUndefined()
    expect(emu.adobe.get('behind-proxy')).toBeUndefined()
    expect(emu.requests.at(-1)).toMatchObject({ fault: 'html', status: 200 })
  })

  it('with act the provider acts first; status and body can be chosen (JSON control API)', async () => {
    expect((await addRule({ method: 'POST', path: SANDBOXES, faults: [{ kind: 'html', act: true, status: 502, body: '<p>gw</p>' }] })).status).toBe(201)
    const res = await create('acted-behind-proxy')
    expect([res.status, res.text]).toEqual([502, '<p>gw</p>'])
    expect(emu.adobe.get('acted-behind-proxy')?.state).toBe('active')
    expect((await addRule({ path: SANDBOXES, faults: [{ kind: 'html', body: 5 }] })).status).toBe(400)
  })
})

describe('wrong-shape', () => {
  it('answers 200 JSON without name, state, type and isDefault, for an item and for each listed record', async () => {
    emu.adobe.seed({ name: 'box' })
    emu.faults.add({ method: 'GET', path: /\/sandboxes\/?[^/]*$/, faults: [{ kind: 'wrong-shape' }, { kind: 'wrong-shape' }] })
    const one = await item('box')
    expect(one.status).toBe(200)
    expect(one.body).toMatchObject({ title: 'box', region: 'VA7' })
    for (const k of ['name', 'state', 'type', 'isDefault']) expect(one.body, k).not.toHaveProperty(k)
    const list = await call(emu, 'GET', SANDBOXES, { headers })
    expect(list.body.sandboxes).toHaveLength(2)
    for (const s of list.body.sandboxes) expect(Object.keys(s)).not.toContain('isDefault')
    expect(list.body._page).toEqual({ limit: 50, count: 2 })
  })

  it('acts first (a delete happens), turns an error into 200, and takes a given body or drop list', async () => {
    emu.adobe.seed({ name: 'gone' })
    emu.faults.add({ method: 'DELETE', path: `${SANDBOXES}/gone`, faults: [{ kind: 'wrong-shape', body: { ok: true } }] })
    const res = await item('gone', 'DELETE')
    expect([res.status, res.body]).toEqual([200, { ok: true }])
    expect(emu.adobe.get('gone')?.state).toBe('deleted')
    emu.faults.add({ method: 'GET', path: `${SANDBOXES}/nope`, faults: [{ kind: 'wrong-shape', drop: ['title'] }] })
    const missing = await item('nope')
    expect(missing.status).toBe(200)
    expect(missing.body).toMatchObject({ status: 404 })
    expect(missing.body).not.toHaveProperty('title')
  })
})

/** Undoes each encoding, so the test can prove the secret is there in that form and not raw. */
function decode(text: string, encoding: EchoEncoding): string {
  // The Adobe shape carries the text in `message`, the Trackstar shape in `error`.
  const message = () => {
    const body = JSON.parse(text)
    return String(body.message ?? body.error)
  }
  switch (encoding) {
    case 'raw':
      return text
    case 'json':
    case 'json-slash':
    case 'json-unicode':
      return message()
    case 'url':
      return decodeURIComponent(message())
    case 'form':
      return [...new URLSearchParams(text).values()].join('\n')
    case 'base64':
    case 'base64url': {
      const m = / \(base64(?:url)? ([A-Za-z0-9+/_=-]+)\)/.exec(message())
      return Buffer.from(m?.[1] ?? '', encoding === 'base64' ? 'base64' : 'base64url').toString('utf8')
    }
    case 'html':
      return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
  }
}

describe('echo', () => {
  const secret = 'k3y/with+odd&chars"é€😀<x>'
  const ENCODED_DIFFERENTLY: EchoEncoding[] = ['json-slash', 'json-unicode', 'url', 'form', 'base64', 'base64url', 'html']

  it('echoes a header in every encoding, findable only once decoded (raw and json keep it verbatim)', async () => {
    emu.trackstar.addApiKey(secret)
    emu.faults.add({
      path: '/sandbox/generate-sandbox/wms',
      faults: ECHO_ENCODINGS.map(encoding => ({ kind: 'echo' as const, header: 'x-trackstar-api-key', encoding }))
    })
    for (const encoding of ECHO_ENCODINGS) {
      const res = await fetch(`${emu.url}/sandbox/generate-sandbox/wms`, { method: 'POST', headers: { 'x-trackstar-api-key': encodeURI(secret) } })
      const text = await res.text()
      expect(res.status, encoding).toBe(400)
      expect(decode(text, encoding), encoding).toContain(encodeURI(secret))
      if (ENCODED_DIFFERENTLY.includes(encoding) && encoding !== 'json-slash') expect(text, encoding).not.toContain(encodeURI(secret))
    }
    expect(emu.trackstar.connections()).toHaveLength(0)
  })

  it('echoes a form field (the client secret) with unicode and slashes in each encoding', async () => {
    const form = (over: Record<string, string>) => call(emu, 'POST', '/ims/token/v3', { headers: FORM, body: tokenForm(over) })
    emu.faults.add({ path: '/ims/token/v3', faults: ECHO_ENCODINGS.map(encoding => ({ kind: 'echo' as const, field: 'client_secret', encoding })) })
    for (const encoding of ECHO_ENCODINGS) {
      const res = await form({ client_secret: secret })
      expect(decode(res.text, encoding), encoding).toContain(secret)
      if (ENCODED_DIFFERENTLY.includes(encoding)) expect(res.text, encoding).not.toContain(secret)
    }
    expect(emu.adobe.tokensIssued()).toBe(0)
  })

  it('json-slash escapes / as \\/ and non-ASCII as \\u; json-unicode escapes every character', async () => {
    emu.faults.add({ path: '/ims/token/v3', faults: [{ kind: 'echo', field: 'client_secret', encoding: 'json-slash' }, { kind: 'echo', field: 'client_secret', encoding: 'json-unicode' }] })
    const slash = await call(emu, 'POST', '/ims/token/v3', { headers: FORM, body: tokenForm({ client_secret: 'a/b€' }) })
    expect(slash.text).toContain('a\\/b\\u20ac')
    expect(slash.body.message).toContain('a/b€')
    const uni = await call(emu, 'POST', '/ims/token/v3', { headers: FORM, body: tokenForm({ client_secret: 'ab' }) })
    expect(uni.text).toContain('\\u0061\\u0062')
    expect(uni.body).toMatchObject({ error_code: '400000', message: 'Invalid client_secret: ab' })
  })

  it('echoes the bearer token without its scheme, in the Adobe gateway shape, with a chosen status; act lets the provider act', async () => {
    const token = headers.authorization.slice('Bearer '.length)
    emu.faults.add({ method: 'POST', path: SANDBOXES, faults: [{ kind: 'echo', header: 'authorization', encoding: 'json', status: 401, act: true }] })
    const res = await create('echoed')
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ error_code: '401000', message: `Invalid authorization: ${token}` })
    expect(emu.adobe.get('echoed')?.state).toBe('active')
  })

  it('echoes a field of a JSON body, and a missing value as empty; bad rules are refused', async () => {
    emu.faults.add({ method: 'POST', path: SANDBOXES, faults: [{ kind: 'echo', field: 'title', encoding: 'raw' }, { kind: 'echo', field: 'absent', encoding: 'raw' }] })
    expect((await create('titled')).text).toBe('Request rejected: title titled is not valid\n')
    expect((await create('titled')).text).toBe('Request rejected: absent  is not valid\n')
    expect(emu.adobe.get('titled')).toBeUndefined()
    expect((await addRule({ path: '/x', faults: [{ kind: 'echo', encoding: 'raw' }] })).status).toBe(400)
    expect((await addRule({ path: '/x', faults: [{ kind: 'echo', header: 'a', field: 'b', encoding: 'raw' }] })).status).toBe(400)
    expect((await addRule({ path: '/x', faults: [{ kind: 'echo', header: 'a', encoding: 'rot13' }] })).status).toBe(400)
    expect((await addRule({ path: '/ims/token/v3', faults: [{ kind: 'echo', field: 'client_secret', encoding: 'base64' }] })).status).toBe(201)
    const b64 = await call(emu, 'POST', '/ims/token/v3', { headers: FORM, body: tokenForm() })
    expect(b64.body.message).toContain(Buffer.from(EMULATOR_ADOBE_CLIENT_SECRET).toString('base64'))
  })
})

describe('act-later', () => {
  it('answers the error at once and acts ms later', async () => {
    emu.faults.add({ method: 'POST', path: SANDBOXES, faults: [{ kind: 'act-later', status: 503, ms: 150 }] })
    const res = await create('late')
    expect(res.status).toBe(503)
    expect(res.body).toMatchObject({ error_code: '503000' })
    expect(emu.adobe.get('late')).toBeUndefined()
    for (let i = 0; i < 40 && !emu.adobe.get('late'); i++) await sleep(25)
    expect(emu.adobe.get('late')?.state).toBe('active')
  })

  it('works for Trackstar too', async () => {
    emu.faults.add({ path: '/sandbox/generate-sandbox/cart', faults: [{ kind: 'act-later', status: 500, ms: 50 }] })
    const res = await call(emu, 'POST', '/sandbox/generate-sandbox/cart', { headers: { 'x-trackstar-api-key': EMULATOR_TRACKSTAR_API_KEY } })
    expect(res.body).toEqual({ error: 'Internal Server Error', origin: 'trackstar' })
    expect(emu.trackstar.connections()).toHaveLength(0)
    for (let i = 0; i < 40 && emu.trackstar.connections().length === 0; i++) await sleep(25)
    expect(emu.trackstar.connections()).toHaveLength(1)
  })
})
