import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_TRACKSTAR_API_KEY as KEY, startEmulator, type Emulator } from '../../emulator'
import { call } from './helpers'

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator({ trackstar: { apiKeys: [KEY, 'other-key'] } })
})
afterAll(() => emu.close())
beforeEach(() => fetch(`${emu.url}/_emulator/reset`, { method: 'POST' }))

// null sends no key at all
const generate = (type: string, key: string | null = KEY) =>
  call(emu, 'POST', `/sandbox/generate-sandbox/${type}`, { headers: key === null ? {} : { 'x-trackstar-api-key': key } })
const both = (token: string, key = KEY) => ({ 'x-trackstar-api-key': key, 'x-trackstar-access-token': token })

describe('trackstar generate-sandbox', () => {
  it('answers exactly the documented shape', async () => {
    const res = await generate('wms')
    expect(res.status).toBe(200)
    expect(Object.keys(res.body).sort()).toEqual(
      ['access_token', 'available_actions', 'connection_id', 'customer_id', 'integration_name', 'me'].sort()
    )
    expect(res.body).toMatchObject({ integration_name: 'sandbox', customer_id: null })
    expect(res.body.available_actions).toContain('get_inventory')
    expect(res.body.me).toEqual({ account_id: expect.any(String), account_name: expect.any(String) })
  })

  it('rejects a missing or unknown api key with 401 {error, origin}', async () => {
    for (const key of [null, 'nope']) {
      const res = await generate('wms', key)
      expect(res.status).toBe(401)
      expect(res.body).toEqual({ error: 'Unauthorized: invalid x-trackstar-api-key', origin: 'trackstar' })
    }
  })

  it('answers 422 for a malformed type and 404 for an unknown one', async () => {
    const bad = await generate('WMS-1')
    expect(bad.status).toBe(422)
    expect(bad.body.error).toBe('Validation error')
    expect(bad.body.detail.path.integration_type).toHaveLength(1)
    const unknown = await generate('erp')
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ error: 'Integration type not found', id: 'erp' })
  })

  it('keeps one connection per key and type, resetting it on every generate', async () => {
    const a = await generate('wms')
    const b = await generate('wms')
    const cart = await generate('cart')
    const other = await generate('wms', 'other-key')
    expect(b.body.connection_id).toBe(a.body.connection_id)
    expect(b.body.access_token).toBe(a.body.access_token)
    expect(cart.body.connection_id).not.toBe(a.body.connection_id)
    expect(other.body.connection_id).not.toBe(a.body.connection_id)
    expect(emu.trackstar.generateCount(KEY, 'wms')).toBe(2)
    expect(emu.trackstar.connections()).toHaveLength(3)
  })

  it('keeps the connection id after a delete but issues a new token', async () => {
    const first = await generate('carrier')
    const del = await call(emu, 'DELETE', '/connections', { headers: both(first.body.access_token) })
    expect(del.status).toBe(200)
    expect(del.body).toEqual({ id: first.body.connection_id, object: 'connection', deleted: true })
    expect(emu.trackstar.connections()).toHaveLength(0)
    const again = await generate('carrier')
    expect(again.body.connection_id).toBe(first.body.connection_id)
    expect(again.body.access_token).not.toBe(first.body.access_token)
  })
})

describe('trackstar connections and reads', () => {
  it('stops accepting a deleted token, for reads and a second delete', async () => {
    const { body } = await generate('wms')
    expect((await call(emu, 'GET', '/wms/inventory?limit=1', { headers: both(body.access_token) })).status).toBe(200)
    await call(emu, 'DELETE', '/connections', { headers: both(body.access_token) })
    const read = await call(emu, 'GET', '/wms/inventory?limit=1', { headers: both(body.access_token) })
    expect(read.status).toBe(401)
    expect(read.body.origin).toBe('trackstar')
    expect((await call(emu, 'DELETE', '/connections', { headers: both(body.access_token) })).status).toBe(401)
  })

  it('refuses a delete whose token belongs to another api key', async () => {
    const { body } = await generate('wms', 'other-key')
    const res = await call(emu, 'DELETE', '/connections', { headers: both(body.access_token, KEY) })
    expect(res.status).toBe(401)
    expect(emu.trackstar.connections()).toHaveLength(1)
  })

  it('pages mock data by limit and checks the type of the token', async () => {
    const { body } = await generate('cart')
    const page = await call(emu, 'GET', '/cart/orders?limit=5', { headers: both(body.access_token) })
    expect(page.status).toBe(200)
    expect(page.body.data).toHaveLength(5)
    expect(typeof page.body.next_token).toBe('string')
    expect(page.body.total_count).toBeGreaterThan(5)
    const rest = await call(emu, 'GET', `/cart/orders?limit=1000&page_token=${page.body.next_token}`, {
      headers: both(body.access_token)
    })
    expect(rest.body.data).toHaveLength(page.body.total_count - 5)
    expect(rest.body.next_token).toBeNull()
    expect((await call(emu, 'GET', '/wms/inventory', { headers: both(body.access_token) })).status).toBe(401)
  })

  it('validates limit with 422', async () => {
    const { body } = await generate('carrier')
    for (const limit of ['0', '1001', 'abc', '2.5']) {
      const res = await call(emu, 'GET', `/carrier/invoice-line-items?limit=${limit}`, { headers: both(body.access_token) })
      expect(res.status, limit).toBe(422)
      expect(res.body.detail.query.limit).toBeDefined()
    }
    const dflt = await call(emu, 'GET', '/carrier/invoice-line-items', { headers: both(body.access_token) })
    expect(dflt.body.data).toHaveLength(25)
  })

  it('rate-limits GETs per access token at 10 per second with retry-after', async () => {
    const { body } = await generate('wms')
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let i = 0; i < 11; i++) {
      const res = await call(emu, 'GET', '/wms/inventory?limit=1', { headers: both(body.access_token) })
      statuses.push(res.status)
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after')
        expect(res.body).toEqual({ error: 'Too many requests', origin: 'trackstar' })
      }
    }
    expect(statuses.slice(0, 10).every(s => s === 200)).toBe(true)
    expect(statuses[10]).toBe(429)
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
    // Another connection's token has its own budget.
    const other = await generate('cart')
    expect((await call(emu, 'GET', '/cart/orders?limit=1', { headers: both(other.body.access_token) })).status).toBe(200)
  })
})

describe('older generate answer shapes', () => {
  const keys = async () => {
    const res = await generate('wms')
    expect(res.status).toBe(200)
    return { keys: Object.keys(res.body).sort(), body: res.body }
  }
  const CURRENT = ['access_token', 'available_actions', 'connection_id', 'customer_id', 'integration_name', 'me']

  it('a shape fault changes one answer: endpoints, no-me, me-null, legacy', async () => {
    const shapes = ['endpoints', 'no-me', 'me-null', 'legacy'] as const
    emu.faults.add({ path: '/sandbox/generate-sandbox/wms', faults: shapes.map(shape => ({ kind: 'shape' as const, shape })) })
    const [endpoints, noMe, meNull, legacy] = [await keys(), await keys(), await keys(), await keys()]
    expect(endpoints.keys).toEqual([...CURRENT, 'available_endpoints'].sort())
    expect(endpoints.body.available_endpoints).toContain('/wms/inventory')
    expect(noMe.keys).toEqual(CURRENT.filter(k => k !== 'me'))
    expect(meNull.body.me).toBeNull()
    expect(legacy.keys).toEqual([...CURRENT.filter(k => k !== 'me'), 'available_endpoints'].sort())
    expect(legacy.body.access_token).toBe(endpoints.body.access_token)
    expect((await keys()).keys).toEqual([...CURRENT].sort())
  })

  it('setShape and the control API set a mode until reset; rotate cycles through every shape', async () => {
    emu.trackstar.setShape('no-me')
    expect((await keys()).keys).not.toContain('me')
    const res = await fetch(`${emu.url}/_emulator/trackstar/shape`, { method: 'POST', body: JSON.stringify({ shape: 'rotate' }) })
    expect(await res.json()).toEqual({ shape: 'rotate' })
    const seen = []
    for (let i = 0; i < 5; i++) {
      const { body } = await keys()
      seen.push(`${'available_endpoints' in body ? 'E' : '-'}${'me' in body ? (body.me === null ? 'n' : 'M') : '-'}`)
    }
    expect(seen).toEqual(['-M', 'EM', '--', '-n', 'E-'])
    const bad = await fetch(`${emu.url}/_emulator/trackstar/shape`, { method: 'POST', body: JSON.stringify({ shape: 'v0' }) })
    expect(bad.status).toBe(400)
    await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
    expect((await keys()).keys).toEqual([...CURRENT].sort())
  })

  it('the shape option sets the mode from the start', async () => {
    const other = await startEmulator({ trackstar: { shape: 'legacy' } })
    try {
      const res = await call(other, 'POST', '/sandbox/generate-sandbox/cart', { headers: { 'x-trackstar-api-key': KEY } })
      expect(res.body).not.toHaveProperty('me')
      expect(res.body.available_endpoints).toContain('/cart/orders')
    } finally {
      await other.close()
    }
  })
})
