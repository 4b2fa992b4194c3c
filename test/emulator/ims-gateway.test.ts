import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_ORG_ID, startEmulator, type Emulator } from '../../emulator'
import { FORM, SANDBOXES, adobeHeaders, call, manualClock, tokenForm } from './helpers'

const clock = manualClock()
let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator({
    now: clock.now,
    adobe: {
      clients: [
        { clientId: EMULATOR_ADOBE_CLIENT_ID, clientSecret: 'emulator-client-secret', orgId: EMULATOR_ADOBE_ORG_ID },
        { clientId: 'second-client', clientSecret: 's2', orgId: 'SECOND@AdobeOrg' }
      ]
    }
  })
})
afterAll(() => emu.close())

const mint = (over: Record<string, string> = {}) =>
  call(emu, 'POST', '/ims/token/v3', { headers: FORM, body: tokenForm(over) })

describe('IMS token endpoint', () => {
  it('mints a long, JWT-looking bearer token and counts it per client', async () => {
    const before = emu.adobe.tokensIssued(EMULATOR_ADOBE_CLIENT_ID)
    const res = await mint()
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: 86399 })
    expect(res.body.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(res.body.access_token.length).toBeGreaterThan(200)
    expect(emu.adobe.tokensIssued(EMULATOR_ADOBE_CLIENT_ID)).toBe(before + 1)
    expect(emu.adobe.tokensIssued('second-client')).toBe(0)
  })

  it('answers the documented 400 errors', async () => {
    const cases: [Record<string, string>, string, string?][] = [
      [{ client_id: 'who' }, 'invalid_client', 'invalid client_id parameter'],
      [{ client_secret: 'wrong' }, 'invalid_client', 'invalid client_secret parameter'],
      [{ grant_type: 'password' }, 'unsupported_grant_type'],
      [{ scope: '' }, 'invalid_scope']
    ]
    for (const [over, error, description] of cases) {
      const res = await mint(over)
      expect(res.status, error).toBe(400)
      expect(res.body.error).toBe(error)
      if (description) expect(res.body.error_description).toBe(description)
    }
  })
})

describe('Platform gateway', () => {
  it('checks the headers in the documented order', async () => {
    const good = adobeHeaders(emu)
    const cases: [Record<string, string | undefined>, number, string][] = [
      [{ authorization: undefined }, 401, '403010'],
      [{ authorization: 'Bearer not-a-token' }, 401, '401013'],
      [{ 'x-api-key': undefined }, 403, '403000'],
      [{ 'x-api-key': 'second-client' }, 403, '403003'],
      [{ 'x-gw-ims-org-id': undefined }, 400, '400003'],
      [{ 'x-gw-ims-org-id': 'SECOND@AdobeOrg' }, 403, '403025']
    ]
    for (const [change, status, code] of cases) {
      const headers = Object.fromEntries(
        Object.entries({ ...good, ...change }).filter((e): e is [string, string] => e[1] !== undefined)
      )
      const res = await call(emu, 'GET', SANDBOXES, { headers })
      expect([res.status, res.body.error_code], code).toEqual([status, code])
      expect(typeof res.body.message).toBe('string')
    }
    expect((await call(emu, 'GET', SANDBOXES, { headers: good })).status).toBe(200)
  })

  it('accepts a token minted over HTTP and rejects it once expired', async () => {
    const { body } = await mint()
    const headers = adobeHeaders(emu, body.access_token)
    expect((await call(emu, 'GET', `${SANDBOXES}/prod`, { headers })).status).toBe(200)
    clock.advance(86400 * 1000)
    const res = await call(emu, 'GET', `${SANDBOXES}/prod`, { headers })
    expect(res.status).toBe(401)
    expect(res.body.error_code).toBe('401013')
  })
})
