// operation: lease. Take one development sandbox of a pool that no live lease holds, and
// release it in the post step (reset it, mark it free). The lease lives in the title
// (lease-record.ts). The Sandbox API has no compare-and-swap, so a claim is timed instead
// (Fischer's mutual exclusion):
//
//   1. look:   read the sandbox (the pool list, or one lookup) and see it free or expired;
//   2. write:  PATCH our record (with a random nonce and a short, tentative expiry);
//   3. settle: wait S (the settle interval);
//   4. check:  read it back: our nonce means we hold it; any other record means we lost, so
//              we back off (a random part of S) and look again. Then write the full expiry.
//
// Timing assumptions (also in the README):
//   a. the API is read-your-writes consistent for one record: a read that starts after a
//      write was answered sees it (or a later one);
//   b. every claimant's write takes effect less than S after its look took effect. Each
//      claimant checks its own part: from sending the look to the write's answer must be
//      under S, else it does not trust the claim (it leaves its tentative record to expire
//      and looks again). A look older than S/2 is repeated before writing;
//   c. clocks of runners agree to well within the tentative expiry (seconds, not minutes),
//      since expiries are absolute times written by one runner and read by another.
// Why it holds: if A and B both wrote, say A first, A's check saw its own nonce, so B wrote
// after A's check, that is at least S after A's write. B's look saw the sandbox free, so it
// took effect before A's write (a.); B's look-to-write span then exceeds S, which b. rules
// out. So at most one claimant sees its own nonce after S.
import { randomBytes } from 'node:crypto'
import { ActionError, CancelledError, DeadlineError, errorMessage } from '../../errors'
import type { AdobeInputs, Pool } from '../../inputs'
import type { StepContext, StepResult, SummaryRow } from '../types'
import { beingDeleted, exists, type Sandbox, type SandboxApi } from './api'
import { describeHolders, formatFree, formatHeld, holderText, isoSeconds, parseLeaseTitle, pick, slotOf, type Slot } from './lease-record'
import { listAll } from './prune'
import { assertMayTouch } from './safety'
import { inProgress } from './wait'

type Ctx = StepContext<AdobeInputs>

export interface LeaseTiming {
  /** S: how long a claim settles before it is read back */
  settleMs: number
  /** how long a tentative record holds before its writer must have confirmed it */
  tentativeMs: number
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
  return {
    settleMs,
    // long enough to confirm in (a read and a write), short enough that a claimant that
    // died or gave up blocks the sandbox only briefly
    tentativeMs: Math.max(10 * settleMs, 5000),
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
  /** grants the active sandbox to the roles and imports the package (a pool keeps its roles) */
  prepare(name: string): Promise<SummaryRow[]>
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

export function inPool(pool: Pool, name: string): boolean {
  return pool.kind === 'prefix' ? name.startsWith(pool.prefix) : pool.names.includes(name)
}

async function lookPool(ctx: Ctx, api: SandboxApi): Promise<Look> {
  const pool = ctx.inputs.pool as Pool
  const sentAt = ctx.deadline.clock.now()
  const all = (await listAll(api)).filter(s => inPool(pool, s.name) && exists(s))
  const now = ctx.deadline.clock.now()
  const members: Member[] = all.map(s => ({ name: s.name, sandbox: s, slot: slotOf(s, now, ctx.inputs.allowProduction) }))
  if (pool.kind === 'names') {
    for (const name of pool.names) if (!all.some(s => s.name === name)) members.push({ name, slot: { kind: 'excluded', why: 'does not exist' } })
  }
  return { members, sentAt }
}

function poolText(pool: Pool): string {
  return pool.kind === 'prefix' ? `"${pool.prefix}*"` : pool.names.map(n => `"${n}"`).join(', ')
}

export function newNonce(): string {
  return randomBytes(8).toString('hex')
}

/** A title must never carry a secret: the holder text is names and ids, but check anyway. */
function assertNoSecret(ctx: Ctx, title: string): void {
  if (ctx.secrets.redact(title) !== title) throw new ActionError('Refusing to write a lease record: it would contain a secret value')
}

export interface Claim {
  sandbox: Sandbox
  /** what the member was when claimed: decides whether it needs a reset */
  slot: Slot
  nonce: string
  until: number
}

/**
 * One claim attempt on a member (steps 1-4 above). Returns the claim when this job holds the
 * sandbox, undefined when it lost or could not be sure (the caller looks again).
 */
export async function claim(ctx: Ctx, api: SandboxApi, m: Member, lookSentAt: number, timing: LeaseTiming): Promise<Claim | undefined> {
  const { clock } = ctx.deadline
  const holder = holderText(ctx.run)
  let slot = m.slot
  let sentAt = lookSentAt
  if (clock.now() - sentAt > timing.settleMs / 2) {
    // An old look may be stale by the time the write lands: look again at this one.
    sentAt = clock.now()
    const fresh = await api.get(m.name)
    slot = slotOf(fresh, clock.now(), ctx.inputs.allowProduction)
    if (!['ready', 'cleaning', 'dirty', 'expired'].includes(slot.kind)) return undefined
  }
  const nonce = newNonce()
  const tentativeUntil = clock.now() + timing.tentativeMs
  const tentative = formatHeld(tentativeUntil, nonce, holder)
  assertNoSecret(ctx, tentative)
  await api.setTitle(m.name, tentative)
  const span = clock.now() - sentAt
  if (span >= timing.settleMs) {
    ctx.log.info(`Claim on "${m.name}" took ${span} ms from look to write, not under the ${timing.settleMs} ms settle interval: not trusted; its record expires by itself, looking again`)
    return undefined
  }
  await ctx.deadline.sleep(timing.settleMs, `settling the claim on sandbox "${m.name}"`)
  const back = await api.get(m.name)
  const rec = parseLeaseTitle(back?.title)
  if (!exists(back) || rec.kind !== 'held' || rec.nonce !== nonce) {
    const who = rec.kind === 'held' ? rec.holder : rec.kind
    ctx.log.info(`Lost the claim on "${m.name}" (now held by ${who}): backing off`)
    return undefined
  }
  if (clock.now() >= tentativeUntil - timing.settleMs) {
    // Too close to its own expiry: another job may be taking it over as an expired claim.
    ctx.log.info(`Claim on "${m.name}" was read back too late to confirm it safely: its record expires by itself, looking again`)
    return undefined
  }
  // Ours. From here the post step releases it, also after a cancel.
  if (ctx.inputs.cleanup !== 'none') ctx.record({ provider: 'adobe', sandbox: m.name, action: 'release', lease: nonce, confirmed: true })
  const until = clock.now() + ctx.inputs.leaseTtlSeconds * 1000
  await api.setTitle(m.name, formatHeld(until, nonce, holder))
  return { sandbox: back, slot, nonce, until }
}

/** Looks, claims, backs off, waits for a release: until this job holds one pool sandbox. */
export async function acquire(ctx: Ctx, api: SandboxApi, timing: LeaseTiming, random: () => number = Math.random): Promise<Claim> {
  const { deadline, log, inputs } = ctx
  const started = deadline.clock.now()
  let lastProgress = -Infinity
  let warned = false
  for (;;) {
    const look = await lookPool(ctx, api)
    if (!warned) {
      warned = true
      for (const m of look.members) if (m.slot.kind === 'excluded') log.notice(`Pool sandbox "${m.name}" ${m.slot.why}: it is not leased`)
      if (look.members.every(m => m.slot.kind === 'excluded')) {
        throw new ActionError(`The pool ${poolText(inputs.pool as Pool)} has no sandbox that may be leased: create its development sandboxes first (see the README's pool recipe)`)
      }
    }
    const m = pick(look.members, random)
    if (m) {
      if (m.slot.kind === 'expired') log.info(`The lease on "${m.name}" (${m.slot.holder}) has expired: taking it over; it is reset first`)
      const won = await claim(ctx, api, m, look.sentAt, timing)
      if (won) return won
      await deadline.sleep(Math.round(random() * timing.settleMs), 'backing off after a lost claim')
      continue
    }
    const holders = describeHolders(look.members)
    if (inputs.ifFull === 'fail') {
      throw new ActionError(`Every sandbox of the pool ${poolText(inputs.pool as Pool)} is leased (${holders}) and if-full is "fail": retry later, grow the pool, or set if-full: wait`)
    }
    const now = deadline.clock.now()
    if (now - lastProgress >= timing.progressMs) {
      log.info(`Every pool sandbox is leased (${holders}); waiting for a release (${Math.round((now - started) / 1000)} s elapsed)`)
      lastProgress = now
    }
    try {
      if (deadline.remainingMs() <= 0) throw deadline.expiredError('waiting')
      const pause = timing.pollMs(now - started)
      await deadline.sleep(Math.round(pause * (0.75 + random() / 2)), 'waiting for a free pool sandbox')
    } catch (err) {
      if (!(err instanceof DeadlineError)) throw err
      throw deadline.expiredError(`waiting for a free sandbox in the pool (held: ${holders})`)
    }
  }
}

function postWill(ctx: Ctx, name: string): string {
  return ctx.inputs.cleanup === 'none' ? `leave the lease on \`${name}\` until it expires` : `release \`${name}\`: reset it and mark it free`
}

/** A settled pool sandbox that is still there: one gone or being deleted cannot be leased or released. */
function usable(s: Sandbox | undefined, name: string): Sandbox {
  if (!exists(s) || beingDeleted(s)) throw new ActionError(`Pool sandbox "${name}" is gone or being deleted (state ${s?.state ?? 'not found'}): it cannot be reset`)
  return s
}

export async function lease(ctx: Ctx, api: SandboxApi, deps: LeaseDeps, timing: LeaseTiming): Promise<StepResult> {
  const { log, inputs } = ctx
  const c = await acquire(ctx, api, timing)
  const name = c.sandbox.name
  log.info(`Leased sandbox "${name}" until ${isoSeconds(c.until)} (it was ${c.slot.kind})`)
  let s = c.sandbox
  if (c.slot.kind === 'dirty' || c.slot.kind === 'expired') {
    if (inProgress(s)) s = usable(await deps.until(name, 'settled', s.state, s), name)
    assertMayTouch(s, 'reset', inputs.allowProduction)
    log.info(`Resetting "${name}" before use (${c.slot.kind === 'expired' ? 'taken over from an expired lease' : 'not known to be clean'})`)
    s = { ...s, ...(await deps.reset(s)) }
  }
  if (inputs.wait && s.state !== 'active') s = (await deps.until(name, 'active', s.state, s)) as Sandbox
  const title = formatHeld(c.until, c.nonce, holderText(ctx.run))
  // A pool sandbox already granted is only read back; a release reset it, so the package comes again.
  const prepared = s.state === 'active' ? await deps.prepare(name) : []
  const result = deps.results({ ...s, title }, postWill(ctx, name), [['Lease', `held until ${isoSeconds(c.until)}`], ...prepared])
  result.outputs.lease_expires_at = isoSeconds(c.until)
  return result
}

/** The post step: reset the leased sandbox and mark it free, only while the lease is ours. */
export async function release(ctx: Ctx, api: SandboxApi, deps: LeaseDeps, name: string, nonce: string): Promise<string> {
  const s = await api.get(name)
  if (!exists(s)) {
    ctx.log.notice(`Sandbox "${name}" no longer exists: nothing to release`)
    return `Nothing to release: sandbox "${name}" no longer exists`
  }
  const rec = parseLeaseTitle(s.title)
  if (rec.kind !== 'held' || rec.nonce !== nonce) {
    // Taken over after expiry, or freed by hand: resetting it now could wipe another job's data.
    const now = rec.kind === 'held' ? `held by ${rec.holder}` : rec.kind === 'free' ? 'free' : 'not leased'
    ctx.log.notice(`The lease on "${name}" is no longer this job's (it is ${now}): nothing to release`)
    return `Nothing to release: the lease on "${name}" is no longer this job's (${now})`
  }
  assertMayTouch(s, 'reset', ctx.inputs.allowProduction)
  let settled = s
  if (inProgress(s)) settled = usable(await deps.until(name, 'settled', s.state, s), name)
  let resetAt: number | undefined
  let why = ''
  try {
    await deps.reset(settled)
    resetAt = ctx.deadline.clock.now()
  } catch (err) {
    if (err instanceof CancelledError || err instanceof DeadlineError) throw err
    why = errorMessage(err)
    ctx.log.warning(`Could not reset "${name}" on release: ${why}. It is marked free but not clean: the next lease resets it first`)
  }
  await api.setTitle(name, formatFree(resetAt, rec.holder))
  return resetAt !== undefined
    ? `Released sandbox "${name}": reset started, marked free`
    : `Released sandbox "${name}" without a reset (${why}): marked free, to be reset by the next lease`
}
