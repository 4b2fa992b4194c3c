// The Sandbox API's records and how their states move: create, reset and delete run through
// the state flow on the emulator's clock, and every change is kept for the tests. The routes
// (emulator/adobe.ts) read and change records only through this store.
import { randomUUID } from 'node:crypto'
import { formatSandboxDate, parseSandboxDate, skewDate } from './dates'
import type { Fault } from './types'
import {
  DEFAULT_PAGE_CAP,
  FLOWS,
  IN_PROGRESS,
  NAME_PATTERN,
  SEED_USER,
  type AdobeOptions,
  type AdobeStrictness,
  type AdobeTimings,
  type BlockCode,
  type Op,
  type Rec,
  type Sandbox,
  type SandboxChange,
  type SandboxSeed,
  type SandboxState
} from './adobe-model'

export function createSandboxStore(options: AdobeOptions, now: () => number) {
  // Records in listing order; a name is unique among them (re-creating replaces a deleted one).
  const recs: Rec[] = []
  let timings: AdobeTimings = { createMs: 3000, resetMs: 3000, deleteMs: 1000 }
  let licenseLimit = 5
  let strict: Required<Omit<AdobeStrictness, 'randomDefaultName'>> = strictFrom(options)
  let nextFails = new Set<string>()
  let blocks = new Map<string, BlockCode>()
  let changes: SandboxChange[] = []

  function history(): SandboxChange[] {
    for (const r of recs) settle(r) // a finished operation is a change, even if nobody looked
    return changes.map(c => ({ ...c })).sort((a, b) => a.time - b.time)
  }

  function record(rec: Rec, from: SandboxState | null, cause: SandboxChange['cause'], time = now()): void {
    changes.push({ name: rec.name, from, to: rec.state, title: rec.title, time, cause })
  }

  function reset(): void {
    recs.length = 0
    changes = []
    timings = {
      createMs: options.createMs ?? 3000,
      resetMs: options.resetMs ?? 3000,
      deleteMs: options.deleteMs ?? 1000
    }
    licenseLimit = options.licenseLimit ?? 5
    strict = strictFrom(options)
    nextFails = new Set()
    blocks = new Map()
    const t = now()
    const rec: Rec = {
      name: strict.defaultSandboxName, title: 'Production', state: 'active', type: 'production', isDefault: true, eTag: 1,
      createdAt: t, modifiedAt: t, createdBy: SEED_USER, modifiedBy: SEED_USER, id: randomUUID()
    }
    recs.push(rec)
    record(rec, null, 'seed', t)
  }
  reset()

  /** Moves a pending operation through the phases whose time has come; the one place state moves on its own. */
  function settle(rec: Rec): Rec {
    const op = rec.op
    while (op && op.phases.length > 0 && now() >= op.phases[0].endsAt) {
      const { endsAt } = op.phases.shift()!
      const from = rec.state
      const next = op.phases[0]
      if (next) rec.state = next.state
      else {
        rec.op = undefined
        rec.state = op.kind === 'delete' ? 'deleted' : op.fails ? 'failed' : 'active'
        if (rec.state === 'active') rec.activeAt = endsAt
      }
      rec.modifiedAt = endsAt
      rec.eTag += 1
      record(rec, from, 'settle', endsAt)
    }
    return rec
  }

  /**
   * Starts an operation at its first state of the flow, or at `from` (a seeded record mid-way),
   * and records the change from `prev` (null: a new record).
   */
  function startOp(rec: Rec, kind: Op['kind'], cause: SandboxChange['cause'], prev: SandboxState | null, from?: SandboxState): void {
    const duration = kind === 'create' ? timings.createMs : kind === 'reset' ? timings.resetMs : timings.deleteMs
    const fails = kind !== 'delete' && nextFails.delete(rec.name)
    const flow = FLOWS[strict.stateFlow][kind]
    const states = from === undefined ? flow : flow.includes(from) ? flow.slice(flow.indexOf(from)) : [from]
    const t = now()
    rec.state = states[0]
    rec.op = { kind, fails, phases: states.map((state, i) => ({ state, endsAt: t + (duration * (i + 1)) / states.length })) }
    record(rec, prev, cause, t)
    settle(rec)
  }

  const find = (name: string) => {
    const rec = recs.find(r => r.name === name)
    return rec && settle(rec)
  }
  const live = (name: string) => {
    const rec = find(name)
    return rec && rec.state !== 'deleted' ? rec : undefined
  }

  const view = (r: Rec): Sandbox => ({
    name: r.name,
    title: r.title,
    state: r.state,
    type: r.type,
    region: 'VA7',
    isDefault: r.isDefault,
    eTag: r.eTag,
    createdDate: formatSandboxDate(r.createdAt),
    lastModifiedDate: formatSandboxDate(r.modifiedAt),
    createdBy: r.createdBy,
    modifiedBy: r.modifiedBy,
    id: r.id
  })

  /** The record as this request's answer shows it: a skew-dates fault rewrites its dates. */
  const answerView = (r: Rec, fault: Fault | undefined): Record<string, unknown> => {
    const v: Record<string, unknown> = { ...view(r) }
    if (fault?.kind === 'skew-dates') {
      v.createdDate = skewDate(r.createdAt, fault.style, fault.hours, fault.years)
      v.lastModifiedDate = skewDate(r.modifiedAt, fault.style, fault.hours, fault.years)
    }
    return v
  }

  function touch(rec: Rec, by: string): void {
    rec.eTag += 1
    rec.modifiedAt = now()
    rec.modifiedBy = by
  }


  function seed(s: SandboxSeed): Sandbox {
    if (!NAME_PATTERN.test(s.name)) throw new Error(`emulator: invalid sandbox name ${s.name}`)
    const t = now()
    const createdAt =
      s.ageSeconds !== undefined ? t - s.ageSeconds * 1000 : s.createdDate ? parseSandboxDate(s.createdDate) : t
    const modifiedAt =
      s.ageSeconds !== undefined ? createdAt : s.lastModifiedDate ? parseSandboxDate(s.lastModifiedDate) : createdAt
    const state = s.state ?? 'active'
    const rec: Rec = {
      name: s.name,
      title: s.title ?? s.name,
      state,
      type: s.type ?? 'development',
      isDefault: s.isDefault ?? false,
      eTag: s.eTag ?? 1,
      createdAt,
      modifiedAt,
      createdBy: s.createdBy ?? SEED_USER,
      modifiedBy: s.modifiedBy ?? SEED_USER,
      id: s.id ?? randomUUID()
    }
    const at = recs.findIndex(r => r.name === s.name)
    if (at >= 0) recs[at] = rec
    else recs.push(rec)
    // A sandbox seeded mid-operation finishes like one started now; other states stay put.
    const kind = IN_PROGRESS[state]
    if (kind) startOp(rec, kind, 'seed', null, state)
    else record(rec, null, 'seed', t)
    return view(rec)
  }

  /** Renames the default sandbox (the record with isDefault), as another organization might call it. */
  function renameDefault(name: string): void {
    if (!NAME_PATTERN.test(name)) throw new Error(`emulator: invalid sandbox name ${name}`)
    const rec = recs.find(r => r.isDefault)
    if (!rec || rec.name === name) return
    if (recs.some(r => r.name === name)) throw new Error(`emulator: a sandbox named ${name} exists already`)
    rec.name = name
    record(rec, rec.state, 'rename')
  }

  /** Changes strictness until the next reset; a new default name renames the default sandbox. */
  function configure(c: AdobeStrictness): AdobeStrictness {
    const next = strictFrom({ ...strict, ...c, randomDefaultName: c.randomDefaultName })
    if (c.defaultSandboxName !== undefined || c.randomDefaultName) renameDefault(next.defaultSandboxName)
    strict = next
    return { ...strict }
  }

  return {
    get recs(): Rec[] {
      return recs
    },
    get timings(): AdobeTimings {
      return timings
    },
    set timings(t: AdobeTimings) {
      timings = t
    },
    get licenseLimit(): number {
      return licenseLimit
    },
    set licenseLimit(n: number) {
      licenseLimit = n
    },
    get strict(): Required<Omit<AdobeStrictness, 'randomDefaultName'>> {
      return strict
    },
    get nextFails(): Set<string> {
      return nextFails
    },
    get blocks(): Map<string, BlockCode> {
      return blocks
    },
    history,
    record,
    reset,
    settle,
    startOp,
    find,
    live,
    view,
    answerView,
    touch,
    seed,
    renameDefault,
    configure
  }
}

export type SandboxStore = ReturnType<typeof createSandboxStore>

/** The strictness in force: the defaults follow Adobe's published contract. */
function strictFrom(o: AdobeStrictness): Required<Omit<AdobeStrictness, 'randomDefaultName'>> {
  const pageCap = o.pageCap ?? DEFAULT_PAGE_CAP
  if (!(Number.isInteger(pageCap) && pageCap >= 1)) throw new Error(`emulator: pageCap must be a positive integer, got ${pageCap}`)
  const name = o.randomDefaultName ? `main-${randomUUID().slice(0, 6)}` : (o.defaultSandboxName ?? 'prod')
  if (!NAME_PATTERN.test(name)) throw new Error(`emulator: invalid default sandbox name ${name}`)
  const stateFlow = o.stateFlow ?? 'adobe'
  if (stateFlow !== 'adobe' && stateFlow !== 'legacy') throw new Error(`emulator: stateFlow must be adobe or legacy, got ${String(stateFlow)}`)
  const licenseScope = o.licenseScope ?? 'all'
  if (licenseScope !== 'all' && licenseScope !== 'development') throw new Error(`emulator: licenseScope must be all or development, got ${String(licenseScope)}`)
  return {
    requireSandboxHeader: o.requireSandboxHeader ?? true,
    pageCap,
    stateFlow,
    licenseScope,
    defaultSandboxName: name
  }
}
