// The lease record in a sandbox title: its format (what the README documents), how a title is
// read back, and what a pool member's record and state make it to a job that wants a lease.
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/providers/adobe/api'
import {
  describeHolders,
  formatFree,
  formatHeld,
  holderText,
  MAX_LEASE_MS,
  MAX_TITLE,
  parseLeaseTitle,
  pick,
  slotOf,
  type Slot
} from '../../src/providers/adobe/lease-record'

const RUN = { repository: 'acme/Shop_API', repo: 'Shop_API', runId: 9876543210, runAttempt: 2, job: 'integration', serverUrl: 'https://github.com' }
const NOW = Date.parse('2026-11-25T12:00:00Z')
const NONCE = '3f9c2a7b1d4e5f60'

describe('lease record format', () => {
  it('writes the holder, the expiry and the nonce, and reads them back', () => {
    const title = formatHeld(NOW + 3600_000, NONCE, holderText(RUN))
    expect(title).toBe('lease v1 held until=2026-11-25T13:00:00Z nonce=3f9c2a7b1d4e5f60 by=acme/Shop_API run=9876543210.2 job=integration')
    expect(parseLeaseTitle(title)).toEqual({ kind: 'held', until: NOW + 3600_000, nonce: NONCE, holder: 'by=acme/Shop_API run=9876543210.2 job=integration' })
  })

  it('writes the free marker with the time of the reset, or reset=no', () => {
    const free = formatFree(NOW, holderText(RUN))
    expect(free).toBe('lease v1 free reset=2026-11-25T12:00:00Z last=acme/Shop_API run=9876543210.2 job=integration')
    expect(parseLeaseTitle(free)).toEqual({ kind: 'free', resetAt: NOW, last: 'last=acme/Shop_API run=9876543210.2 job=integration' })
    expect(parseLeaseTitle(formatFree(undefined, holderText(RUN)))).toMatchObject({ kind: 'free', resetAt: undefined })
  })

  it('keeps a title within what Adobe accepts, and values that cannot split the record', () => {
    const long = holderText({ ...RUN, repository: `acme/${'r'.repeat(300)}`, job: 'a job=with spaces' })
    expect(long).toContain('job=a_job_with_spaces')
    const title = formatHeld(NOW, NONCE, long)
    expect(title.length).toBe(MAX_TITLE)
    // the expiry and nonce come first, so a cut holder never makes the record unreadable
    expect(parseLeaseTitle(title)).toMatchObject({ kind: 'held', until: NOW, nonce: NONCE })
  })

  it('treats a title it did not write as no lease, and a damaged record as unreadable', () => {
    expect(parseLeaseTitle('CI pool sandbox 1')).toEqual({ kind: 'none' })
    expect(parseLeaseTitle(undefined)).toEqual({ kind: 'none' })
    expect(parseLeaseTitle('leased to nobody')).toEqual({ kind: 'none' })
    for (const bad of [
      'lease v2 held until=2026-11-25T13:00:00Z nonce=3f9c2a7b1d4e5f60',
      'lease v1 held until=tomorrow nonce=3f9c2a7b1d4e5f60',
      'lease v1 held until=2026-11-25T13:00:00Z nonce=short',
      'lease v1 free reset=maybe',
      'lease v1 taken'
    ]) {
      expect(parseLeaseTitle(bad), bad).toEqual({ kind: 'unreadable' })
    }
  })
})

const box = (over: Partial<Sandbox>): Sandbox => ({ name: 'ci-pool-1', state: 'active', type: 'development', isDefault: false, ...over })

describe('what a pool member is to a job', () => {
  const held = formatHeld(NOW + 60_000, NONCE, holderText(RUN))
  const expired = formatHeld(NOW - 1000, NONCE, holderText(RUN))
  const free = formatFree(NOW - 60_000, 'by=x run=1.1 job=y')
  const cases: [string, Partial<Sandbox>, boolean, Slot['kind']][] = [
    ['the default sandbox', { isDefault: true, type: 'production', title: free }, true, 'excluded'],
    ['production without allow-production', { type: 'production', title: free }, false, 'excluded'],
    ['production with allow-production', { type: 'production', title: free }, true, 'ready'],
    ['a failed one', { state: 'failed', title: free }, false, 'excluded'],
    ['one being deleted', { state: 'deleting', title: free }, false, 'excluded'],
    ['a live lease', { title: held }, false, 'held'],
    ['an expired lease', { title: expired }, false, 'expired'],
    ['free and reset', { title: free }, false, 'ready'],
    ['free, its reset running', { title: free, state: 'resetting' }, false, 'resetting'],
    ['free, not reset', { title: formatFree(undefined, 'by=x') }, false, 'dirty'],
    ['never leased', { title: 'made by hand' }, false, 'dirty'],
    ['unreadable, changed lately', { title: 'lease v9 x', lastModifiedDate: '2026-11-25 11:00:00' }, false, 'held'],
    ['unreadable, unchanged for longer than any lease', { title: 'lease v9 x', lastModifiedDate: '2026-11-25 05:59:59' }, false, 'expired'],
    ['unreadable without a date', { title: 'lease v9 x' }, false, 'excluded']
  ]
  it.each(cases)('%s', (_what, over, allowProduction, kind) => {
    expect(slotOf(box(over), NOW, allowProduction).kind).toBe(kind)
  })

  it('holds an unreadable record for the longest lease-ttl after its last change (fail closed)', () => {
    const slot = slotOf(box({ title: 'lease v9 x', lastModifiedDate: '2026-11-25 11:00:00' }), NOW, false)
    expect(slot).toEqual({ kind: 'held', until: Date.parse('2026-11-25T11:00:00Z') + MAX_LEASE_MS, holder: 'unknown (its title cannot be read)' })
  })

  it('picks ready before resetting before dirty before expired, never a held one, at random among equals', () => {
    const m = (name: string, kind: Slot['kind']) => ({ name, slot: (kind === 'held' ? { kind, until: NOW, holder: 'h' } : kind === 'expired' ? { kind, holder: 'h' } : kind === 'excluded' ? { kind, why: 'w' } : { kind }) as Slot })
    const members = [m('a', 'expired'), m('b', 'dirty'), m('c', 'held'), m('d', 'resetting'), m('e', 'ready'), m('f', 'ready')]
    expect(pick(members, () => 0)?.name).toBe('e')
    expect(pick(members, () => 0.99)?.name).toBe('f')
    expect(pick(members.filter(x => x.slot.kind !== 'ready'), () => 0)?.name).toBe('d')
    expect(pick([m('a', 'expired'), m('b', 'dirty')], () => 0)?.name).toBe('b')
    expect(pick([m('c', 'held'), m('x', 'excluded')])).toBeUndefined()
  })

  it('names who holds what', () => {
    const members = [
      { name: 'ci-pool-1', slot: slotOf(box({ title: held }), NOW, false) },
      { name: 'ci-pool-2', slot: slotOf(box({ title: free }), NOW, false) }
    ]
    expect(describeHolders(members)).toBe('ci-pool-1: by=acme/Shop_API run=9876543210.2 job=integration until 2026-11-25T12:01:00Z')
    expect(describeHolders([])).toBe('none')
  })
})
