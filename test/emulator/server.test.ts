import { connect } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_TRACKSTAR_API_KEY, startEmulator, type Emulator } from '../../emulator'
import { SANDBOXES, adobeHeaders, call, sleep, startCli } from './helpers'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator({ latencyMs: 60 })
})
afterAll(() => emu.close())
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
})

describe('every answer', () => {
  it('carries a distinct X-Request-Id that the log records', async () => {
    const answers = [
      await call(emu, 'POST', '/sandbox/generate-sandbox/wms', { headers: { 'x-trackstar-api-key': EMULATOR_TRACKSTAR_API_KEY } }),
      await call(emu, 'POST', '/sandbox/generate-sandbox/wms'),
      await call(emu, 'GET', '/no/such/route'),
      await call(emu, 'GET', SANDBOXES),
      await call(emu, 'GET', '/_emulator/requests')
    ]
    const ids = answers.map(a => a.headers.get('x-request-id'))
    for (const id of ids) expect(id).toMatch(UUID)
    expect(new Set(ids).size).toBe(ids.length)
    expect(emu.requests.map(r => r.requestId)).toEqual(ids.slice(0, 4))
  })

  it('answers unknown routes with 404 JSON', async () => {
    const res = await call(emu, 'GET', '/nowhere')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(res.body).toBeTypeOf('object')
  })
})

describe('request log', () => {
  it('records provider requests in arrival order, rejected ones included, control API excluded', async () => {
    await call(emu, 'POST', '/sandbox/generate-sandbox/cart?x=1', { headers: { 'X-Trackstar-Api-Key': 'wrong' } })
    await call(emu, 'POST', '/ims/token/v3', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' })
    await fetch(`${emu.url}/_emulator/sandboxes`)
    expect(emu.requests).toHaveLength(2)
    const [first, second] = emu.requests
    expect(first).toMatchObject({ method: 'POST', path: '/sandbox/generate-sandbox/cart', query: { x: '1' }, status: 401 })
    expect(first.headers['x-trackstar-api-key']).toBe('wrong')
    expect(second).toMatchObject({ path: '/ims/token/v3', body: 'a=b', status: 400 })
    expect(second.seq).toBeGreaterThan(first.seq)
    const viaHttp = await (await fetch(`${emu.url}/_emulator/requests`)).json()
    expect(viaHttp).toHaveLength(2)
    emu.clearLog()
    expect(emu.requests).toHaveLength(0)
  })
})

describe('latency and concurrency', () => {
  it('adds latency and meters in-flight requests overall and per route', async () => {
    const headers = adobeHeaders(emu)
    emu.stats.resetMax()
    const started = Date.now()
    await Promise.all([
      ...Array.from({ length: 4 }, () => call(emu, 'GET', `${SANDBOXES}/prod`, { headers })),
      call(emu, 'GET', SANDBOXES, { headers })
    ])
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
    expect(emu.stats.maxInFlight).toBe(5)
    expect(emu.stats.maxInFlightByRoute['GET /sandboxes/{name}']).toBe(4)
    expect(emu.stats.maxInFlightByRoute['GET /sandboxes']).toBe(1)
    expect(emu.stats.inFlight).toBe(0)
    emu.stats.resetMax()
    expect(emu.stats.maxInFlight).toBe(0)
  })
})

describe('control API', () => {
  it('resets log, faults and state to the seeded default', async () => {
    const headers = adobeHeaders(emu)
    await call(emu, 'POST', SANDBOXES, { headers, body: { name: 'temp', title: 't', type: 'development' } })
    emu.faults.add({ path: '/x', faults: [{ kind: 'drop-before' }] })
    await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
    expect(emu.requests).toHaveLength(0)
    expect(emu.faults.pending()).toBe(0)
    const list = await (await fetch(`${emu.url}/_emulator/sandboxes`)).json()
    expect(list.map((s: { name: string }) => s.name)).toEqual(['prod'])
  })

  it('sets timings', async () => {
    const res = await fetch(`${emu.url}/_emulator/adobe/timings`, { method: 'POST', body: JSON.stringify({ createMs: 0 }) })
    expect(await res.json()).toMatchObject({ createMs: 0 })
    const created = await call(emu, 'POST', SANDBOXES, {
      headers: adobeHeaders(emu),
      body: { name: 'quick', title: 'q', type: 'development' }
    })
    expect(created.body.state).toBe('active')
  })
})

describe('adobe rate limit option', () => {
  it('answers 429050 with Retry-After as seconds, a date, or none', async () => {
    for (const retryAfter of ['seconds', 'date', 'none'] as const) {
      const limited = await startEmulator({ adobe: { rateLimit: { requests: 2, windowMs: 60_000, retryAfter } } })
      try {
        const headers = adobeHeaders(limited)
        const statuses = []
        let last
        for (let i = 0; i < 3; i++) {
          last = await call(limited, 'GET', SANDBOXES, { headers })
          statuses.push(last.status)
        }
        expect(statuses).toEqual([200, 200, 429])
        expect(last!.body).toEqual({ error_code: '429050', message: 'Too many requests' })
        const header = last!.headers.get('retry-after')
        if (retryAfter === 'seconds') expect(Number(header)).toBeGreaterThan(50)
        if (retryAfter === 'date') expect(Date.parse(header ?? '')).toBeGreaterThan(Date.now() + 50_000)
        if (retryAfter === 'none') expect(header).toBeNull()
      } finally {
        await limited.close()
      }
    }
  })
})

describe('close', () => {
  it('returns promptly with an idle keep-alive socket and a request held by a delay', async () => {
    const other = await startEmulator()
    other.faults.add({ path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'delay', ms: 60_000 }] })
    const { port } = new URL(other.url)
    const socket = connect(Number(port), '127.0.0.1')
    socket.on('error', () => undefined)
    await new Promise(resolve => socket.once('connect', resolve))
    const held = fetch(`${other.url}/sandbox/generate-sandbox/wms`, { method: 'POST' }).catch(() => 'failed')
    await sleep(50)
    const started = Date.now()
    await other.close()
    // long before the held request's minute is up, however busy the machine
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(await held).toBe('failed')
    socket.destroy()
  })
})

describe('cli', () => {
  it('prints the listening line, serves, and exits 0 on SIGTERM', async () => {
    const { child, url } = await startCli(['--provision-ms', '0'])
    try {
      const res = await fetch(`${url}/_emulator/sandboxes`, { signal: AbortSignal.timeout(5000) })
      expect(res.status).toBe(200)
      const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }, 20_000)
})
