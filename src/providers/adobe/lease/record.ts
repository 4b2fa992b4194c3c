// The lease record a pool sandbox carries in its title (the only field the Sandbox API lets a
// client change), and what a pool member's record and state make of it. Pure: no requests.
//
//   held:  lease v1 held until=2026-11-25T18:00:00Z nonce=3f9c2a7b1d4e5f60 by=acme/shop run=9876543210.1 job=test
//          (`doing=creating|resetting|seeding` after the nonce: held for pool upkeep, not by a job's tests)
//   free:  lease v1 free reset=2026-11-25T12:00:00Z seeded=<package id> last=acme/shop run=9876543210.1 job=test
//          (`reset=no` when the release could not reset it: the next lease resets it first;
//          `seeded=` names the package imported since that reset, and is left out when none was)
//
// Readers ignore a field they do not know, so a record with `doing=` or `seeded=` still reads
// the same to a release that predates them.
// Any other title is a sandbox the action never leased: free, but reset before use. A title
// that starts with `lease ` but cannot be read is held (fail closed) until its last change is
// older than the longest lease-ttl. Only names, ids and times go into a title, never a secret.
import { MAX_JOB_MS, MAX_TITLE } from '../../../core/limits'
import type { RunInfo } from '../../../core/run-info'
import type { Sandbox } from '../api'
import { parseAdobeDate } from '../ops/prune'
import { exists, inProgress, unusable } from '../states'

export const LEASE_TAG = 'lease v1'
/** the longest lease-ttl (a job's longest run): an unreadable record is held this long */
export const MAX_LEASE_MS = MAX_JOB_MS

/** What a hold for pool upkeep is doing: the pool status of its member. */
export type Upkeep = 'creating' | 'resetting' | 'seeding'
const UPKEEP: readonly string[] = ['creating', 'resetting', 'seeding']

export type LeaseRecord =
  | { kind: 'held'; until: number; nonce: string; holder: string; doing?: Upkeep }
  | { kind: 'free'; resetAt?: number; last?: string; seeded?: string }
  /** a title the action did not write */
  | { kind: 'none' }
  /** starts like a lease record, but cannot be read */
  | { kind: 'unreadable' }

/** ISO 8601 to the second, UTC. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

// A value must not break the `key=value` tokens apart.
const token = (v: string): string => v.replace(/[^\x21-\x7e]|=/g, '_') || '_'

/** The holder part: repository, run id and attempt, job. */
export function holderText(run: RunInfo): string {
  return `by=${token(run.repository || run.repo)} run=${run.runId}.${run.runAttempt ?? 1} job=${token(run.job ?? 'unknown')}`
}

function fit(title: string): string {
  return title.length <= MAX_TITLE ? title : title.slice(0, MAX_TITLE)
}

export function formatHeld(until: number, nonce: string, holder: string, doing?: Upkeep): string {
  return fit(`${LEASE_TAG} held until=${isoSeconds(until)} nonce=${nonce}${doing ? ` doing=${doing}` : ''} ${holder}`)
}

/** `seeded` only with a reset: a package imported into a sandbox not known to be clean says nothing. */
export function formatFree(resetAt: number | undefined, lastHolder: string, seeded?: string): string {
  const seed = resetAt !== undefined && seeded ? ` seeded=${token(seeded)}` : ''
  return fit(`${LEASE_TAG} free reset=${resetAt === undefined ? 'no' : isoSeconds(resetAt)}${seed} ${lastHolder.replace(/^by=/, 'last=')}`)
}

const NONCE = /^[0-9a-f]{16}$/

export function parseLeaseTitle(title: string | undefined): LeaseRecord {
  const t = (title ?? '').trim()
  if (!/^lease\b/.test(t)) return { kind: 'none' }
  const words = t.split(/\s+/)
  if (words[1] !== 'v1') return { kind: 'unreadable' }
  const fields = new Map<string, string>()
  for (const w of words.slice(3)) {
    const eq = w.indexOf('=')
    if (eq > 0 && !fields.has(w.slice(0, eq))) fields.set(w.slice(0, eq), w.slice(eq + 1))
  }
  const time = (v: string | undefined): number | undefined => (v && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(v) ? Date.parse(v) : undefined)
  const holder = words.slice(3).filter(w => /^(by|run|job)=/.test(w)).join(' ')
  if (words[2] === 'held') {
    const until = time(fields.get('until'))
    const nonce = fields.get('nonce') ?? ''
    if (until === undefined || !NONCE.test(nonce)) return { kind: 'unreadable' }
    const doing = fields.get('doing')
    return { kind: 'held', until, nonce, holder, ...(doing && UPKEEP.includes(doing) ? { doing: doing as Upkeep } : {}) }
  }
  if (words[2] === 'free') {
    const reset = fields.get('reset')
    const resetAt = time(reset)
    if (reset !== 'no' && resetAt === undefined) return { kind: 'unreadable' }
    const last = words.slice(3).filter(w => /^(last|run|job)=/.test(w)).join(' ')
    // a package id never holds `_`-replaced characters of its own (ID_PATTERN has none but `_`)
    const seeded = resetAt !== undefined ? fields.get('seeded') || undefined : undefined
    return { kind: 'free', resetAt, last: last || undefined, ...(seeded ? { seeded } : {}) }
  }
  return { kind: 'unreadable' }
}

/** What a pool member is to a job that wants a lease. */
export type Slot =
  /** never leased: the default sandbox, production without allow-production, failed, going away, gone */
  | { kind: 'excluded'; why: string }
  | { kind: 'held'; until: number; holder: string; doing?: Upkeep }
  /** free, active, and reset at its last release (and `seeded` with that package since): ready at once */
  | { kind: 'ready'; seeded?: string }
  /** free, and its release's reset is still running */
  | { kind: 'resetting' }
  /** free, but not known to be clean: reset after the claim */
  | { kind: 'dirty' }
  /** held past its expiry (a runner died before its post step): reset after the claim */
  | { kind: 'expired'; holder: string }

/** Claimable slots, best first. */
export const PREFERENCE = ['ready', 'resetting', 'dirty', 'expired'] as const

export type Claimable = Extract<Slot, { kind: (typeof PREFERENCE)[number] }>

export function claimable(slot: Slot): slot is Claimable {
  return (PREFERENCE as readonly string[]).includes(slot.kind)
}

/**
 * A job's own records on one sandbox: records that carry its nonce, and titles it read back
 * right after its own write that could not be read (its write, stored damaged). A look that
 * finds one sees the sandbox as it was before that write (`was`): the job's own record never
 * stands in its way.
 */
export interface Own {
  nonce: string
  was: Claimable
  /** `title` and `lastModifiedDate` of a damaged write, as read back */
  damaged: Set<string>
}

export const damagedKey = (s: Pick<Sandbox, 'title' | 'lastModifiedDate'>): string => `${s.title ?? ''}\n${s.lastModifiedDate ?? ''}`

/** Whether this record is one of the job's own (see Own). */
export function isOwn(s: Sandbox, own: Own | undefined): boolean {
  if (!own) return false
  const r = parseLeaseTitle(s.title)
  return (r.kind === 'held' && r.nonce === own.nonce) || own.damaged.has(damagedKey(s))
}

/**
 * What this member is to a job, with `nowMs` the Sandbox API's time (its earliest bound: an
 * expiry is passed only when surely passed) and `own` the job's own records on it.
 */
export function slotOf(s: Sandbox | undefined, nowMs: number, allowProduction: boolean, own?: Own): Slot {
  if (!exists(s)) return { kind: 'excluded', why: 'does not exist' }
  if (s.isDefault) return { kind: 'excluded', why: "is the organization's default sandbox, which is never leased" }
  if (s.type !== 'development' && !allowProduction) return { kind: 'excluded', why: `is a ${s.type ?? 'non-development'} sandbox (set allow-production: true to lease it)` }
  // Failed, or going away (deleting, cleaning, de-provisioning): it never becomes usable again.
  const why = unusable(s)
  if (why) return { kind: 'excluded', why: s.state === 'failed' ? 'is in state "failed" (delete it and create it again)' : why }
  if (isOwn(s, own)) return (own as Own).was
  const r = parseLeaseTitle(s.title)
  if (r.kind === 'unreadable') {
    const changed = parseAdobeDate(s.lastModifiedDate)
    if (changed === undefined) return { kind: 'excluded', why: `has a title that starts like a lease record but cannot be read, and no date: fix its title ("${s.title}")` }
    const until = changed + MAX_LEASE_MS
    return until > nowMs ? { kind: 'held', until, holder: 'unknown (its title cannot be read)' } : { kind: 'expired', holder: 'unknown' }
  }
  if (r.kind === 'held') return r.until > nowMs ? { kind: 'held', until: r.until, holder: r.holder, ...(r.doing ? { doing: r.doing } : {}) } : { kind: 'expired', holder: r.holder }
  if (r.kind === 'free' && r.resetAt !== undefined) {
    if (s.state === 'active') return r.seeded ? { kind: 'ready', seeded: r.seeded } : { kind: 'ready' }
    if (inProgress(s)) return { kind: 'resetting' }
  }
  return { kind: 'dirty' }
}

/**
 * How much work a claimable slot leaves a lease that wants `pkg` (undefined: no package), least
 * first: ready with that package; ready and clean (the import still to do); a reset already
 * running; ready but seeded with another package, or with one when none is wanted (reset first:
 * it holds what the job did not ask for); not known to be clean; taken over from an expired lease.
 */
export function workRank(slot: Claimable, pkg: string | undefined): number {
  switch (slot.kind) {
    case 'ready':
      return slot.seeded === undefined ? (pkg === undefined ? 0 : 1) : slot.seeded === pkg ? 0 : 3
    case 'resetting':
      return 2
    case 'dirty':
      return 4
    case 'expired':
      return 5
  }
}

/** Whether a claimed member must be reset before use (see workRank). */
export function needsReset(slot: Claimable, pkg: string | undefined): boolean {
  return workRank(slot, pkg) >= 3
}

/** The best claimable member (workRank); ties are broken at random so that racing jobs spread out. */
export function pick<T extends { slot: Slot }>(members: T[], random: () => number = Math.random, pkg?: string): T | undefined {
  const ranked = members.flatMap(m => (claimable(m.slot) ? [{ m, rank: workRank(m.slot, pkg) }] : []))
  if (ranked.length === 0) return undefined
  const best = Math.min(...ranked.map(r => r.rank))
  const same = ranked.filter(r => r.rank === best)
  return same[Math.min(same.length - 1, Math.floor(random() * same.length))].m
}

/** A member's pool status, as `pool_status` reports it. */
export type PoolStatus = 'ready' | 'leased' | 'resetting' | 'seeding' | 'creating' | 'failed'

/**
 * What a member is now, or goes through next before a job can use it, for a pool whose
 * package is `pkg`: `ready` to lease at once; `leased` by a job; `resetting` while a reset
 * runs or before the next use (dirty, an expired lease, another package); `seeding` while
 * its package is imported, or before the next use; `creating`; `failed`. Undefined for a
 * member that is not part of the pool's work (the default or a production sandbox, or on
 * its way out).
 */
export function poolStatus(s: Sandbox | undefined, slot: Slot, pkg: string | undefined): PoolStatus | undefined {
  if (s?.state === 'failed') return 'failed'
  if (s?.state === 'creating') return 'creating'
  switch (slot.kind) {
    case 'excluded':
      return undefined
    case 'held':
      return slot.doing ?? 'leased'
    case 'ready':
      return workRank(slot, pkg) === 0 ? 'ready' : workRank(slot, pkg) === 1 ? 'seeding' : 'resetting'
    default:
      return 'resetting'
  }
}

/** "ci-pool-1: by=acme/shop run=1.1 job=test until 14:05:00Z" for each held member. */
export function describeHolders(members: { name: string; slot: Slot }[]): string {
  const held = members.flatMap(m => (m.slot.kind === 'held' ? [`${m.name}: ${m.slot.holder || 'unknown holder'} until ${isoSeconds(m.slot.until)}`] : []))
  return held.length ? held.join('; ') : 'none'
}
