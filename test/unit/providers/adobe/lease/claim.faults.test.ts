// Lease faults as families, in process (the provider's own lease and release over real HTTP
// to the emulator). The emulator's history of titles is the ground truth of who held what:
//   - a holder that dies at any point of a claim: nobody writes over its record before the
//     record expires, and the sandbox is leased again once it has;
//   - a stale holder, whose lease expired and is being taken over while its post step runs:
//     it never resets or frees the sandbox once the taker holds it;
//   - runner clocks that disagree by 30-90 s: never two holders at once;
//   - a title write answered 409, 412 or 5xx, lost, or stored truncated or altered, at every
//     write of the protocol: the job still leases, the release still frees.
import { describe, expect } from 'vitest'
import { ADOBE_BASE, type Emulator, type Fault, type HistoryEntry } from '../../../../../emulator/index'
import { CancelledError } from '../../../../../src/core/errors'
import { httpClientTransport, type Transport } from '../../../../../src/core/http'
import { acquire, release, type Claim, type LeaseTiming } from '../../../../../src/providers/adobe/lease/claim'
import { formatHeld, holderText, parseLeaseTitle } from '../../../../../src/providers/adobe/lease/record'
import { emulatorPerTest } from '../../../../harness/per-test'
import { inProcessStep, quickTiming, seedReady, stretches } from '../../../../harness/lease'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 300, resetMs: 300, deleteMs: 300 } })

const POOL = 'ci-pool-1'
const ITEM = `${ADOBE_BASE}/sandboxes/${POOL}`
const TIMING = quickTiming()
const holder = (runId: number): string => holderText({ repository: 'acme/shop', repo: 'shop', runId, runAttempt: 1, job: 'unit', serverUrl: '' })
const titles = (e: Emulator): HistoryEntry[] => e.adobe.leaseHistory().filter(h => h.name === POOL && h.field === 'title')
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

/** A job that leases, holds it a moment, and releases it; what its claim was. */
async function job(e: Emulator, runId: number, o: { skewMs?: number; holdMs?: number; ttlSeconds?: number; pool?: string; timing?: LeaseTiming } = {}): Promise<{ claim: Claim; released: string; runId: number }> {
  const step = inProcessStep(e, { operation: 'lease', pool: o.pool ?? POOL }, { runId, skewMs: o.skewMs, timeoutMs: 120_000 })
  if (o.ttlSeconds) step.ctx.inputs.leaseTtlSeconds = o.ttlSeconds
  const { api } = await step.api()
  const claim = await acquire(step.ctx, api, o.timing ?? TIMING)
  await sleep(o.holdMs ?? 300)
  const post = inProcessStep(e, { operation: 'lease', pool: o.pool ?? POOL }, { runId, skewMs: o.skewMs, timeoutMs: 120_000 })
  const p = await post.api()
  const released = (await release(post.ctx, p.api, p.deps, claim.sandbox.name, claim.nonce, o.timing ?? TIMING)).text
  return { claim, released, runId }
}

/**
 * The job held its sandbox without interruption: the titles from its confirmed record to its
 * free record carry its nonce only (the free record follows them directly).
 */
function expectUnbroken(h: HistoryEntry[], j: { claim: Claim; runId: number }): { from: number; to: number } {
  const name = j.claim.sandbox.name
  const confirmed = formatHeld(j.claim.until, j.claim.nonce, holder(j.runId))
  const mine = h.filter(e => e.name === name && e.field === 'title')
  const at = mine.findIndex(e => e.value === confirmed)
  expect(at, `${j.runId}: its confirmed record is in the history`).toBeGreaterThanOrEqual(0)
  // the job's own titles: its records, and its writes that a fault stored damaged (unreadable)
  const own = (e: HistoryEntry): boolean => {
    const r = parseLeaseTitle(e.value)
    return (r.kind === 'held' && r.nonce === j.claim.nonce) || r.kind === 'unreadable'
  }
  const free = mine.findIndex((e, i) => i > at && !own(e))
  // its own free record (a store that cut it short may have dropped the `last` part)
  const rec = parseLeaseTitle(mine[free]?.value)
  expect(rec.kind, `${j.runId}: the title after its tenure: ${mine[free]?.value}`).toBe('free')
  if (rec.kind === 'free' && rec.last) expect(rec.last).toBe(`last=acme/shop run=${j.runId}.1 job=unit`)
  // its tenure began with its tentative record, which nobody else's title interrupted
  let first = at
  while (first > 0 && own(mine[first - 1])) first--
  return { from: mine[first].time, to: mine[free].time }
}

// --- holders that die ----------------------------------------------------------------------

type When = 'before' | 'lost' | 'after'
/**
 * Where in its claim the holder dies, by what it sends rather than by position (a busy machine
 * may add a fresh look before a write): the Nth title write (1 the tentative record, 2 the
 * confirmation), or the first read after it.
 */
type Point = { write: 1 | 2 } | { readAfterWrite: 1 | 2 }
const DEATHS: [string, Point, When | 'settle'][] = [
  ['before the tentative write', { write: 1 }, 'before'],
  ['as its tentative write acts (no answer)', { write: 1 }, 'lost'],
  ['after the tentative write', { write: 1 }, 'after'],
  ['during the settle', { write: 1 }, 'settle'],
  ['after the read-back (the handoff recorded)', { readAfterWrite: 1 }, 'after'],
  ['before the confirmation write', { write: 2 }, 'before'],
  ['as its confirmation write acts (no answer)', { write: 2 }, 'lost'],
  ['after the confirmation write', { write: 2 }, 'after'],
  ['after the confirmation read-back (holding)', { readAfterWrite: 2 }, 'after']
]
// Long enough that a busy machine's look-to-write stays under it, so every claim is trusted and
// its requests come in the order the deaths above name.
const DEATH_TIMING = quickTiming({ settleMs: 3000, tentativeMs: 9000, holdMs: 12_000 })

/** A transport through which the step dies at a point of its claim. */
function dying(point: Point, when: When | 'settle', kill: () => void, settleMs: number): Transport {
  let writes = 0
  let readsSinceWrite = 0
  let dead = false
  const die = (): Promise<never> => {
    dead = true
    kill()
    return new Promise<never>(() => undefined) // the cancel ends the request; nothing more is sent
  }
  return async req => {
    if (dead) return die()
    if (!req.url.includes(ADOBE_BASE)) return httpClientTransport(req)
    const isWrite = req.method === 'PATCH'
    if (isWrite) {
      writes++
      readsSinceWrite = 0
    } else if (req.method === 'GET' && writes > 0) readsSinceWrite++
    const here = 'write' in point ? isWrite && writes === point.write : req.method === 'GET' && writes === point.readAfterWrite && readsSinceWrite === 1
    if (here && when === 'before') return die()
    const res = await httpClientTransport(req)
    if (here && when === 'lost') return die()
    if (here && when === 'after') dead = true
    if (here && when === 'settle') setTimeout(() => ((dead = true), kill()), settleMs / 2)
    return res
  }
}

describe('a holder that dies at any point of its claim', () => {
  it.each(DEATHS)('dies %s: nobody takes the sandbox before its record expires, then two jobs lease it in turn', async (_what, point, when) => {
    seedReady(emu, POOL)
    let kill = (): void => undefined
    const dead = inProcessStep(emu, { operation: 'lease', pool: POOL }, { runId: 901, transport: dying(point, when, () => kill(), DEATH_TIMING.settleMs) })
    kill = dead.kill
    dead.ctx.inputs.leaseTtlSeconds = 4
    const { api } = await dead.api()
    const outcome = await acquire(dead.ctx, api, DEATH_TIMING).then(
      () => 'held',
      (err: unknown) => err
    )
    // a job that died after its last request of the claim still held it; every other one died in it
    const holding = 'readAfterWrite' in point && point.readAfterWrite === 2
    if (holding) expect(outcome).toBe('held')
    else expect(outcome).toBeInstanceOf(CancelledError)
    const diedAt = emu.adobe.leaseHistory().length
    const [a, b] = await Promise.all([job(emu, 2, { timing: DEATH_TIMING }), job(emu, 3, { timing: DEATH_TIMING })])
    const h = emu.adobe.leaseHistory()
    // The dead job's last record, and the first title anyone else wrote after it.
    const its = titles(emu).filter(e => e.value.includes('run=901.1'))
    const after = titles(emu).find(e => its.length > 0 && e.seq > its[its.length - 1].seq)
    if (its.length > 0) {
      const rec = parseLeaseTitle(its[its.length - 1].value)
      expect(rec.kind).toBe('held')
      if (rec.kind === 'held') expect(after?.time, 'first write after the dead holder').toBeGreaterThan(rec.until)
    } else {
      expect('write' in point && point.write === 1 && when === 'before', 'only a job that died before its first write left no record').toBe(true)
    }
    expect(h.length).toBeGreaterThan(diedAt)
    // both survivors held it, one after the other
    const ta = expectUnbroken(h, a)
    const tb = expectUnbroken(h, b)
    expect(ta.to <= tb.from || tb.to <= ta.from, 'two tenures overlap').toBe(true)
  }, 180_000)
})

// --- a stale holder ---------------------------------------------------------------------------

describe('a stale holder, whose lease expired and is being taken over while its post step runs', () => {
  const OFFSETS = [0, 0.25, 0.5, 1, 1.5, 2, 3]
  it.each(OFFSETS)('the taker starts %s × S after the release: the release never resets or frees what the taker holds', async offset => {
    seedReady(emu, POOL)
    const stale = inProcessStep(emu, { operation: 'lease', pool: POOL }, { runId: 1, timeoutMs: 60_000 })
    stale.ctx.inputs.leaseTtlSeconds = 2
    const s = await stale.api()
    const held = await acquire(stale.ctx, s.api, TIMING)
    // the job outlives its lease
    while (Date.now() < held.until + 1200) await sleep(100)
    const post = inProcessStep(emu, { operation: 'lease', pool: POOL }, { runId: 1, timeoutMs: 60_000 })
    const p = await post.api()
    const taker = inProcessStep(emu, { operation: 'lease', pool: POOL }, { runId: 2, timeoutMs: 60_000 })
    const t = await taker.api()
    const releasing = release(post.ctx, p.api, p.deps, POOL, held.nonce, TIMING)
    await sleep(offset * TIMING.settleMs)
    const taken = await acquire(taker.ctx, t.api, TIMING)
    const said = (await releasing).text
    const h = titles(emu)
    const confirmed = formatHeld(taken.until, taken.nonce, holder(2))
    const tenure = h.find(e => e.value === confirmed)
    expect(tenure, said).toBeDefined()
    // the taker's tenure runs from its first title to the end: only its nonce since
    let from = h.indexOf(tenure as HistoryEntry)
    while (from > 0 && h[from - 1].value.includes(`nonce=${taken.nonce}`)) from--
    const start = h[from]
    expect(h.slice(from).every(e => e.value.includes(`nonce=${taken.nonce}`)), `${said}\n${h.map(e => e.value).join('\n')}`).toBe(true)
    // every reset the stale job sent came before the taker's tenure began
    const staleToken = p.api.token
    const resets = emu.requests.filter(r => r.method === 'PUT' && r.path === ITEM && r.headers.authorization === `Bearer ${staleToken}`)
    for (const r of resets) expect(r.time, said).toBeLessThan(start.time)
    expect(said).toMatch(/Released sandbox "ci-pool-1"|no longer this job's/)
  }, 60_000)
})

// --- clocks that disagree -----------------------------------------------------------------------

describe('runner clocks that disagree by tens of seconds', () => {
  // Skews past the lease: a job that judged expiry by its own clock would take over a live
  // lease. The lease is long enough that no job, however busy the machine, outlives its own.
  const SKEWS = [150_000, -150_000, 90_000, -90_000, 120_000, -100_000]
  it.each([1, 2, 3])('six jobs with skews of ±90-150 s on a pool of two (round %s): never two holders at once', async () => {
    seedReady(emu, 'ci-pool-1')
    seedReady(emu, 'ci-pool-2')
    const jobs = await Promise.all(SKEWS.map((skewMs, i) => job(emu, 10 + i, { skewMs, holdMs: 1000, ttlSeconds: 60, pool: 'ci-pool-*' })))
    const h = emu.adobe.leaseHistory()
    const tenures = jobs.map(j => ({ name: j.claim.sandbox.name, ...expectUnbroken(h, j) }))
    for (let i = 0; i < tenures.length; i++) {
      for (let k = i + 1; k < tenures.length; k++) {
        const [x, y] = [tenures[i], tenures[k]]
        if (x.name === y.name) expect(x.to <= y.from || y.to <= x.from, `${jobs[i].runId} and ${jobs[k].runId} overlap on ${x.name}`).toBe(true)
      }
    }
    for (const j of jobs) expect(j.released).toContain('marked free')
    // each sandbox's titles form unbroken stretches, one per job that held it
    for (const name of ['ci-pool-1', 'ci-pool-2']) {
      const held = stretches(h, name).filter(s => s.titles.some(t => jobs.some(j => t === formatHeld(j.claim.until, j.claim.nonce, holder(j.runId)))))
      expect(new Set(held.map(s => s.nonce)).size).toBe(held.length)
    }
  }, 120_000)
})

// --- title writes that fail ---------------------------------------------------------------------

const WRITE_FAULTS: [string, Fault][] = [
  ['answered 409', { kind: 'status', status: 409 }],
  ['answered 412', { kind: 'status', status: 412 }],
  ['answered 503', { kind: 'status', status: 503 }],
  ['answered 500 after it acted', { kind: 'status-after', status: 500 }],
  ['answered 409 after it acted', { kind: 'status-after', status: 409 }],
  ['acted, its answer lost', { kind: 'drop-after' }],
  ['stored truncated', { kind: 'store-title', truncate: 40 }],
  ['stored altered', { kind: 'store-title', replace: { from: 'nonce=', to: 'nonce:' } }]
]
/** The title writes of a lease and its release, by step and order. */
const WRITES: [string, 'main' | 'post', number][] = [
  ['the tentative claim', 'main', 1],
  ['the confirmation', 'main', 2],
  ["the release's renewal", 'post', 1],
  ["the release's free record", 'post', 2]
]
const WRITE_CASES = WRITES.flatMap(([write, step, n]) => WRITE_FAULTS.map(([what, fault]) => [write, what, step, n, fault] as const))

// A hold long enough for a reset and a free record on a busy machine: these are about the
// faults, not about a release that outlives its hold (that case has its own test below).
const WRITE_TIMING = quickTiming({ holdMs: 30_000 })

describe('a title write that fails, at every write of the protocol', () => {
  it.each(WRITE_CASES)('%s %s: the job leases, and its release marks the sandbox free', async (_write, _what, step, n, fault) => {
    seedReady(emu, POOL)
    const rule = { method: 'PATCH', path: ITEM, faults: [...Array<'pass'>(n - 1).fill('pass'), fault] }
    if (step === 'main') emu.faults.add(rule)
    const main = inProcessStep(emu, { operation: 'lease', pool: POOL }, { runId: 5 })
    const m = await main.api()
    const c = await acquire(main.ctx, m.api, WRITE_TIMING)
    if (step === 'post') emu.faults.add(rule)
    const post = inProcessStep(emu, { operation: 'lease', pool: POOL }, { runId: 5 })
    const p = await post.api()
    const said = (await release(post.ctx, p.api, p.deps, POOL, c.nonce, WRITE_TIMING)).text
    const log = [...main.lines, ...post.lines, said].join('\n')
    expect(emu.faults.pending(), log).toBe(0)
    expect(said, log).toBe('Released sandbox "ci-pool-1": reset started, marked free')
    expect(parseLeaseTitle(emu.adobe.get(POOL)?.title)).toMatchObject({ kind: 'free', resetAt: expect.any(Number) })
    expectUnbroken(emu.adobe.leaseHistory(), { claim: c, runId: 5 })
  }, 60_000)

  const REFUSED: [string, Fault][] = [
    ['409', { kind: 'status', status: 409 }],
    ['412', { kind: 'status', status: 412 }],
    ['503', { kind: 'status', status: 503 }]
  ]
  it.each(REFUSED)('a free record refused (%s) every time leaves the sandbox held only until the short hold ends; then the next job leases it', async (_what, fault) => {
    seedReady(emu, POOL)
    const main = inProcessStep(emu, { operation: 'lease', pool: POOL }, { runId: 6 })
    const m = await main.api()
    const c = await acquire(main.ctx, m.api, TIMING)
    // the renewal passes; every write after it is refused
    emu.faults.add({ method: 'PATCH', path: ITEM, faults: ['pass', fault], repeatLast: true })
    const post = inProcessStep(emu, { operation: 'lease', pool: POOL }, { runId: 6 })
    const p = await post.api()
    const before = Date.now()
    const said = (await release(post.ctx, p.api, p.deps, POOL, c.nonce, TIMING)).text
    expect(said).toMatch(/in part: not marked free/)
    expect(post.lines.join('\n')).toMatch(/warning: Could not mark "ci-pool-1" free: .*hold on it ends at/)
    const rec = parseLeaseTitle(emu.adobe.get(POOL)?.title)
    expect(rec).toMatchObject({ kind: 'held', nonce: c.nonce })
    // held by the short hold, not by the lease-ttl (6 h): the expiry is rounded up to the
    // second, on a server clock read from a Date header to the second, so up to 2 s past it
    if (rec.kind === 'held') expect(rec.until).toBeLessThanOrEqual(before + TIMING.holdMs + 2000)
    emu.faults.clear()
    const next = await job(emu, 7)
    expect(next.claim.slot.kind).toBe('expired')
  }, 60_000)
})

