// The `hold` fault: a request whose outcome its client never learns, however slowly the client
// runs: nothing is answered until the client gives up, and then the provider acts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator'
import { SANDBOXES, adobeHeaders } from './helpers'

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

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise(r => setTimeout(r, 25))
  expect(check(), what).toBe(true)
}

describe('hold fault', () => {
  it('answers nothing while the client waits, and acts once it gives up', async () => {
    emu.faults.add({ method: 'POST', path: SANDBOXES, faults: [{ kind: 'hold' }] })
    const giveUp = new AbortController()
    const sent = fetch(`${emu.url}${SANDBOXES}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'x-sandbox-name': 'held' },
      body: JSON.stringify({ name: 'held', title: 'held', type: 'development' }),
      signal: giveUp.signal
    })
    await until(() => emu.requests.some(r => r.fault === 'hold'), 'the request arrived')
    // however long the client waits, nothing happens while it does
    await new Promise(r => setTimeout(r, 200))
    expect(emu.adobe.get('held')).toBeUndefined()
    giveUp.abort()
    await expect(sent).rejects.toThrow()
    await until(() => emu.adobe.get('held') !== undefined, 'the provider acted after the client gave up')
    expect(emu.requests.find(r => r.fault === 'hold')?.status).toBe(0)
  })

  it('acts `ms` after the client gave up, not before', async () => {
    emu.faults.add({ method: 'POST', path: SANDBOXES, faults: [{ kind: 'hold', ms: 300 }] })
    const giveUp = new AbortController()
    const sent = fetch(`${emu.url}${SANDBOXES}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'x-sandbox-name': 'later' },
      body: JSON.stringify({ name: 'later', title: 'later', type: 'development' }),
      signal: giveUp.signal
    })
    await until(() => emu.requests.some(r => r.fault === 'hold'), 'the request arrived')
    giveUp.abort()
    await expect(sent).rejects.toThrow()
    const gaveUpAt = Date.now()
    await until(() => emu.adobe.get('later') !== undefined, 'the provider acted')
    expect(Date.now() - gaveUpAt).toBeGreaterThanOrEqual(250)
  })

  it('is checked like every fault: a negative ms is refused', () => {
    expect(() => emu.faults.add({ path: SANDBOXES, faults: [{ kind: 'hold', ms: -1 }] })).toThrow(/hold ms must be >= 0/)
  })
})
