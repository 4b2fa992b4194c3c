// operation: lease. Take one development sandbox of a pool that no live lease holds, and
// release it in the post step (reset it, mark it free). The lease lives in the title
// (lease-record.ts). The Sandbox API has no compare-and-swap, so a claim is timed instead
// (Fischer's mutual exclusion):
//
//   1. look:   read the sandbox (the pool list, or one lookup) and see it free or expired, or
//              carrying a record of this job's own (an earlier round of this step);
//   2. write:  PATCH our record (the step's random nonce and a short, tentative expiry);
//   3. settle: wait S (the settle interval);
//   4. check:  read it back: exactly the title we wrote means we hold it; anything else means
//              we lost or cannot be sure, so we back off (a random part of S) and look again.
//              Then we write the full expiry.
//
// Timing assumptions (also in the README):
//   a. the API is read-your-writes consistent for one record: a read that starts after a
//      write was answered sees it (or a later one);
//   b. every claimant's write takes effect less than S after its look took effect. Each
//      claimant checks its own part: from sending the look to the write's answer must be
//      under S, else it does not trust the claim (it leaves its tentative record to expire
//      and looks again). A look older than S/2 is repeated before writing;
//   c. expiries are times of the Sandbox API's own clock (the `Date` header of its answers,
//      server-time.ts), written and judged by it, never by a runner's clock: runners that
//      disagree by minutes still agree on when a record expires. Another job's record counts
//      as expired only when the earliest the server's time can be is past it; our own counts
//      as safe only while the latest it can be is at least S before it.
// Why it holds: if A and B both wrote, say A first, A's check saw its own title, so B wrote
// after A's check, that is at least S after A's write. B's look saw the sandbox free, so it
// took effect before A's write (a.; after it B would have seen A's live record); B's
// look-to-write span then exceeds S, which b. rules out. So at most one claimant reads back
// its own title after S. Seeing its own record as claimable changes nothing: no other job
// writes that record.
//
// After the check a record of ours keeps every other job away until its expiry (c.), so we
// may write it again without a new round while that expiry is more than S away: that is how
// the full expiry is written, and how a write answered 409, 412 or 5xx, or stored truncated or
// altered, is repeated (each write is read back; a conflict means look again, not give up).
//
// The release (post step) runs the same round before it touches the sandbox: it looks (its
// own nonce, live or expired), writes a short hold (`holdMs`), settles, reads it back. Only a
// release that reads back its own hold resets the sandbox, then checks the hold once more and
// writes "free" (read back, repeated while the hold lasts). A stale release, whose lease
// expired and was taken over while it ran, either sees the taker's record at its look or
// check, or its hold beats the taker's claim in the round (the taker then backs off): it
// never resets or frees a sandbox that another job holds. A release that cannot write its
// free record leaves the sandbox held only until the short hold expires; the next lease
// then takes it over and resets it.
import { randomBytes } from 'node:crypto'
import { ActionError, CancelledError, DeadlineError, errorMessage, ProviderError, UnreadableAnswerError } from '../../../core/errors'
import type { AdobeInputs, Pool } from '../../../core/inputs'
import { poll, Progress } from '../../../core/poll'
import { changed, nothingToDo, type CleanupOutcome, type StepContext, type StepResult, type SummaryRow } from '../../../core/provider'
import type { Sandbox, SandboxApi } from '../api'
import {
  claimable,
  damagedKey,
  describeHolders,
  formatFree,
  formatHeld,
  holderText,
  isOwn,
  isoSeconds,
  MAX_LEASE_MS,
  needsReset,
  parseLeaseTitle,
  pick,
  poolStatus,
  slotOf,
  type Claimable,
  type Own,
  type Slot
} from './record'
import { shortLine } from '../gateway'
import { listAll, parseAdobeDate } from '../ops/prune'
import { assertMayTouch } from '../safety'
import { exists, goingAway, inProgress, unusable } from '../states'

type Ctx = StepContext<AdobeInputs>

export interface LeaseTiming {
  /** S: how long a claim settles before it is read back */
  settleMs: number
  /** how long a tentative record holds before its writer must have confirmed it */
  tentativeMs: number
  /** how long the release's hold lasts: its reset must be sent and answered within it */
  holdMs: number
  /** pause between looks while every pool sandbox is held */
  pollMs(elapsedMs: number): number
  /** ms between progress lines while waiting */
  progressMs: number
}

export const DEFAULT_SETTLE_MS = 1500

/**
 * S defaults to 1.5 s: Adobe answers a lookup or a title change in well under a second, so
 * look-to-write stays under S. EPHEMERAL_SANDBOX_LEASE_SETTLE_MS changes it (a slow proxy
 * wants more; tests want less).
 */
export function leaseTiming(env: NodeJS.ProcessEnv): LeaseTiming {
  const v = Number(env.EPHEMERAL_SANDBOX_LEASE_SETTLE_MS)
  const settleMs = Number.isFinite(v) && v >= 50 && v <= 60_000 ? v : DEFAULT_SETTLE_MS
  const tentativeMs = Math.max(10 * settleMs, 5000)
  return {
    settleMs,
    // long enough to confirm in (a read and a write), short enough that a claimant that
    // died or gave up blocks the sandbox only briefly
    tentativeMs,
    // a reset request with a retry or two fits; a release that dies holds it only this long
    holdMs: Math.max(tentativeMs, 60_000),
    // Quick at first, so a release is noticed within a second or so; gentler on long waits.
    pollMs: elapsed => (elapsed < 60_000 ? 1000 : elapsed < 300_000 ? 3000 : 10_000),
    progressMs: 10_000
  }
}

/** What the lease needs from the provider module (kept there, shared with create and reset). */
export interface LeaseDeps {
  /** starts a reset of a settled sandbox; returns its record after the reset was accepted */
  reset(s: Sandbox): Promise<Sandbox>
  /** waits for a state (see waitFor) */
  until(name: string, target: 'active' | 'settled', doing: string, current?: Sandbox): Promise<Sandbox | undefined>
  results(s: Sandbox, postWill: string, extra: SummaryRow[]): StepResult
  /**
   * grants the active sandbox to the roles and imports the package (a pool keeps its roles);
   * `seeded`: the package already imported since the sandbox's last reset, not imported again
   */
  prepare(name: string, seeded?: string): Promise<SummaryRow[]>
  /** imports the package into the active sandbox (the release's reseed) */
  seed(name: string): Promise<void>
}

interface Member {
  name: string
  sandbox?: Sandbox
  slot: Slot
}

interface Look {
  members: Member[]
  /** clock time when the look was sent */
  sentAt: number
}

/** A title write or read whose answer says "look again": a conflict, a server error, no answer. */
function lookAgain(err: unknown): err is ProviderError {
  if (err instanceof UnreadableAnswerError) return true
  return err instanceof ProviderError && (err.status === 409 || err.status === 412 || err.status === 0 || err.status >= 500)
}

/** How many times a record of ours is written and read back before the step stops trying. */
export const WRITE_ATTEMPTS = 4
/** Rounds the release runs to renew its own record before it falls back to freeing it as it is. */
export const RELEASE_ROUNDS = 4

/** The job's own view of its records: one nonce for the step, and per sandbox what it was before our first write. */
export class Holder {
  private readonly own = new Map<string, Own>()
  constructor(
    readonly nonce: string,
    /** `by=… run=… job=…` */
    readonly text: string
  ) {}

  of(name: string): Own | undefined {
    return this.own.get(name)
  }

  /** About to write our record on a sandbox that looked like `was`. */
  writing(name: string, was: Claimable): void {
    if (!this.own.has(name)) this.own.set(name, { nonce: this.nonce, was, damaged: new Set() })
  }

  /** A title read back right after our own write that cannot be read: our write, stored damaged. */
  damaged(name: string, s: Sandbox): void {
    this.own.get(name)?.damaged.add(damagedKey(s))
  }
}

export function inPool(pool: Pool, name: string): boolean {
  return pool.kind === 'prefix' ? name.startsWith(pool.prefix) : pool.names.includes(name)
}

async function lookPool(ctx: Ctx, api: SandboxApi, me: Holder, skip: Map<string, string>): Promise<Look> {
  const pool = ctx.inputs.pool as Pool
  const sentAt = ctx.deadline.clock.now()
  const all = (await listAll(api)).filter(s => inPool(pool, s.name) && exists(s))
  const now = api.time.earliest()
  const members: Member[] = all.map(s => {
    const skipped = skip.get(s.name)
    return { name: s.name, sandbox: s, slot: skipped ? { kind: 'excluded', why: skipped } : slotOf(s, now, ctx.inputs.allowProduction, me.of(s.name)) }
  })
  if (pool.kind === 'names') {
    for (const name of pool.names) if (!all.some(s => s.name === name)) members.push({ name, slot: { kind: 'excluded', why: 'does not exist' } })
  }
  return { members, sentAt }
}

function poolText(pool: Pool): string {
  return pool.kind === 'prefix' ? `"${pool.prefix}*"` : pool.names.map(n => `"${n}"`).join(', ')
}

/** `ci-pool-2 (state cleaning), ci-pool-3 (state failed)`: the members a look skipped, or ''. */
function skippedText(members: Member[]): string {
  return members
    .filter(m => m.slot.kind === 'excluded')
    .map(m => `${m.name} (state ${m.sandbox?.state ?? 'not found'})`)
    .join(', ')
}

export function newNonce(): string {
  return randomBytes(8).toString('hex')
}

/** A title must never carry a secret: the holder text is names and ids, but check anyway. */
function assertNoSecret(ctx: Ctx, title: string): void {
  if (ctx.secrets.redact(title) !== title) throw new ActionError('Refusing to write a lease record: it would contain a secret value')
}

const stateOf = (s: Sandbox | undefined): string => s?.state ?? 'not found'

/** A record holds an expiry to the second: the time others read from it. */
const wholeSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000

type Round = { kind: 'ours'; sandbox: Sandbox } | { kind: 'lost'; holder: string } | { kind: 'again'; why: string }

/**
 * Steps 2-4 on one sandbox, after a look sent at `lookSentAt` that saw it claimable: write
 * `title`, check the look-to-write span, settle, read back. Ours only when the read-back
 * shows exactly `title`.
 */
async function round(ctx: Ctx, api: SandboxApi, timing: LeaseTiming, me: Holder, name: string, lookSentAt: number, title: string): Promise<Round> {
  const { clock } = ctx.deadline
  assertNoSecret(ctx, title)
  try {
    await api.setTitle(name, title)
  } catch (err) {
    if (!lookAgain(err)) throw err
    // It may have been stored all the same: then the next look finds our own record.
    return { kind: 'again', why: `the title write was answered ${err.status || 'with no answer'} (${errorMessage(err)})` }
  }
  const span = clock.now() - lookSentAt
  if (span >= timing.settleMs) {
    return { kind: 'again', why: `it took ${span} ms from look to write, not under the ${timing.settleMs} ms settle interval: not trusted; its record expires by itself` }
  }
  await ctx.deadline.sleep(timing.settleMs, `settling the claim on sandbox "${name}"`)
  let back: Sandbox | undefined
  try {
    back = await api.get(name)
  } catch (err) {
    if (!lookAgain(err)) throw err
    return { kind: 'again', why: `reading it back failed (${errorMessage(err)})` }
  }
  if (exists(back) && sameRecord(title, back.title)) return { kind: 'ours', sandbox: back }
  if (!exists(back)) return { kind: 'again', why: 'it no longer exists' }
  const rec = parseLeaseTitle(back.title)
  if (rec.kind === 'held' && rec.nonce !== me.nonce) return { kind: 'lost', holder: rec.holder || 'an unnamed holder' }
  if (rec.kind === 'unreadable') me.damaged(name, back)
  return { kind: 'again', why: `the title read back is not the one written ("${shortLine(back.title ?? '')}")` }
}

/**
 * Whether a stored title is the record we wrote: the same text, or a record that reads the
 * same where it counts (the same nonce and expiry; a free record reset at the same time),
 * as when the store cut the holder part short.
 */
export function sameRecord(written: string, stored: string | undefined): boolean {
  if (written === stored) return true
  const a = parseLeaseTitle(written)
  const b = parseLeaseTitle(stored)
  if (a.kind === 'held' && b.kind === 'held') return a.nonce === b.nonce && a.until === b.until
  if (a.kind === 'free' && b.kind === 'free') return a.resetAt === b.resetAt
  return false
}

/**
 * Until when no other job writes over this record of ours, in the Sandbox API's time: its
 * expiry; for a title nobody can read, the fail-closed hold after its last change (slotOf).
 * -Infinity when it is not ours.
 */
function protectedUntil(s: Sandbox | undefined, me: Holder): number {
  if (!exists(s) || goingAway(s)) return -Infinity
  const rec = parseLeaseTitle(s.title)
  if (rec.kind === 'held') return rec.nonce === me.nonce ? rec.until : -Infinity
  if (rec.kind !== 'unreadable') return -Infinity
  const changed = parseAdobeDate(s.lastModifiedDate)
  return changed === undefined ? Infinity : changed + MAX_LEASE_MS
}

/**
 * Writes `title` over a record of ours that keeps every other job away until `until`, and
 * reads it back; again, while that protection lasts, when the write is refused, lost, or
 * stored other than written. Returns the record read back as written, or why not.
 */
async function rewrite(ctx: Ctx, api: SandboxApi, timing: LeaseTiming, me: Holder, name: string, title: string, until: number, what: string): Promise<Sandbox | string> {
  assertNoSecret(ctx, title)
  let why = ''
  for (let attempt = 1; ; attempt++) {
    if (api.time.latest() + timing.settleMs >= until) return `${why ? `${why}, and ` : ''}the record that kept other jobs away expires at ${isoSeconds(until)}`
    let failed = ''
    try {
      await api.setTitle(name, title)
    } catch (err) {
      if (!lookAgain(err)) throw err
      failed = `the write was answered ${err.status || 'with no answer'}`
    }
    let back: Sandbox | undefined
    try {
      back = await api.get(name)
    } catch (err) {
      if (!lookAgain(err)) throw err
      back = undefined
      failed ||= `reading it back failed (${errorMessage(err)})`
    }
    if (exists(back) && sameRecord(title, back.title)) return back
    if (back !== undefined || !failed) {
      if (!exists(back) || goingAway(back)) return `the sandbox is ${stateOf(back)}`
      const next = protectedUntil(back, me)
      if (next === -Infinity) return `the title is now "${shortLine(back.title ?? '')}", not this job's`
      until = next
      failed ||= `the title read back is not the one written ("${shortLine(back.title ?? '')}")`
    }
    why = failed
    if (attempt >= WRITE_ATTEMPTS) return `${why} (${attempt} attempts)`
    ctx.log.info(`Writing the ${what} on "${name}": ${why}; writing it again (attempt ${attempt + 1} of at most ${WRITE_ATTEMPTS})`)
    await ctx.deadline.sleep(Math.round(timing.settleMs / 2), `writing the ${what} on sandbox "${name}" again`)
  }
}

export interface Claim {
  sandbox: Sandbox
  /** what the member was when claimed: decides whether it needs a reset */
  slot: Claimable
  nonce: string
  until: number
  /** the pool as the winning look saw it */
  members?: Member[]
}

/**
 * One claim attempt on a member (steps 1-4 above). Returns the claim when this job holds the
 * sandbox, undefined when it lost or could not be sure (the caller looks again).
 */
export async function claim(ctx: Ctx, api: SandboxApi, m: Member, lookSentAt: number, timing: LeaseTiming, me = new Holder(newNonce(), holderText(ctx.run))): Promise<Claim | undefined> {
  const { clock } = ctx.deadline
  let slot = m.slot
  let sentAt = lookSentAt
  if (clock.now() - sentAt > timing.settleMs / 2) {
    // An old look may be stale by the time the write lands: look again at this one.
    sentAt = clock.now()
    const fresh = await api.get(m.name)
    slot = slotOf(fresh, api.time.earliest(), ctx.inputs.allowProduction, me.of(m.name))
  }
  if (!claimable(slot)) return undefined
  me.writing(m.name, slot)
  const tentativeUntil = wholeSeconds(api.time.latest() + timing.tentativeMs)
  const r = await round(ctx, api, timing, me, m.name, sentAt, formatHeld(tentativeUntil, me.nonce, me.text))
  if (r.kind === 'lost') {
    ctx.log.info(`Lost the claim on "${m.name}" (now held by ${r.holder}): backing off`)
    return undefined
  }
  if (r.kind === 'again') {
    ctx.log.info(`Claim on "${m.name}": ${r.why}; looking again`)
    return undefined
  }
  if (api.time.latest() >= tentativeUntil - timing.settleMs) {
    // Too close to its own expiry: another job may be taking it over as an expired claim.
    ctx.log.info(`Claim on "${m.name}" was read back too late to confirm it safely: its record expires by itself, looking again`)
    return undefined
  }
  // Ours. From here the post step releases it, also after a cancel.
  if (ctx.inputs.cleanup !== 'none') ctx.record({ provider: 'adobe', sandbox: m.name, action: 'release', lease: me.nonce, confirmed: true })
  const until = wholeSeconds(api.time.latest() + ctx.inputs.leaseTtlSeconds * 1000)
  const confirmed = await rewrite(ctx, api, timing, me, m.name, formatHeld(until, me.nonce, me.text), tentativeUntil, 'lease record')
  if (typeof confirmed === 'string') {
    ctx.record(undefined)
    ctx.log.info(`Claim on "${m.name}" could not be confirmed: ${confirmed}; looking again`)
    return undefined
  }
  return { sandbox: confirmed, slot, nonce: me.nonce, until }
}

/** `ci-pool-1 leased, ci-pool-2 ready`: a pool status for a summary row. */
export function describePool(pool: Record<string, string>): string {
  return Object.entries(pool).map(([name, status]) => `\`${name}\` ${status}`).join(', ') || 'no member'
}

/** `pool_status`: each member's status as a look saw it, with the one this job holds `leased`. */
export function poolStatusOf(members: Member[], pkg: string | undefined, leased?: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of members) {
    const status = m.name === leased ? 'leased' : poolStatus(m.sandbox, m.slot, pkg)
    if (status) out[m.name] = status
  }
  return out
}

/** Looks, claims, backs off, waits for a release: until this job holds one pool sandbox. */
export async function acquire(
  ctx: Ctx,
  api: SandboxApi,
  timing: LeaseTiming,
  random: () => number = Math.random,
  me = new Holder(newNonce(), holderText(ctx.run)),
  /** members this step gave back, with why */
  skip = new Map<string, string>()
): Promise<Claim> {
  const { deadline, log, inputs } = ctx
  const started = deadline.clock.now()
  const progress = new Progress(log, timing.progressMs)
  const told = new Map<string, string>()
  // after a lost claim, a short random back-off; while every member is held, the pool's schedule
  let lost = false
  let held = ''
  return poll({
    deadline,
    // a look reads the pool and may claim: a deadline inside it is that request's own error
    lookExpiry: 'as is',
    delayMs: elapsed => Math.round(lost ? random() * timing.settleMs : timing.pollMs(elapsed) * (0.75 + random() / 2)),
    pausing: () => (lost ? 'backing off after a lost claim' : 'waiting for a free pool sandbox'),
    awaited: () => `waiting for a free sandbox in the pool${held ? ` (held: ${held})` : ''}`,
    look: async () => {
      const look = await lookPool(ctx, api, me, skip)
      for (const m of look.members) {
        if (m.slot.kind !== 'excluded' || told.get(m.name) === m.slot.why) continue
        told.set(m.name, m.slot.why)
        log.notice(`Pool sandbox "${m.name}" ${m.slot.why}: it is not leased`)
      }
      if (look.members.every(m => m.slot.kind === 'excluded')) {
        throw new ActionError(`The pool ${poolText(inputs.pool as Pool)} has no sandbox that may be leased: create its development sandboxes first (see the README's pool recipe)`)
      }
      const m = pick(look.members, random, inputs.packageId)
      if (m) {
        if (m.slot.kind === 'expired') log.info(`The lease on "${m.name}" (${m.slot.holder}) has expired: taking it over; it is reset first`)
        const won = await claim(ctx, api, m, look.sentAt, timing, me)
        lost = !won
        return won && { ...won, members: look.members }
      }
      lost = false
      const holders = describeHolders(look.members)
      const skipped = skippedText(look.members)
      held = `${holders}${skipped ? `; skipped: ${skipped}` : ''}`
      if (inputs.ifFull === 'fail') {
        throw new ActionError(
          `Every sandbox of the pool ${poolText(inputs.pool as Pool)} is leased (${holders})${skipped ? ` or cannot be leased (${skipped})` : ''} and if-full is "fail": retry later, grow the pool, or set if-full: wait`
        )
      }
      const now = deadline.clock.now()
      if (progress.due(now)) log.info(`Every pool sandbox is leased (${holders}); waiting for a release (${Math.round((now - started) / 1000)} s elapsed${skipped ? `; skipped: ${skipped}` : ''})`)
      return undefined
    }
  })
}

function resetReason(slot: Claimable): string {
  if (slot.kind === 'expired') return 'taken over from an expired lease'
  if (slot.kind === 'ready' && slot.seeded) return `it holds package "${slot.seeded}", which this job did not ask for`
  return 'not known to be clean'
}

function postWill(ctx: Ctx, name: string): string {
  return ctx.inputs.cleanup === 'none' ? `leave the lease on \`${name}\` until it expires` : `release \`${name}\`: reset it and mark it free`
}

/** A claimed sandbox that can never become active: marked free (unless on its way out), and no longer ours. */
async function giveBack(ctx: Ctx, api: SandboxApi, timing: LeaseTiming, me: Holder, c: Claim, s: Sandbox | undefined, why: string): Promise<void> {
  const name = c.sandbox.name
  ctx.log.notice(`Pool sandbox "${name}" ${why} since it was leased: giving it back and looking for another`)
  if (exists(s) && !goingAway(s)) {
    const done = await rewrite(ctx, api, timing, me, name, formatFree(undefined, me.text), c.until, 'free record')
    if (typeof done === 'string') ctx.log.info(`Could not mark "${name}" free: ${done}`)
  }
  ctx.record(undefined)
}

export async function lease(ctx: Ctx, api: SandboxApi, deps: LeaseDeps, timing: LeaseTiming): Promise<StepResult> {
  const { log, inputs } = ctx
  const me = new Holder(newNonce(), holderText(ctx.run))
  const skip = new Map<string, string>()
  for (;;) {
    const c = await acquire(ctx, api, timing, Math.random, me, skip)
    const name = c.sandbox.name
    log.info(`Leased sandbox "${name}" until ${isoSeconds(c.until)} (it was ${c.slot.kind})`)
    let s: Sandbox | undefined = c.sandbox
    // Busy (creating, resetting, or a state no document names): see where it ends first.
    if (inProgress(s)) s = await deps.until(name, 'settled', s.state, s)
    const why = unusable(s)
    if (why || !s) {
      skip.set(name, why ?? 'does not exist')
      await giveBack(ctx, api, timing, me, c, s, why ?? 'does not exist')
      continue
    }
    const reset = needsReset(c.slot, inputs.packageId)
    if (reset) {
      assertMayTouch(s, 'reset', inputs.allowProduction)
      log.info(`Resetting "${name}" before use (${resetReason(c.slot)})`)
      s = { ...s, ...(await deps.reset(s)) }
    }
    if (inputs.wait && s.state !== 'active') s = (await deps.until(name, 'active', s.state, s)) as Sandbox
    const title = formatHeld(c.until, c.nonce, me.text)
    // A pool sandbox already granted is only read back; a member seeded with this package since
    // its last reset is not imported again; any other comes with the package again.
    const seeded = !reset && c.slot.kind === 'ready' ? c.slot.seeded : undefined
    const prepared = s.state === 'active' ? await deps.prepare(name, seeded) : []
    const pool = c.members ? poolStatusOf(c.members, inputs.packageId, name) : undefined
    const rows: SummaryRow[] = [['Lease', `held until ${isoSeconds(c.until)}`], ...(pool ? [['Pool', describePool(pool)] as SummaryRow] : []), ...prepared]
    const result = deps.results({ ...s, title }, postWill(ctx, name), rows)
    result.outputs.lease_expires_at = isoSeconds(c.until)
    if (pool) result.outputs.pool_status = JSON.stringify(pool)
    return result
  }
}

/**
 * The post step: renew our own record through a round, reset the sandbox, check the record
 * again, mark it free (see the header). Only while the lease is ours.
 */
export async function release(ctx: Ctx, api: SandboxApi, deps: LeaseDeps, name: string, nonce: string, timing: LeaseTiming): Promise<CleanupOutcome> {
  const { clock } = ctx.deadline
  const me = new Holder(nonce, holderText(ctx.run))
  me.writing(name, { kind: 'dirty' })
  for (let n = 1; ; n++) {
    const sentAt = clock.now()
    const s = await api.get(name)
    if (!exists(s)) {
      ctx.log.notice(`Sandbox "${name}" no longer exists: nothing to release`)
      return nothingToDo(`Nothing to release: sandbox "${name}" no longer exists`)
    }
    if (goingAway(s)) {
      ctx.log.notice(`Sandbox "${name}" is being deleted (state ${s.state}): nothing to release`)
      return nothingToDo(`Nothing to release: sandbox "${name}" is being deleted (state ${s.state})`)
    }
    const rec = parseLeaseTitle(s.title)
    if (!isOwn(s, me.of(name))) {
      // Taken over after expiry, or freed by hand: resetting it now could wipe another job's data.
      const now = rec.kind === 'held' ? `held by ${rec.holder}` : rec.kind === 'free' ? 'free' : 'not leased'
      ctx.log.notice(`The lease on "${name}" is no longer this job's (it is ${now}): nothing to release`)
      return nothingToDo(`Nothing to release: the lease on "${name}" is no longer this job's (${now})`)
    }
    assertMayTouch(s, 'reset', ctx.inputs.allowProduction)
    if (inProgress(s)) {
      // A reset still running (a main step cancelled mid-way, say): let it end, then look again.
      await deps.until(name, 'settled', s.state, s)
      continue
    }
    if (n > RELEASE_ROUNDS) return changed(await freeAsItIs(ctx, api, timing, me, s, protectedUntil(s, me)))
    let holdUntil = wholeSeconds(api.time.latest() + timing.holdMs)
    let hold = formatHeld(holdUntil, nonce, me.text)
    // the read-back must tell our hold from the record it replaces
    if (sameRecord(hold, s.title)) hold = formatHeld((holdUntil += 1000), nonce, me.text)
    const r = await round(ctx, api, timing, me, name, sentAt, hold)
    if (r.kind === 'lost') continue // the next look says who
    if (r.kind === 'again') {
      ctx.log.info(`Renewing the lease on "${name}" before its release: ${r.why}; looking again`)
      await ctx.deadline.sleep(Math.round(Math.random() * timing.settleMs), 'backing off before renewing again')
      continue
    }
    return changed(await resetAndFree(ctx, api, deps, timing, me, r.sandbox, hold, wholeSeconds(holdUntil)))
  }
}

/** Under our hold: reset, check the hold, write "free". */
async function resetAndFree(ctx: Ctx, api: SandboxApi, deps: LeaseDeps, timing: LeaseTiming, me: Holder, s: Sandbox, hold: string, holdUntil: number): Promise<string> {
  const name = s.name
  let resetAt: number | undefined
  let why = ''
  if (s.state === 'failed') why = 'it is in state "failed"'
  else if (api.time.latest() + timing.settleMs >= holdUntil) why = `the hold expires at ${isoSeconds(holdUntil)}, too soon to send a reset`
  else {
    try {
      await deps.reset(s)
      resetAt = api.time.earliest()
    } catch (err) {
      if (err instanceof CancelledError || err instanceof DeadlineError) throw err
      why = errorMessage(err)
    }
  }
  // Check again: still our hold, with time left to write after it.
  const now = await api.get(name)
  if (!exists(now) || !sameRecord(hold, now.title) || api.time.latest() + timing.settleMs >= holdUntil) {
    const seen = !exists(now) ? `it is ${stateOf(now)}` : !sameRecord(hold, now.title) ? `its title is now "${shortLine(now.title ?? '')}"` : `the hold expires at ${isoSeconds(holdUntil)}`
    ctx.log.warning(`Released "${name}" only in part: ${seen}, so it was not marked free${resetAt !== undefined ? ' (its reset was accepted)' : ''}`)
    return `Released sandbox "${name}" in part: not marked free (${seen})`
  }
  if (why) ctx.log.warning(`Could not reset "${name}" on release: ${why}. It is marked free but not clean: the next lease resets it first`)
  const pkg = ctx.inputs.reseedOnRelease ? ctx.inputs.packageId : undefined
  if (pkg && resetAt !== undefined) return reseed(ctx, api, deps, timing, me, name, pkg, resetAt, holdUntil)
  const done = await rewrite(ctx, api, timing, me, name, formatFree(resetAt, me.text), holdUntil, 'free record')
  if (typeof done === 'string') {
    ctx.log.warning(`Could not mark "${name}" free: ${done}. This job's hold on it ends at ${isoSeconds(holdUntil)}; then the next lease takes it over and resets it`)
    return `Released sandbox "${name}" in part: not marked free (${done}); its hold ends at ${isoSeconds(holdUntil)}`
  }
  return resetAt !== undefined
    ? `Released sandbox "${name}": reset started, marked free`
    : `Released sandbox "${name}" without a reset (${why}): marked free, to be reset by the next lease`
}

/**
 * reseed-on-release: under a hold marked `doing=seeding` that lasts the rest of the cleanup's
 * budget, wait for the reset to end, import the package, and write a free record that names
 * it, so the next lease with that package imports nothing. A seed that fails leaves the
 * member free but not known to be clean (the next lease resets it); a post step that dies
 * leaves the hold to expire, and the next lease takes it over and resets it.
 */
async function reseed(ctx: Ctx, api: SandboxApi, deps: LeaseDeps, timing: LeaseTiming, me: Holder, name: string, pkg: string, resetAt: number, holdUntil: number): Promise<string> {
  const until = wholeSeconds(api.time.latest() + Math.min(ctx.deadline.remainingMs() + timing.holdMs, MAX_LEASE_MS))
  const held = await rewrite(ctx, api, timing, me, name, formatHeld(until, me.nonce, me.text, 'seeding'), holdUntil, 'seeding hold')
  if (typeof held === 'string') {
    ctx.log.warning(`Could not hold "${name}" to import package "${pkg}" again: ${held}. Its reset was accepted; this job's hold on it ends at ${isoSeconds(holdUntil)}, then the next lease takes it over and resets it`)
    return `Released sandbox "${name}" in part: reset started, not reseeded nor marked free (${held})`
  }
  let failed = ''
  try {
    await deps.until(name, 'active', 'resetting', held)
    await deps.seed(name)
  } catch (err) {
    if (err instanceof CancelledError || err instanceof DeadlineError) throw err
    failed = errorMessage(err)
    ctx.log.warning(`Could not import package "${pkg}" into "${name}" again after its reset: ${failed}. It is marked free but not clean: the next lease resets it first`)
  }
  const done = await rewrite(ctx, api, timing, me, name, failed ? formatFree(undefined, me.text) : formatFree(resetAt, me.text, pkg), until, 'free record')
  if (typeof done === 'string') {
    ctx.log.warning(`Could not mark "${name}" free after reseeding it: ${done}. This job's hold on it ends at ${isoSeconds(until)}; then the next lease takes it over and resets it`)
    return `Released sandbox "${name}" in part: not marked free (${done}); its hold ends at ${isoSeconds(until)}`
  }
  return failed ? `Released sandbox "${name}": reset, not reseeded (${failed}), marked free to be reset by the next lease` : `Released sandbox "${name}": reset, package "${pkg}" imported again, marked free and ready`
}

/** The renewal kept failing: while our own lease still keeps others away, mark it free without a reset. */
async function freeAsItIs(ctx: Ctx, api: SandboxApi, timing: LeaseTiming, me: Holder, s: Sandbox, until: number): Promise<string> {
  const name = s.name
  const done = await rewrite(ctx, api, timing, me, name, formatFree(undefined, me.text), until, 'free record')
  if (typeof done === 'string') {
    ctx.log.warning(`Could not release "${name}": its lease could not be renewed, nor marked free (${done}). It is held until ${isoSeconds(until)}`)
    return `Could not release sandbox "${name}": held until ${isoSeconds(until)}`
  }
  ctx.log.warning(`Could not renew the lease on "${name}" to reset it: marked free but not clean, the next lease resets it first`)
  return `Released sandbox "${name}" without a reset (its lease could not be renewed): marked free, to be reset by the next lease`
}
