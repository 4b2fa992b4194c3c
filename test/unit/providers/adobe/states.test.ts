// One definition of what a sandbox's state means (src/providers/adobe/states.ts), checked as a
// table: every state Adobe's OpenAPI and documents name, an unknown one and "not found", ×
// every operation. The operations run in process (the provider's own functions, over real HTTP
// to the emulator); each row checks the outcome and which changes were sent.
import { describe, expect, it as plainIt } from 'vitest'
import { ADOBE_BASE, type Emulator, type SandboxState } from '../../../../emulator/index'
import { ActionError, DeadlineError } from '../../../../src/core/errors'
import { adobe } from '../../../../src/providers/adobe/index'
import { lease, release } from '../../../../src/providers/adobe/lease/claim'
import { formatHeld } from '../../../../src/providers/adobe/lease/record'
import { exists, goingAway, inProgress, phase, PHASES, settled, STATES, unusable, type Phase } from '../../../../src/providers/adobe/states'
import { reached } from '../../../../src/providers/adobe/wait'
import { emulatorPerTest } from '../../../harness/per-test'
import { inProcessStep, quickTiming } from '../../../harness/lease'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 300, resetMs: 300, deleteMs: 300 } })

const UNKNOWN = 'migrating'
const ALL = [...STATES, UNKNOWN]

describe('phase, for every state', () => {
  const expected: Record<string, Phase> = {
    creating: 'in progress',
    provisioning: 'in progress',
    resetting: 'in progress',
    active: 'settled',
    failed: 'settled',
    deleting: 'going away',
    cleaning: 'going away',
    'de-provisioning': 'going away',
    deleted: 'gone',
    [UNKNOWN]: 'in progress'
  }
  plainIt('names exactly the states of Adobe\'s OpenAPI and documents', () => {
    expect([...STATES].sort()).toEqual(Object.keys(expected).filter(s => s !== UNKNOWN).sort())
  })
  plainIt.each(ALL)('%s', state => {
    const s = { state }
    expect(phase(s)).toBe(expected[state])
    expect(exists(s)).toBe(expected[state] !== 'gone')
    expect(goingAway(s)).toBe(expected[state] === 'going away')
    expect(inProgress(s)).toBe(expected[state] === 'in progress')
    expect(settled(s)).toBe(expected[state] !== 'in progress')
    // usable (able to become active) only when settled active or on its way somewhere
    expect(unusable(s) === undefined).toBe(state === 'active' || expected[state] === 'in progress')
  })
  plainIt('a 404 is gone; a state spelled like an Object property is unknown, so in progress', () => {
    expect(phase(undefined)).toBe('gone')
    expect(phase({ state: 'constructor' })).toBe('in progress')
    expect(phase({ state: 'toString' })).toBe('in progress')
    expect(Object.keys(PHASES)).toEqual(STATES)
  })
  plainIt.each(ALL)('the wait on %s: active, settled, gone', state => {
    const s = { name: 'box-1', state, type: 'development', isDefault: false }
    const o = { name: 'box-1', doing: 'testing' }
    const p = expected[state]
    expect(reached({ ...o, until: 'gone' }, s)).toBe(p === 'gone')
    expect(reached({ ...o, until: 'settled' }, s)).toBe(p !== 'in progress')
    if (p === 'in progress') expect(reached({ ...o, until: 'active' }, s)).toBe(false)
    else if (state === 'active') expect(reached({ ...o, until: 'active' }, s)).toBe(true)
    else expect(() => reached({ ...o, until: 'active' }, s)).toThrow(ActionError)
  })
})

type Op = 'create' | 'reuse' | 'reset' | 'delete' | 'prune' | 'lease' | 'get' | 'cleanup-delete' | 'cleanup-reset' | 'release'
const OPS: Op[] = ['create', 'reuse', 'reset', 'delete', 'prune', 'lease', 'get', 'cleanup-delete', 'cleanup-reset', 'release']
const NONCE = '0123456789abcdef'
const HOLDER = 'by=acme/shop run=1.1 job=unit'
const NAME = 'box-1'

interface Outcome {
  /** the error the operation ends with, or undefined when it succeeds */
  error?: RegExp | typeof DeadlineError
  /** text in its log or result */
  says?: RegExp
  /** changes sent to the sandbox: POST create, PUT reset, DELETE, PATCH title */
  sent: { POST?: number; PUT?: number; DELETE?: number; PATCH?: number | 'any' }
}

/** What each operation does, by the state the sandbox is found in ('not found': no record). */
function expected(state: string, op: Op): Outcome {
  const p = state === 'not found' ? 'gone' : phase({ state })
  const unknown = state === UNKNOWN
  const failed = state === 'failed'
  switch (op) {
    case 'create':
    case 'reuse':
      if (p === 'gone' || p === 'going away') return { says: /Creating sandbox "box-1"/, sent: { POST: 1 } }
      if (op === 'create') return { error: /already exists .* if-exists is "fail"/, sent: {} }
      if (failed) return { error: /exists but is in state "failed"/, sent: {} }
      if (unknown) return { error: DeadlineError, sent: {} }
      return { says: /Reusing sandbox "box-1" \(active\)/, sent: {} }
    case 'reset':
      if (p === 'gone') return { error: /does not exist, so it cannot be reset/, sent: {} }
      if (p === 'going away') return { error: /is being deleted/, sent: {} }
      if (failed) return { error: /in state "failed".* cannot be reset/, sent: {} }
      if (unknown) return { error: DeadlineError, sent: {} }
      return { says: /Resetting sandbox "box-1"/, sent: { PUT: 1 } }
    case 'delete':
      if (p === 'gone') return { says: /does not exist \(already deleted\)/, sent: {} }
      if (p === 'going away') return { says: /already being deleted/, sent: {} }
      if (unknown) return { error: DeadlineError, sent: {} }
      return { says: /Deleting sandbox "box-1"/, sent: { DELETE: 1 } }
    case 'prune':
      // stale, so deleted unless gone or already on its way out
      return p === 'gone' || p === 'going away' ? { says: /0 to delete/, sent: {} } : { says: /Deleted sandbox "box-1"/, sent: { DELETE: 1 } }
    case 'lease':
      if (p === 'gone') return { error: /has no sandbox that may be leased/, sent: {} }
      if (p === 'going away') return { error: /has no sandbox that may be leased/, says: new RegExp(`"box-1" is being deleted \\(state ${state}\\): it is not leased`), sent: {} }
      if (failed) return { error: /has no sandbox that may be leased/, says: /"box-1" is in state "failed"/, sent: {} }
      // claimed (how far the claim got before the timeout does not matter), never reset
      if (unknown) return { error: DeadlineError, sent: { PATCH: 'any' } }
      // claimed (tentative, confirmation), then reset: its title was set by hand
      return { says: /Resetting "box-1" before use/, sent: { PATCH: 2, PUT: 1 } }
    case 'get':
      if (p === 'gone') return { error: /does not exist/, sent: {} }
      if (p === 'going away') return { error: /is being deleted .* will not become active/, sent: {} }
      if (failed) return { error: /in state "failed" .* will not become active/, sent: {} }
      if (unknown) return { error: DeadlineError, sent: {} }
      return { says: /is active; nothing was changed/, sent: {} }
    case 'cleanup-delete':
      if (p === 'gone') return { says: /already gone/, sent: {} }
      if (p === 'going away') return { says: /already being deleted/, sent: {} }
      if (unknown) return { error: DeadlineError, sent: {} }
      return { says: /Deleted sandbox "box-1"/, sent: { DELETE: 1 } }
    case 'cleanup-reset':
      if (p === 'gone') return { says: /already gone/, sent: {} }
      if (p === 'going away') return { says: /already being deleted .*nothing to reset/, sent: {} }
      if (failed) return { error: /in state "failed".* cannot be reset/, sent: {} }
      if (unknown) return { error: DeadlineError, sent: {} }
      return { says: /Reset sandbox "box-1"/, sent: { PUT: 1 } }
    case 'release':
      if (p === 'gone') return { says: /no longer exists: nothing to release/, sent: {} }
      if (p === 'going away') return { says: /is being deleted .*nothing to release/, sent: {} }
      // renewed (a hold), then free without a reset
      if (failed) return { says: /without a reset \(it is in state "failed"\): marked free/, sent: { PATCH: 2 } }
      if (unknown) return { error: DeadlineError, sent: {} }
      return { says: /Released sandbox "box-1": reset started, marked free/, sent: { PATCH: 2, PUT: 1 } }
  }
}

const INPUTS: Record<Op, Record<string, string>> = {
  create: { operation: 'create', 'sandbox-name': NAME, 'if-exists': 'fail', cleanup: 'none' },
  reuse: { operation: 'create', 'sandbox-name': NAME, 'if-exists': 'reuse', cleanup: 'none' },
  reset: { operation: 'reset', 'sandbox-name': NAME, cleanup: 'none' },
  delete: { operation: 'delete', 'sandbox-name': NAME },
  prune: { operation: 'prune', 'prune-prefix': 'box-', 'prune-older-than': '1h' },
  lease: { operation: 'lease', pool: NAME },
  get: { operation: 'get', 'sandbox-name': NAME },
  'cleanup-delete': { operation: 'create', 'sandbox-name': NAME, cleanup: 'delete' },
  'cleanup-reset': { operation: 'create', 'sandbox-name': NAME, cleanup: 'reset' },
  release: { operation: 'lease', pool: NAME }
}

/** Seeds the sandbox in `state`; one in progress stays so until the step has seen it (finishOnce). */
function seed(e: Emulator, state: string, op: Op): void {
  if (state === 'not found') return
  const title = op === 'release' ? formatHeld(Date.now() + 3600_000, NONCE, HOLDER) : 'set up by hand'
  e.adobe.setTimings({ createMs: 600_000, resetMs: 600_000, deleteMs: 600_000 })
  e.adobe.seed({ name: NAME, type: 'development', state: state as SandboxState, title, ageSeconds: 3 * 86_400 })
  // what the step itself starts ends soon
  e.adobe.setTimings({ createMs: 300, resetMs: 300, deleteMs: 300 })
}

const CASES = [...ALL, 'not found'].flatMap(state => OPS.map(op => [state, op] as const))

describe('every state × every operation', () => {
  it.each(CASES)('%s × %s', async (state, op) => {
    seed(emu, state, op)
    const e = emu.adobe
    // A sandbox busy in a known state finishes once the step has seen it and waits for it;
    // an unknown state never ends, so those rows are about the timeout.
    const timeoutMs = state === UNKNOWN ? 4000 : 60_000
    const step = inProcessStep(emu, INPUTS[op], { runId: 7, timeoutMs, onLine: line => (/wait|elapsed/.test(line) ? e.finishNow(NAME) : undefined) })
    const want = expected(state, op)
    let said = ''
    let error: unknown
    try {
      if (op === 'release') {
        const { api, deps } = await step.api()
        said = (await release(step.ctx, api, deps, NAME, NONCE, quickTiming())).text
      } else if (op === 'cleanup-delete' || op === 'cleanup-reset') {
        said = (await adobe.cleanup(step.ctx, { provider: 'adobe', sandbox: NAME, action: op === 'cleanup-delete' ? 'delete' : 'reset', created: false, confirmed: true })).text
      } else if (op === 'lease') {
        // the lease with short timings: the provider's own lease, as run() calls it
        const { api, deps } = await step.api()
        await lease(step.ctx, api, deps, quickTiming())
      } else {
        const result = await adobe.run(step.ctx)
        said = result.summary.map(r => r.join(': ')).join('\n')
      }
    } catch (err) {
      error = err
    }
    const text = `${step.lines.join('\n')}\n${said}`
    if (want.error === DeadlineError) expect(error, text).toBeInstanceOf(DeadlineError)
    else if (want.error instanceof RegExp) expect(String(error), text).toMatch(want.error)
    else expect(error, text).toBeUndefined()
    if (want.says) expect(`${text}\n${String(error ?? '')}`).toMatch(want.says)
    const sent = (method: string) => emu.requests.filter(r => r.method === method && r.path === `${ADOBE_BASE}${method === 'POST' ? '/sandboxes' : `/sandboxes/${NAME}`}`).length
    const counts = { POST: sent('POST'), PUT: sent('PUT'), DELETE: sent('DELETE'), PATCH: sent('PATCH') as number | 'any' }
    if (want.sent.PATCH === 'any') counts.PATCH = 'any'
    expect(counts, text).toEqual({ POST: 0, PUT: 0, DELETE: 0, PATCH: 0, ...want.sent })
  })
})
