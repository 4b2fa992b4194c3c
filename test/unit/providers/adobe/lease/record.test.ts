// The lease record in a sandbox title: its format (what docs/pools.md documents), how a title is
// read back, and what a pool member's record and state make it to a job that wants a lease.
import { MAX_TITLE } from '../../../../../src/core/limits'
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../../../../src/providers/adobe/api'
import {
  claimable,
  damagedKey,
  describeHolders,
  formatFree,
  formatHeld,
  holderText,
  isOwn,
  MAX_LEASE_MS,
  needsReset,
  parseLeaseTitle,
  pick,
  poolStatus,
  slotOf,
  workRank,
  type Claimable,
  type Slot
} from '../../../../../src/providers/adobe/lease/record'

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

describe('reading a record, edge by edge', () => {
  const held = formatHeld(NOW + 60_000, NONCE, holderText(RUN))
  it.each([
    ['blanks around it', `  ${held}  `, 'held'],
    ['runs of blanks between the words', held.replace(/ /g, '   '), 'held'],
    ['a word that only starts with lease', `leases v1 held until=2026-11-25T12:01:00Z nonce=${NONCE}`, 'none'],
    ['lease in the middle', `my lease v1 held until=2026-11-25T12:01:00Z nonce=${NONCE}`, 'none'],
    ['an expiry with a prefix', `lease v1 held until=x2026-11-25T12:01:00Z nonce=${NONCE}`, 'unreadable'],
    ['an expiry with a suffix', `lease v1 held until=2026-11-25T12:01:00Zx nonce=${NONCE}`, 'unreadable'],
    ['a nonce one short', `lease v1 held until=2026-11-25T12:01:00Z nonce=${NONCE.slice(1)}`, 'unreadable'],
    ['a nonce one long', `lease v1 held until=2026-11-25T12:01:00Z nonce=${NONCE}0`, 'unreadable'],
    ['a nonce with a prefix', `lease v1 held until=2026-11-25T12:01:00Z nonce=x${NONCE.slice(1)}`, 'unreadable'],
    ['no nonce', 'lease v1 held until=2026-11-25T12:01:00Z', 'unreadable'],
    ['an unknown state word', `lease v1 taken until=2026-11-25T12:01:00Z nonce=${NONCE}`, 'unreadable'],
    ['no title', undefined, 'none']
  ] as const)('%s', (_what, title, kind) => expect(parseLeaseTitle(title).kind).toBe(kind))

  it('takes the first of a repeated key, and ignores words without a key', () => {
    const rec = parseLeaseTitle(`lease v1 held until=2026-11-25T12:01:00Z nonce=${NONCE} nonce=ffffffffffffffff =x until=2030-01-01T00:00:00Z by=a run=1.1 job=j junk`)
    expect(rec).toEqual({ kind: 'held', until: Date.parse('2026-11-25T12:01:00Z'), nonce: NONCE, holder: 'by=a run=1.1 job=j' })
  })

  it('keeps a value that holds an equals sign past its first one', () => {
    expect(parseLeaseTitle(`lease v1 held until=2026-11-25T12:01:00Z nonce=${NONCE} by=a=b`)).toMatchObject({ holder: 'by=a=b' })
  })

  it('reads the holder words of a free record, whatever their order, and nothing else', () => {
    expect(parseLeaseTitle('lease v1 free reset=no job=j x=1 last=acme/shop run=2.1')).toEqual({ kind: 'free', resetAt: undefined, last: 'job=j last=acme/shop run=2.1' })
    expect(parseLeaseTitle('lease v1 free reset=no')).toEqual({ kind: 'free', resetAt: undefined, last: undefined })
    expect(parseLeaseTitle('lease v1 free reset=2026-11-25T11:00:00Z')).toEqual({ kind: 'free', resetAt: Date.parse('2026-11-25T11:00:00Z'), last: undefined })
    expect(parseLeaseTitle('lease v1 free reset=yesterday').kind).toBe('unreadable')
    expect(parseLeaseTitle('lease v1 free').kind).toBe('unreadable')
  })

  it('names the holder as by=, and only the free record as last=', () => {
    expect(holderText(RUN)).toBe('by=acme/Shop_API run=9876543210.2 job=integration')
    expect(holderText({ ...RUN, repository: '', job: undefined, runAttempt: undefined })).toBe('by=Shop_API run=9876543210.1 job=unknown')
    expect(holderText({ ...RUN, repository: 'a b=c', job: '' })).toBe('by=a_b_c run=9876543210.2 job=_')
    expect(formatFree(NOW, 'by=x run=1.1 job=y')).toBe('lease v1 free reset=2026-11-25T12:00:00Z last=x run=1.1 job=y')
    // only a leading by= becomes last=
    expect(formatFree(NOW, 'run=1.1 by=x')).toBe('lease v1 free reset=2026-11-25T12:00:00Z run=1.1 by=x')
  })

  it('cuts a record at exactly the longest title Adobe accepts', () => {
    const exact = formatHeld(NOW, NONCE, `by=${'x'.repeat(MAX_TITLE - formatHeld(NOW, NONCE, 'by=').length)}`)
    expect(exact.length).toBe(MAX_TITLE)
    const over = formatHeld(NOW, NONCE, `by=${'x'.repeat(MAX_TITLE)}`)
    expect(over.length).toBe(MAX_TITLE)
    expect(over.endsWith('x')).toBe(true)
  })
})

describe('why a member is not leased, in the words the notices use', () => {
  it.each([
    ['gone', undefined, false, 'does not exist'],
    ['deleted', { state: 'deleted' }, false, 'does not exist'],
    ['the default one', { isDefault: true }, true, "is the organization's default sandbox, which is never leased"],
    ['production', { type: 'production' }, false, 'is a production sandbox (set allow-production: true to lease it)'],
    ['failed', { state: 'failed' }, true, 'is in state "failed" (delete it and create it again)'],
    ['being deleted', { state: 'cleaning' }, false, 'is being deleted (state cleaning)'],
    ['a damaged record without a date', { title: 'lease v9' }, false, 'has a title that starts like a lease record but cannot be read, and no date: fix its title ("lease v9")']
  ] as const)('%s', (_what, over, allowProduction, why) => {
    const slot = slotOf(over === undefined ? undefined : box(over as Partial<Sandbox>), NOW, allowProduction)
    expect(slot).toEqual({ kind: 'excluded', why })
  })

  it('an expiry at this very instant has passed; a damaged record exactly as old as the longest lease has too', () => {
    expect(slotOf(box({ title: formatHeld(NOW, NONCE, 'by=x') }), NOW, false)).toEqual({ kind: 'expired', holder: 'by=x' })
    expect(slotOf(box({ title: formatHeld(NOW + 1000, NONCE, 'by=x') }), NOW, false)).toEqual({ kind: 'held', until: NOW + 1000, holder: 'by=x' })
    const changed = '2026-11-25 06:00:00'
    expect(slotOf(box({ title: 'lease v9', lastModifiedDate: changed }), NOW, false)).toEqual({ kind: 'expired', holder: 'unknown' })
  })

  it('a free record on a sandbox in a state no document names is not ready: it is reset first', () => {
    const free = formatFree(NOW - 60_000, 'by=x')
    expect(slotOf(box({ title: free, state: 'mystery' }), NOW, false).kind).toBe('resetting')
    expect(slotOf(box({ title: formatFree(undefined, 'by=x'), state: 'resetting' }), NOW, false).kind).toBe('dirty')
  })

  it('names an unknown holder, and none when nobody holds anything', () => {
    expect(describeHolders([{ name: 'a', slot: { kind: 'held', until: NOW, holder: '' } }])).toBe('a: unknown holder until 2026-11-25T12:00:00Z')
    expect(describeHolders([{ name: 'a', slot: { kind: 'ready' } }])).toBe('none')
  })

  it('spreads racing jobs over equal members, and never past the last one', () => {
    const members = ['a', 'b', 'c'].map(name => ({ name, slot: { kind: 'ready' } as Slot }))
    expect(pick(members, () => 0.34)?.name).toBe('b')
    expect(pick(members, () => 0.67)?.name).toBe('c')
    expect(pick(members, () => 1)?.name).toBe('c')
  })
})

describe('a job\'s own records', () => {
  const mine = formatHeld(NOW + 5000, NONCE, 'by=me')
  const theirs = formatHeld(NOW + 5000, 'ffffffffffffffff', 'by=them')
  const own = { nonce: NONCE, was: { kind: 'ready' } as const, damaged: new Set([damagedKey({ title: 'lease v1 he', lastModifiedDate: '2026-11-25 12:00:00' })]) }

  it('a record with its nonce, or a write of its own stored damaged, stands for the sandbox as it was', () => {
    expect(isOwn(box({ title: mine }), own)).toBe(true)
    expect(slotOf(box({ title: mine }), NOW, false, own)).toEqual({ kind: 'ready' })
    expect(isOwn(box({ title: 'lease v1 he', lastModifiedDate: '2026-11-25 12:00:00' }), own)).toBe(true)
    expect(slotOf(box({ title: 'lease v1 he', lastModifiedDate: '2026-11-25 12:00:00' }), NOW, false, own)).toEqual({ kind: 'ready' })
  })

  it('anything else is not its own: another nonce, another damaged title, the same title changed later, no own records at all', () => {
    expect(isOwn(box({ title: theirs }), own)).toBe(false)
    expect(isOwn(box({ title: 'lease v1 hx', lastModifiedDate: '2026-11-25 12:00:00' }), own)).toBe(false)
    expect(isOwn(box({ title: 'lease v1 he', lastModifiedDate: '2026-11-25 12:00:01' }), own)).toBe(false)
    expect(isOwn(box({ title: mine }), undefined)).toBe(false)
    expect(isOwn(box({ title: formatFree(NOW, 'by=me') }), own)).toBe(false)
    expect(slotOf(box({ title: theirs }), NOW, false, own).kind).toBe('held')
  })

  it('the damaged key tells title and date apart, and a missing one from an empty one', () => {
    expect(damagedKey({ title: 'a', lastModifiedDate: 'b' })).toBe('a\nb')
    expect(damagedKey({})).toBe('\n')
    expect(damagedKey({ title: 'a\nb' })).not.toBe(damagedKey({ title: 'a', lastModifiedDate: 'b' }) + 'x')
  })

  it('only ready, resetting, dirty and expired members may be claimed', () => {
    expect((['ready', 'resetting', 'dirty', 'expired'] as const).every(kind => claimable({ kind, holder: 'h' } as Slot))).toBe(true)
    expect(claimable({ kind: 'held', until: NOW, holder: 'h' })).toBe(false)
    expect(claimable({ kind: 'excluded', why: 'w' })).toBe(false)
  })
})

describe('seeded members and upkeep holds', () => {
  const by = 'by=acme/shop run=7.1 job=t'
  const PKG = 'pkg-1'

  it('a free record names the package imported since its reset, and only after a reset', () => {
    const t = formatFree(NOW, by, PKG)
    expect(t).toBe(`lease v1 free reset=2026-11-25T12:00:00Z seeded=${PKG} last=acme/shop run=7.1 job=t`)
    expect(parseLeaseTitle(t)).toEqual({ kind: 'free', resetAt: NOW, last: 'last=acme/shop run=7.1 job=t', seeded: PKG })
    // without a reset nothing is known to be clean: the package is not written, nor read
    expect(formatFree(undefined, by, PKG)).not.toContain('seeded=')
    expect(parseLeaseTitle(`lease v1 free reset=no seeded=${PKG} last=x`)).toEqual({ kind: 'free', resetAt: undefined, last: 'last=x' })
    expect(parseLeaseTitle('lease v1 free reset=2026-11-25T12:00:00Z seeded= last=x')).toEqual({ kind: 'free', resetAt: NOW, last: 'last=x' })
  })

  it('a package id that could split the record is written so that it cannot', () => {
    const t = formatFree(NOW, by, 'a b=c')
    expect(parseLeaseTitle(t)).toMatchObject({ kind: 'free', seeded: 'a_b_c' })
  })

  it.each(['creating', 'resetting', 'seeding'] as const)('a hold doing %s says so, and is a held record to every reader', doing => {
    const t = formatHeld(NOW + 60_000, NONCE, by, doing)
    expect(t).toBe(`lease v1 held until=2026-11-25T12:01:00Z nonce=${NONCE} doing=${doing} by=acme/shop run=7.1 job=t`)
    expect(parseLeaseTitle(t)).toEqual({ kind: 'held', until: NOW + 60_000, nonce: NONCE, holder: by, doing })
    expect(slotOf(box({ title: t }), NOW, false)).toEqual({ kind: 'held', until: NOW + 60_000, holder: by, doing })
  })

  it('an unknown doing= is read as a plain hold, never as free', () => {
    expect(parseLeaseTitle(`lease v1 held until=2026-11-25T12:01:00Z nonce=${NONCE} doing=painting ${by}`)).toEqual({ kind: 'held', until: NOW + 60_000, nonce: NONCE, holder: by })
  })

  it('a ready member carries its package', () => {
    expect(slotOf(box({ title: formatFree(NOW - 1000, by, PKG) }), NOW, false)).toEqual({ kind: 'ready', seeded: PKG })
    expect(slotOf(box({ title: formatFree(NOW - 1000, by, PKG), state: 'resetting' }), NOW, false)).toEqual({ kind: 'resetting' })
  })

  // every claimable slot x the package a lease wants: least work first
  const slots: [string, Claimable][] = [
    ['ready, seeded with pkg-1', { kind: 'ready', seeded: PKG }],
    ['ready, seeded with pkg-2', { kind: 'ready', seeded: 'pkg-2' }],
    ['ready, clean', { kind: 'ready' }],
    ['resetting', { kind: 'resetting' }],
    ['dirty', { kind: 'dirty' }],
    ['expired', { kind: 'expired', holder: 'h' }]
  ]
  const want: Record<string, [number[], boolean[]]> = {
    // ranks, then needsReset, in the order of `slots`
    [PKG]: [[0, 3, 1, 2, 4, 5], [false, true, false, false, true, true]],
    none: [[3, 3, 0, 2, 4, 5], [true, true, false, false, true, true]]
  }
  it.each(Object.entries(want))('ranks every slot for a lease that wants %s', (pkg, [ranks, resets]) => {
    const p = pkg === 'none' ? undefined : pkg
    expect(slots.map(([, s]) => workRank(s, p))).toEqual(ranks)
    expect(slots.map(([, s]) => needsReset(s, p))).toEqual(resets)
  })

  it('picks the member seeded with the wanted package over a clean one, and a clean one when none is wanted', () => {
    const members = slots.map(([name, slot]) => ({ name, slot: slot as Slot }))
    for (let i = 0; i < 20; i++) {
      const r = () => i / 20
      expect(pick(members, r, PKG)?.name).toBe('ready, seeded with pkg-1')
      expect(pick(members, r)?.name).toBe('ready, clean')
      expect(pick(members, r, 'pkg-2')?.name).toBe('ready, seeded with pkg-2')
      expect(pick(members.filter(m => m.slot.kind !== 'ready'), r, PKG)?.name).toBe('resetting')
    }
  })

  it('gives every member its pool status', () => {
    const st = (over: Partial<Sandbox>, pkg?: string) => poolStatus(box(over), slotOf(box(over), NOW, false), pkg)
    expect(st({ title: formatFree(NOW - 1000, by, PKG) }, PKG)).toBe('ready')
    expect(st({ title: formatFree(NOW - 1000, by) }, PKG)).toBe('seeding')
    expect(st({ title: formatFree(NOW - 1000, by) })).toBe('ready')
    expect(st({ title: formatFree(NOW - 1000, by, PKG) })).toBe('resetting')
    expect(st({ title: formatFree(NOW - 1000, by, 'pkg-2') }, PKG)).toBe('resetting')
    expect(st({ title: formatFree(NOW - 1000, by), state: 'resetting' }, PKG)).toBe('resetting')
    expect(st({ title: formatFree(undefined, by) }, PKG)).toBe('resetting')
    expect(st({ title: formatHeld(NOW + 60_000, NONCE, by) })).toBe('leased')
    expect(st({ title: formatHeld(NOW - 1000, NONCE, by) })).toBe('resetting')
    expect(st({ title: formatHeld(NOW + 60_000, NONCE, by, 'seeding') })).toBe('seeding')
    expect(st({ title: formatHeld(NOW + 60_000, NONCE, by, 'creating'), state: 'creating' })).toBe('creating')
    expect(st({ title: formatHeld(NOW + 60_000, NONCE, by), state: 'failed' })).toBe('failed')
    expect(st({ title: 'made by hand', state: 'creating' })).toBe('creating')
    expect(st({ title: 'made by hand' })).toBe('resetting')
    expect(st({ title: formatFree(NOW - 1000, by), isDefault: true, type: 'production' })).toBeUndefined()
    expect(st({ title: formatFree(NOW - 1000, by), state: 'deleting' })).toBeUndefined()
  })
})
