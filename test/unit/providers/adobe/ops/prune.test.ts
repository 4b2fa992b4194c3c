// Prune's selection and paging, on lists the test builds itself: which sandboxes are stale,
// and that the listing reads every page the way the server paged it, or fails.
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../../../../src/providers/adobe/api'
import { eachLimited, isStale, listAll, MAX_PAGES, parseAdobeDate, type Pager } from '../../../../../src/providers/adobe/ops/prune'

const HOUR = 3_600_000
const NOW = Date.UTC(2026, 5, 15, 12, 0, 0)
/** 'YYYY-MM-DD HH:mm:ss' UTC, `agoMs` before NOW, written by hand rather than by the code under test. */
function adobeDate(agoMs: number): string {
  const d = new Date(NOW - agoMs)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
}
const box = (name: string, extra: Partial<Sandbox> = {}): Sandbox => ({
  name, state: 'active', type: 'development', isDefault: false, lastModifiedDate: adobeDate(48 * HOUR), ...extra
})

describe('parseAdobeDate', () => {
  it('reads the API\'s zone-less dates as UTC', () => {
    expect(parseAdobeDate('2026-06-15 12:00:00')).toBe(NOW)
    expect(parseAdobeDate('2026-06-15 11:00:00')).toBe(NOW - HOUR)
  })
  it('honours a zone when one is given', () => {
    expect(parseAdobeDate('2026-06-15T12:00:00Z')).toBe(NOW)
    expect(parseAdobeDate('2026-06-15T14:00:00+02:00')).toBe(NOW)
  })
  it.each([undefined, '', 'yesterday', '2026-13-45 99:99:99'])('%j is no date', text => {
    expect(parseAdobeDate(text)).toBeUndefined()
  })
})

describe('isStale', () => {
  const day = 24 * HOUR
  it('a development sandbox with the prefix, changed longer ago than the age, is stale', () => {
    expect(isStale(box('gh-a'), 'gh-', day, NOW)).toBe(true)
  })
  it('judges the age: just younger is kept, just older goes', () => {
    expect(isStale(box('gh-a', { lastModifiedDate: adobeDate(day - 1000) }), 'gh-', day, NOW)).toBe(false)
    expect(isStale(box('gh-a', { lastModifiedDate: adobeDate(day + 1000) }), 'gh-', day, NOW)).toBe(true)
    // minutes: 90 minutes past a 60-minute age goes, 30 minutes is kept
    expect(isStale(box('gh-a', { lastModifiedDate: adobeDate(90 * 60_000) }), 'gh-', 60 * 60_000, NOW)).toBe(true)
    expect(isStale(box('gh-a', { lastModifiedDate: adobeDate(30 * 60_000) }), 'gh-', 60 * 60_000, NOW)).toBe(false)
  })
  it('uses the last change, not the creation, and the creation only when no change is given', () => {
    expect(isStale(box('gh-a', { createdDate: adobeDate(10 * day), lastModifiedDate: adobeDate(HOUR) }), 'gh-', day, NOW)).toBe(false)
    expect(isStale(box('gh-a', { createdDate: adobeDate(10 * day), lastModifiedDate: undefined }), 'gh-', day, NOW)).toBe(true)
    expect(isStale(box('gh-a', { createdDate: adobeDate(HOUR), lastModifiedDate: undefined }), 'gh-', day, NOW)).toBe(false)
  })
  it('keeps a sandbox whose age cannot be told', () => {
    expect(isStale(box('gh-a', { lastModifiedDate: undefined, createdDate: undefined }), 'gh-', day, NOW)).toBe(false)
    expect(isStale(box('gh-a', { lastModifiedDate: 'soon' }), 'gh-', day, NOW)).toBe(false)
  })
  it('needs the prefix at the start of the name', () => {
    expect(isStale(box('team-gh-a'), 'gh-', day, NOW)).toBe(false)
    expect(isStale(box('gh'), 'gh-', day, NOW)).toBe(false)
  })
  it('never the default sandbox, whatever its name and type', () => {
    expect(isStale(box('gh-a', { isDefault: true }), 'gh-', day, NOW)).toBe(false)
    expect(isStale({ ...box('gh-a'), isDefault: undefined } as unknown as Sandbox, 'gh-', day, NOW)).toBe(false)
  })
  it.each(['production', 'Development', ''])('never a sandbox of type %j', type => {
    expect(isStale(box('gh-a', { type }), 'gh-', day, NOW)).toBe(false)
  })
  it.each(['deleted', 'deleting', 'cleaning', 'de-provisioning'])('skips a sandbox already %s', state => {
    expect(isStale(box('gh-a', { state }), 'gh-', day, NOW)).toBe(false)
  })
  it.each(['active', 'failed', 'creating', 'provisioning', 'resetting'])('a stale sandbox that is %s goes', state => {
    expect(isStale(box('gh-a', { state }), 'gh-', day, NOW)).toBe(true)
  })
})

/** A server holding `names`, paging as told: its own page cap, ignoring the offset, or answering `limit` or not. */
function pager(names: string[], opts: { cap?: number; ignoreOffset?: boolean; sayLimit?: boolean; shiftAfter?: number } = {}): Pager & { calls: [number, number][] } {
  const calls: [number, number][] = []
  return {
    calls,
    async page(limit, offset) {
      calls.push([limit, offset])
      if (calls.length > 50) throw new Error('the listing does not end')
      const used = Math.min(limit, opts.cap ?? limit)
      // A shift: after some pages, a sandbox is created in front and every later one moves down.
      const list = opts.shiftAfter !== undefined && calls.length > opts.shiftAfter ? ['aa-new', ...names] : names
      const from = opts.ignoreOffset ? 0 : offset
      const sandboxes = list.slice(from, from + used).map(n => box(n))
      return { sandboxes, limit: opts.sayLimit === false ? undefined : used }
    }
  }
}
const names = (n: number, prefix = 'gh-'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`)

describe('listAll', () => {
  it.each([0, 1, 99, 100, 101, 250, 300])('lists all %i sandboxes, each once', async n => {
    const p = pager(names(n))
    const all = await listAll(p)
    expect(all.map(s => s.name).sort()).toEqual(names(n))
  })

  it('follows the page size the server used, not the one asked for: 130 sandboxes behind a cap of 50', async () => {
    const p = pager(names(130), { cap: 50 })
    const all = await listAll(p)
    expect(all).toHaveLength(130)
    expect(p.calls.map(([, offset]) => offset)).toEqual([0, 50, 100])
  })

  it('stops at a short page without asking for another', async () => {
    const p = pager(names(130), { cap: 50 })
    await listAll(p)
    expect(p.calls).toHaveLength(3)
  })

  it('without a page size in the answer, goes on to an empty page', async () => {
    const p = pager(names(130), { cap: 50, sayLimit: false })
    const all = await listAll(p)
    expect(all).toHaveLength(130)
    expect(p.calls.map(([, offset]) => offset)).toEqual([0, 50, 100, 130])
  })

  it('stops on an empty page even when the server claims a full one', async () => {
    const p: Pager = { page: async () => ({ sandboxes: [], limit: 100 }) }
    expect(await listAll(p)).toEqual([])
  })

  it('a server that ignores the offset ends the listing after two identical pages, with an error', async () => {
    const p = pager(names(250), { ignoreOffset: true })
    await expect(listAll(p)).rejects.toThrow(/page at offset 100 repeated the page before it.*ignore the offset.*nothing was deleted/)
    expect(p.calls).toHaveLength(2)
  })

  it('pages that shift while listing give each sandbox once', async () => {
    const p = pager(names(250), { shiftAfter: 1 })
    const all = await listAll(p)
    const listed = all.map(s => s.name)
    // gh-0099 moved across the page boundary and came twice: it is listed once
    expect(listed.filter(n => n === 'gh-0099')).toHaveLength(1)
    expect(listed.sort()).toEqual(names(250))
  })

  it('a name seen twice keeps its later record', async () => {
    let call = 0
    const p: Pager = {
      async page() {
        call++
        if (call === 1) return { sandboxes: [box('gh-a'), box('gh-b')], limit: 2 }
        if (call === 2) return { sandboxes: [box('gh-b', { state: 'cleaning' }), box('gh-c')], limit: 2 }
        return { sandboxes: [], limit: 2 }
      }
    }
    const all = await listAll(p)
    expect(all.map(s => `${s.name}:${s.state}`)).toEqual(['gh-a:active', 'gh-b:cleaning', 'gh-c:active'])
  })

  it('an error from a page ends the listing with that error', async () => {
    const boom = new Error('unreadable list')
    await expect(listAll({ page: async () => Promise.reject(boom) })).rejects.toBe(boom)
  })

  it('a server that never ends is cut off with an error', async () => {
    let offsetSeen = 0
    const endless: Pager = {
      async page(_limit, offset) {
        offsetSeen = offset
        return { sandboxes: [box(`gh-${offset}`)], limit: 1 }
      }
    }
    await expect(listAll(endless)).rejects.toThrow(/stopped after \d+ pages; nothing was deleted/)
    expect(offsetSeen).toBeGreaterThan(100)
  })
})

describe('eachLimited', () => {
  it('does every item once with at most `limit` in flight', async () => {
    let inFlight = 0
    let most = 0
    const done: number[] = []
    await eachLimited(Array.from({ length: 23 }, (_, i) => i), 5, async i => {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise(r => setTimeout(r, 1 + (i % 3)))
      done.push(i)
      inFlight--
    })
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i))
    expect(most).toBe(5)
  })
  it('does nothing for no items', async () => {
    let calls = 0
    await eachLimited([], 5, async () => void calls++)
    expect(calls).toBe(0)
  })
})

describe('parseAdobeDate in a runner whose clock is not on UTC', () => {
  // A zone-less API date is UTC whatever the runner's zone: read in local time it would be off by hours.
  const zone = process.env.TZ
  it('reads zone-less dates as UTC, and honours a zone written with or without a colon or after a space', () => {
    process.env.TZ = 'America/New_York'
    try {
      expect(parseAdobeDate('2026-06-15 12:00:00')).toBe(NOW)
      expect(parseAdobeDate('2026-06-15T12:00:00')).toBe(NOW)
      expect(parseAdobeDate('2026-06-15 14:00:00+02:00')).toBe(NOW)
      expect(parseAdobeDate('2026-06-15T14:00:00+0200')).toBe(NOW)
      expect(parseAdobeDate('2026-06-15T07:00:00-05:00')).toBe(NOW)
      expect(parseAdobeDate('2026-06-15 12:00:00z')).toBe(NOW)
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })
})

describe('isStale at the boundary', () => {
  it('a sandbox exactly as old as the age is kept: only older ones go', () => {
    expect(isStale(box('gh-a', { lastModifiedDate: adobeDate(HOUR) }), 'gh-', HOUR, NOW)).toBe(false)
    expect(isStale(box('gh-a', { lastModifiedDate: adobeDate(HOUR + 1000) }), 'gh-', HOUR, NOW)).toBe(true)
  })
})

describe('listAll stops at its page limit', () => {
  it('asks for exactly the number of pages it says it stopped after', async () => {
    let calls = 0
    const endless: Pager = {
      async page(_limit, offset) {
        calls++
        return { sandboxes: [box(`gh-${offset}`)], limit: 1 }
      }
    }
    const err = (await listAll(endless).catch(e => e)) as Error
    const said = Number(/stopped after (\d+) pages/.exec(err.message)?.[1])
    expect(said).toBe(MAX_PAGES)
    expect(calls).toBe(said)
  })
})
