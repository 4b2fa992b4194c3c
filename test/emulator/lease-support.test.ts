// What the emulator offers the lease feature: title-only PATCH with the last writer winning,
// a history of every title and state change, leases readable from its control API, a
// licence size to set, and random latency per request.
import { afterEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator'
import { adobeHeaders, call, manualClock, SANDBOXES } from './helpers'

let emu: Emulator | undefined
afterEach(async () => emu?.close())

describe('emulator: lease support', () => {
  it('keeps the last of concurrent title writes, and a history of title and state changes in order', async () => {
    const clock = manualClock()
    emu = await startEmulator({ now: clock.now, adobe: { resetMs: 1000 } })
    emu.adobe.seed({ name: 'ci-pool-1', title: 'first' })
    const h = adobeHeaders(emu)
    expect((await call(emu, 'PATCH', `${SANDBOXES}/ci-pool-1`, { headers: h, body: { title: 'lease v1 held until=2024-05-01T13:00:00Z nonce=0123456789abcdef by=a run=1.1 job=j' } })).status).toBe(200)
    clock.advance(10)
    expect((await call(emu, 'PATCH', `${SANDBOXES}/ci-pool-1`, { headers: h, body: { title: 'second writer' } })).status).toBe(200)
    expect(emu.adobe.get('ci-pool-1')?.title).toBe('second writer')
    // no compare-and-swap: an If-Match does not stop a write
    expect((await call(emu, 'PATCH', `${SANDBOXES}/ci-pool-1`, { headers: { ...h, 'if-match': '"1"' }, body: { title: 'third' } })).status).toBe(200)
    expect((await call(emu, 'PATCH', `${SANDBOXES}/ci-pool-1`, { headers: h, body: { title: 'x', state: 'active' } })).status).toBe(400)

    expect((await call(emu, 'PUT', `${SANDBOXES}/ci-pool-1`, { headers: h, body: { action: 'reset' } })).status).toBe(202)
    clock.advance(1000)
    const history = (await call(emu, 'GET', '/_emulator/adobe/lease-history')).body as { name: string; field: string; value: string; time: number }[]
    const mine = history.filter(e => e.name === 'ci-pool-1').map(e => `${e.field}:${e.value.split(' ')[0]}`)
    expect(mine).toEqual(['title:first', 'state:active', 'title:lease', 'title:second', 'title:third', 'state:resetting', 'state:active'])
    const times = history.map(e => e.time)
    expect([...times].sort((a, b) => a - b)).toEqual(times)
  })

  it('shows each sandbox title read as a lease record', async () => {
    emu = await startEmulator()
    emu.adobe.seed({ name: 'ci-pool-1', title: 'lease v1 held until=2024-05-01T13:00:00Z nonce=0123456789abcdef by=acme/shop run=5.1 job=test' })
    emu.adobe.seed({ name: 'ci-pool-2', title: 'lease v1 free reset=2024-05-01T12:00:00Z last=acme/shop run=4.1 job=test' })
    const leases = (await call(emu, 'GET', '/_emulator/adobe/leases')).body as { name: string; lease: string; fields: Record<string, string> }[]
    expect(leases.find(l => l.name === 'ci-pool-1')).toMatchObject({ lease: 'held', fields: { until: '2024-05-01T13:00:00Z', nonce: '0123456789abcdef', by: 'acme/shop', run: '5.1' } })
    expect(leases.find(l => l.name === 'ci-pool-2')).toMatchObject({ lease: 'free', fields: { reset: '2024-05-01T12:00:00Z' } })
    expect(leases.find(l => l.name === 'prod')).toMatchObject({ lease: 'none', fields: {} })
  })

  it('refuses a create once the licence size set over the control API is used up', async () => {
    emu = await startEmulator()
    // The licence counts every sandbox, the default one included: 2 leaves room for one more.
    expect((await call(emu, 'POST', '/_emulator/adobe/licence', { body: { size: 2 } })).body).toEqual({ size: 2 })
    expect((await call(emu, 'POST', '/_emulator/adobe/licence', { body: { size: -1 } })).status).toBe(400)
    const h = adobeHeaders(emu)
    expect((await call(emu, 'POST', SANDBOXES, { headers: h, body: { name: 'one', title: 't', type: 'development' } })).status).toBe(202)
    const full = await call(emu, 'POST', SANDBOXES, { headers: h, body: { name: 'two', title: 't', type: 'development' } })
    expect(full.status).toBe(400)
    expect(full.body.title).toMatch(/limit.*licen[cs]e|licen[cs]e.*limit/i)
  })

  it('adds a random latency of up to latencyJitterMs to each request', async () => {
    emu = await startEmulator({ latencyJitterMs: 150 })
    const h = adobeHeaders(emu)
    const took: number[] = []
    for (let i = 0; i < 12; i++) {
      const t = Date.now()
      await call(emu, 'GET', `${SANDBOXES}/prod`, { headers: h })
      took.push(Date.now() - t)
    }
    // different from one request to the next, never far beyond the cap
    expect(Math.max(...took) - Math.min(...took)).toBeGreaterThan(20)
    expect(Math.max(...took)).toBeLessThan(1000)
  })
})
