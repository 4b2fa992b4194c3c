// Pool set-ups for the lease tests, written in the lease record format docs/pools.md documents,
// and steps run in process (the provider's own functions over real HTTP to the emulator) for
// the tests that need many of them, a clock of their own, or a claim stopped half-way.
import type { Emulator, HistoryEntry } from '../../emulator/index'
import { adobeInputs } from '../../scripts/emulator-inputs'
import { Deadline, systemClock, type Clock } from '../../src/core/deadline'
import { Http, type Transport, httpClientTransport } from '../../src/core/http'
import { type AdobeInputs } from '../../src/core/inputs'
import { readInputs } from '../../src/providers/inputs'
import { connect, leaseDeps } from '../../src/providers/adobe/ops/common'
import type { LeaseTiming } from '../../src/providers/adobe/lease/claim'
import type { StepContext } from '../../src/core/provider'
import { Secrets } from '../../src/core/secrets'
import type { Handoff } from '../../src/core/handoff'

const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')

/** A free pool sandbox, reset at its last release: ready at once. */
export function seedReady(emu: Emulator, name: string): void {
  emu.adobe.seed({ name, type: 'development', state: 'active', title: `lease v1 free reset=${iso(Date.now() - 60_000)} last=acme/other run=1.1 job=test` })
}

/** A pool sandbox held by another run until `untilMs`. */
export function seedHeld(emu: Emulator, name: string, untilMs: number, run = '555.1'): void {
  emu.adobe.seed({ name, type: 'development', state: 'active', title: `lease v1 held until=${iso(untilMs)} nonce=0123456789abcdef by=acme/other run=${run} job=build` })
}

export const LEASE_ENV = { EPHEMERAL_SANDBOX_LEASE_SETTLE_MS: '800' }

/** Lease timing for in-process steps: short, with a settle interval a busy machine stays under. */
export function quickTiming(over: Partial<LeaseTiming> = {}): LeaseTiming {
  const settleMs = over.settleMs ?? 1500
  return { settleMs, tentativeMs: 4000, holdMs: 6000, pollMs: () => 150, progressMs: 2000, ...over }
}

export interface StepOptions {
  runId: number
  /** this step's clock runs ahead (+) or behind (-) the emulator's by this much */
  skewMs?: number
  /** the step's `timeout` in ms */
  timeoutMs?: number
  /** every request goes through this first (a claimant that dies stops here) */
  transport?: Transport
  /** the step's clock (a virtual one makes its waits instant); default the system's, skewed by skewMs */
  clock?: Clock
  /** each log line as it is written */
  onLine?: (line: string) => void
}

/** One step of a job, in process: its context, its log lines and what it recorded for the post step. */
export function inProcessStep(emu: Emulator, extra: Record<string, string>, o: StepOptions) {
  const secrets = new Secrets(() => undefined)
  const values = adobeInputs(emu, extra)
  const inputs = readInputs(n => values[n] ?? '', {}, secrets) as AdobeInputs
  const skew = o.skewMs ?? 0
  const clock: Clock = o.clock ?? (skew ? { now: () => Date.now() + skew, sleep: systemClock.sleep } : systemClock)
  const abort = new AbortController()
  const deadline = new Deadline(o.timeoutMs ?? 60_000, clock, abort.signal)
  const lines: string[] = []
  const push = (m: string): void => {
    lines.push(m)
    o.onLine?.(m)
  }
  const log = { info: push, notice: push, warning: (m: string) => push(`warning: ${m}`), debug: () => undefined }
  const records: (Handoff | undefined)[] = []
  const ctx: StepContext<AdobeInputs> = {
    inputs,
    deadline,
    log,
    secrets,
    run: { repository: 'acme/shop', repo: 'shop', runId: o.runId, runAttempt: 1, job: 'unit', serverUrl: 'https://github.com' },
    http: (provider, h) => new Http({ provider, deadline, log, hint: h, transport: o.transport ?? httpClientTransport, backoffBaseMs: 50, backoffCapMs: 200 }),
    record: h => void records.push(h),
    createGraceMs: 0
  }
  return {
    ctx,
    lines,
    records,
    /** what the post step would find in the saved state */
    handoff: (): Handoff | undefined => records.at(-1),
    /** the step's process ends (a cancel that nothing catches) */
    kill: () => abort.abort(),
    async api() {
      const api = await connect(ctx)
      return { api, deps: leaseDeps(ctx, api, api.token) }
    }
  }
}

/** The nonce in a lease title. */
export const nonceOf = (title: string | undefined): string | undefined => /nonce=([0-9a-f]{16})/.exec(title ?? '')?.[1]

/**
 * Who held a sandbox when, from the emulator's history of titles: each stretch of titles that
 * carry one nonce, with the time its first title was written and the time the next title
 * (another nonce's, a free record, any other) replaced it.
 */
export function stretches(h: HistoryEntry[], name: string): { nonce: string | undefined; from: number; to: number; fromSeq: number; titles: string[] }[] {
  const titles = h.filter(e => e.name === name && e.field === 'title')
  const out: { nonce: string | undefined; from: number; to: number; fromSeq: number; titles: string[] }[] = []
  for (const e of titles) {
    const n = nonceOf(e.value)
    const last = out.at(-1)
    if (last && last.nonce === n && n !== undefined) {
      last.titles.push(e.value)
      continue
    }
    if (last) last.to = e.time
    out.push({ nonce: n, from: e.time, to: Infinity, fromSeq: e.seq, titles: [e.value] })
  }
  return out
}
