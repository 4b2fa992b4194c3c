// List faults (capped, shifting and repeating pages), skewed dates, and rules that stay in force.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DATE_SKEWS, startEmulator, type Emulator } from '../../emulator'
import { SANDBOXES, adobeHeaders, call, manualClock } from './helpers'

const clock = manualClock()
let emu: Emulator
let headers: Record<string, string>
beforeAll(async () => {
  emu = await startEmulator({ now: clock.now, adobe: { createMs: 0, deleteMs: 0, licenseLimit: 1000 } })
})
afterAll(() => emu.close())
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
  headers = adobeHeaders(emu)
  for (let i = 1; i <= 9; i++) emu.adobe.seed({ name: `s${i}` })
})

const page = (limit: number, offset: number) => call(emu, 'GET', `${SANDBOXES}?limit=${limit}&offset=${offset}`, { headers })
const names = (res: { body: { sandboxes: { name: string }[] } }) => res.body.sandboxes.map(s => s.name)
const addRule = (rule: unknown) => fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(rule) })

describe('cap-page', () => {
  it('caps one page below what was asked, and says so in _page.limit; the next page is whole', async () => {
    emu.faults.add({ method: 'GET', path: SANDBOXES, faults: [{ kind: 'cap-page', limit: 3 }] })
    const capped = await page(5, 0)
    expect(capped.body._page).toEqual({ limit: 3, count: 3 })
    expect(names(capped)).toEqual(['prod', 's1', 's2'])
    const next = await page(5, 3)
    expect(next.body._page).toEqual({ limit: 5, count: 5 })
    expect(names(next)).toEqual(['s3', 's4', 's5', 's6', 's7'])
  })
})

describe('ignore-offset', () => {
  it('answers the first page whatever the offset, while the rule lasts (repeatLast keeps it)', async () => {
    expect((await addRule({ method: 'GET', path: SANDBOXES, repeatLast: true, faults: [{ kind: 'ignore-offset' }] })).status).toBe(201)
    const first = await page(4, 0)
    const second = await page(4, 4)
    const third = await page(4, 8)
    expect(names(second)).toEqual(names(first))
    expect(names(third)).toEqual(['prod', 's1', 's2', 's3'])
    expect(emu.faults.pending()).toBe(1)
    emu.faults.clear()
    expect(names(await page(4, 4))).toEqual(['s4', 's5', 's6', 's7'])
  })
})

describe('shift-pages', () => {
  it('insert: records appear at the head after the page, so the next offset repeats what was seen', async () => {
    emu.faults.add({ method: 'GET', path: SANDBOXES, faults: [{ kind: 'shift-pages', insert: 2 }] })
    const first = await page(4, 0)
    expect(names(first)).toEqual(['prod', 's1', 's2', 's3'])
    const second = await page(4, 4)
    expect(names(second)).toEqual(['s2', 's3', 's4', 's5'])
    const inserted = emu.adobe.sandboxes().slice(1, 3)
    expect(inserted.map(s => s.name)).toEqual([expect.stringMatching(/^foreign-/), expect.stringMatching(/^foreign-/)])
    expect(inserted.every(s => s.state === 'active' && !s.isDefault)).toBe(true)
    expect(emu.adobe.history().filter(c => c.cause === 'insert')).toHaveLength(2)
  })

  it('remove: records leave the head of the list, so the next offset skips some; the default stays', async () => {
    expect((await addRule({ method: 'GET', path: SANDBOXES, faults: [{ kind: 'shift-pages', remove: 2, insert: 0 }] })).status).toBe(201)
    await page(4, 0)
    const second = await page(4, 4)
    expect(names(second)).toEqual(['s6', 's7', 's8', 's9'])
    expect(emu.adobe.get('s1')).toBeUndefined()
    expect(emu.adobe.get('prod')?.isDefault).toBe(true)
    expect(emu.adobe.history().filter(c => c.cause === 'purge').map(c => [c.name, c.to])).toEqual([
      ['s1', 'deleted'],
      ['s2', 'deleted']
    ])
  })

  it('takes a prefix and refuses an empty or bad rule', async () => {
    emu.faults.add({ path: SANDBOXES, faults: [{ kind: 'shift-pages', insert: 1, prefix: 'other-job-' }] })
    await page(2, 0)
    expect(emu.adobe.sandboxes()[1].name).toMatch(/^other-job-[0-9a-f]{8}$/)
    for (const bad of [{ kind: 'shift-pages' }, { kind: 'shift-pages', insert: -1 }, { kind: 'shift-pages', insert: 1, prefix: 'Bad' }]) {
      expect((await addRule({ path: SANDBOXES, faults: [bad] })).status, JSON.stringify(bad)).toBe(400)
    }
  })
})

describe('skew-dates', () => {
  const created = '2024-05-01 12:00:00'
  beforeEach(() => {
    emu.adobe.seed({ name: 'dated', createdDate: created, lastModifiedDate: created })
  })
  const datedBy = async (fault: Record<string, unknown>) => {
    emu.faults.add({ method: 'GET', path: `${SANDBOXES}/dated`, faults: [{ kind: 'skew-dates', ...fault } as never] })
    return (await call(emu, 'GET', `${SANDBOXES}/dated`, { headers })).body
  }

  it('writes each style as documented', async () => {
    const at = Date.parse('2024-05-01T12:00:00Z')
    expect((await datedBy({ style: 'iso' })).createdDate).toBe('2024-05-01T12:00:00.000Z')
    expect((await datedBy({ style: 'zone' })).createdDate).toBe('2024-05-01T21:00:00+09:00')
    expect(Date.parse((await datedBy({ style: 'zone', hours: -5.5 })).createdDate)).toBe(at)
    expect((await datedBy({ style: 'shifted', hours: -7 })).createdDate).toBe('2024-05-01 05:00:00')
    expect((await datedBy({ style: 'epoch' })).createdDate).toBe(at)
    expect((await datedBy({ style: 'http' })).createdDate).toBe('Wed, 01 May 2024 12:00:00 GMT')
    expect((await datedBy({ style: 'future' })).createdDate).toMatch(/^2034-05-0\d \d\d:00:00$/)
    expect((await datedBy({ style: 'past', years: 2 })).createdDate).toMatch(/^2022-05-0\d \d\d:00:00$/)
    const invalid = await datedBy({ style: 'invalid' })
    expect([invalid.createdDate, invalid.lastModifiedDate]).toEqual(['0000-00-00 00:00:00', '0000-00-00 00:00:00'])
    // Only the faulted answer changed.
    expect(emu.adobe.get('dated')?.createdDate).toBe(created)
    expect((await call(emu, 'GET', `${SANDBOXES}/dated`, { headers })).body.createdDate).toBe(created)
  })

  it('skews every record of a list page and of a create answer; unknown styles are refused', async () => {
    emu.faults.add({ path: SANDBOXES, faults: [{ kind: 'skew-dates', style: 'future', years: 50 }, { kind: 'skew-dates', style: 'epoch' }] })
    const list = await page(50, 0)
    expect(list.body.sandboxes.every((s: { createdDate: string }) => s.createdDate.startsWith('207'))).toBe(true)
    const made = await call(emu, 'POST', SANDBOXES, { headers, body: { name: 'fresh', title: 'f', type: 'development' } })
    expect(made.body.createdDate).toBe(clock.now())
    expect(DATE_SKEWS).toContain('invalid')
    expect((await addRule({ path: SANDBOXES, faults: [{ kind: 'skew-dates', style: 'martian' }] })).status).toBe(400)
  })
})
