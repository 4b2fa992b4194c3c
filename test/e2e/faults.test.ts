// The fault matrix: every fault the emulator can inject, against every operation that makes
// requests. Each case either succeeds or fails with a clear message, and once the post step
// has run the emulator holds no sandbox the case did not mean to keep.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADOBE_BASE, EMULATOR_TRACKSTAR_API_KEY, startEmulator, type Emulator, type Fault } from '../../emulator/index'
import { errors, runStep, type StepRun } from '../../scripts/local-runner'
import { expectOnlyLive } from '../harness/adobe'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'
import { expectMaskedEverywhere } from '../harness/secrets'

const API = `${ADOBE_BASE}/sandboxes`
const REQUEST_TIMEOUT_MS = 1000

let ran = 0
afterAll(() => console.log(`fault matrix: ${ran} cases ran`))
// A reset outlasts the retry that follows a lost answer, even on a busy machine, so the retry
// finds it still resetting.
const startFaultEmulator = (): Promise<Emulator> => startEmulator({ adobe: { createMs: 300, resetMs: 1500, deleteMs: 200 } })

/** 'ok-if-idempotent': a GET or DELETE retries it and succeeds; a POST or PUT fails. */
type Expect = 'ok' | 'fail' | 'ok-if-idempotent'
// [name, faults on the first matching requests, expected outcome of the faulted step]
const FAULTS: [string, (Fault | 'pass')[], Expect][] = [
  ['503, 503, then normal', [{ kind: 'status', status: 503 }, { kind: 'status', status: 503 }], 'ok'],
  ['502 then normal', [{ kind: 'status', status: 502 }], 'ok'],
  ['504 then normal', [{ kind: 'status', status: 504 }], 'ok'],
  ['429 with Retry-After seconds', [{ kind: 'rate-limit', header: 'retry-after', seconds: 1 }], 'ok'],
  ['429 with Retry-After as an HTTP date', [{ kind: 'rate-limit', header: 'retry-after-date', seconds: 1 }], 'ok'],
  ['429 with x-rate-limit-retry-after', [{ kind: 'rate-limit', header: 'x-rate-limit-retry-after', seconds: 1 }], 'ok'],
  ['429 with x-ratelimit-reset', [{ kind: 'rate-limit', header: 'x-ratelimit-reset', seconds: 1 }], 'ok'],
  ['429 without a header', [{ kind: 'rate-limit', header: 'none', seconds: 0 }], 'ok'],
  ['429 asking for longer than the timeout (a capped retry within it)', [{ kind: 'rate-limit', header: 'retry-after', seconds: 3600 }], 'ok'],
  ['a delay longer than the request timeout', [{ kind: 'delay', ms: REQUEST_TIMEOUT_MS + 1500 }], 'ok'],
  ['connection dropped before the provider acted', [{ kind: 'drop-before' }], 'ok'],
  ['connection dropped after the provider acted', [{ kind: 'drop-after' }], 'ok'],
  ['502 after the provider acted', [{ kind: 'status-after', status: 502 }], 'ok'],
  ['500 (retried only by GET and DELETE)', [{ kind: 'status', status: 500, body: { error: 'internal' } }], 'ok-if-idempotent'],
  ['500 after the provider acted (retried only by GET and DELETE)', [{ kind: 'status-after', status: 500 }], 'ok-if-idempotent'],
  ['403 (not retried)', [{ kind: 'status', status: 403, body: { error_code: '403003', message: 'Api Key is invalid', error: 'Forbidden' } }], 'fail']
]

interface Operation {
  name: string
  /** the request the fault is put on */
  method: string
  path: string | RegExp
  /** run the case against its own emulator; returns the faulted step's run */
  run(emu: Emulator, inject: () => void): Promise<{ faulted: StepRun; all: StepRun[] }>
  /** sandboxes that must be live at the end (besides the default) */
  keep: string[]
}

const env = { EPHEMERAL_SANDBOX_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) }
const ts = (emu: Emulator, extra: Record<string, string> = {}): Record<string, string> => trackstarInputs(emu, { timeout: '20', ...extra })
const ad = (emu: Emulator, extra: Record<string, string> = {}): Record<string, string> => adobeInputs(emu, { timeout: '20', ...extra })

/** main (faults injected first), then post with its state */
async function job(inputs: Record<string, string>, inject: () => void): Promise<{ faulted: StepRun; all: StepRun[] }> {
  inject()
  const main = await runStep({ inputs, env })
  const post = await runStep({ inputs, env, state: main.state })
  return { faulted: main, all: [main, post] }
}

/** main without faults, then the post step with the faults injected */
async function postJob(inputs: Record<string, string>, inject: () => void): Promise<{ faulted: StepRun; all: StepRun[] }> {
  const main = await runStep({ inputs, env })
  expect(main.exitCode, main.stdout).toBe(0)
  inject()
  const post = await runStep({ inputs, env, state: main.state })
  return { faulted: post, all: [main, post] }
}

const OPERATIONS: Operation[] = [
  {
    name: 'trackstar generate',
    method: 'POST',
    path: '/sandbox/generate-sandbox/wms',
    keep: [],
    run: (emu, inject) => job(ts(emu, { cleanup: 'none' }), inject)
  },
  {
    name: 'trackstar delete',
    method: 'DELETE',
    path: '/connections',
    keep: [],
    run: (emu, inject) => job(ts(emu, { operation: 'delete' }), inject)
  },
  {
    name: 'adobe create',
    method: 'POST',
    path: API,
    keep: [],
    run: (emu, inject) => job(ad(emu, { 'sandbox-name': 'fault-create' }), inject)
  },
  {
    name: 'adobe reset',
    method: 'PUT',
    path: `${API}/pool`,
    keep: ['pool'],
    run: (emu, inject) => {
      emu.adobe.seed({ name: 'pool', type: 'development', state: 'active' })
      return job(ad(emu, { operation: 'reset', 'sandbox-name': 'pool' }), inject)
    }
  },
  {
    name: 'adobe delete',
    method: 'DELETE',
    path: `${API}/doomed`,
    keep: [],
    run: (emu, inject) => {
      emu.adobe.seed({ name: 'doomed', type: 'development', state: 'active' })
      return job(ad(emu, { operation: 'delete', 'sandbox-name': 'doomed' }), inject)
    }
  },
  {
    name: 'adobe post-step delete',
    method: 'DELETE',
    path: `${API}/post-create`,
    keep: [],
    run: (emu, inject) => postJob(ad(emu, { 'sandbox-name': 'post-create' }), inject)
  },
  {
    name: 'adobe lookups while waiting',
    method: 'GET',
    path: `${API}/wait-lookups`,
    keep: [],
    // the rule starts with a 'pass': the first lookup (does it exist?) goes through and the
    // faults hit the polling that follows
    run: (emu, inject) => job(ad(emu, { 'sandbox-name': 'wait-lookups' }), inject)
  },
  {
    name: 'trackstar post-step reset',
    method: 'POST',
    path: '/sandbox/generate-sandbox/cart',
    keep: [],
    run: (emu, inject) => postJob(ts(emu, { 'integration-type': 'cart' }), inject)
  }
]

function isPost(op: Operation): boolean {
  return op.name.includes('post-step')
}

// Each case has its own emulator, so the cases run side by side: most of their time is
// spent waiting out back-offs and provisioning, not computing.
describe.concurrent('fault matrix', () => {
  const cases = OPERATIONS.flatMap(op => FAULTS.map(([fault, faults, outcome]) => [`${fault} during ${op.name}`, op, faults, outcome] as const))
  it.for(cases)('%s', async ([, op, faults, expected], { expect, onTestFinished }) => {
    ran++
    const emu = await startFaultEmulator()
    onTestFinished(() => emu.close())
    const outcome = expected === 'ok-if-idempotent' ? (['GET', 'DELETE'].includes(op.method) ? 'ok' : 'fail') : expected
    const rule = op.name === 'adobe lookups while waiting' ? (['pass', ...faults] as (Fault | 'pass')[]) : faults
    const { faulted, all } = await op.run(emu, () => emu.faults.add({ method: op.method, path: op.path, faults: rule }))
    expect(emu.faults.pending(), 'every injected fault was met').toBe(0)

    if (isPost(op)) {
      // The post step never fails the job: a failed cleanup is a warning naming the target.
      expect(faulted.exitCode).toBe(0)
      if (outcome === 'fail') expect(faulted.stdout).toMatch(/::warning::Cleanup failed: could not (delete|reset) the (Adobe sandbox "post-create"|Trackstar cart sandbox)/)
      else expect(faulted.stdout).not.toContain('::warning::')
    } else if (outcome === 'ok') {
      expect(faulted.exitCode, faulted.stdout).toBe(0)
    } else {
      expect(faulted.exitCode).toBe(1)
      const [error] = errors(faulted)
      expect(error).toMatch(/HTTP \d{3}/)
      expect(error).toMatch(/request id [0-9a-f-]{36}/)
    }

    if (op.name.startsWith('adobe')) {
      // A delete that failed before the provider acted leaves its target, as it should.
      const acted = faults.some(f => f !== 'pass' && (f.kind === 'status-after' || f.kind === 'drop-after'))
      const target = op.name === 'adobe delete' ? 'doomed' : isPost(op) ? 'post-create' : undefined
      const left = outcome === 'fail' && !acted && target ? [target] : []
      expectOnlyLive(emu, [...op.keep, ...left])
    }
    for (const run of all) expectMaskedEverywhere(run, ['emulator-client-secret', EMULATOR_TRACKSTAR_API_KEY])
  })
})

describe('creates are not blindly repeated', () => {
  let emu: Emulator
  beforeEach(async () => {
    emu = await startFaultEmulator()
  })
  afterEach(async () => emu?.close())
  it('a create whose answer was lost, retried into a 409, is this step\'s sandbox', async () => {
    emu.faults.add({ method: 'POST', path: API, faults: [{ kind: 'drop-after' }] })
    const main = await runStep({ inputs: ad(emu, { 'sandbox-name': 'lost-answer' }), env })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.created).toBe('true')
    expect(main.stdout).toContain('answered 409 after an attempt whose outcome was unknown')
    expect(emu.requests.filter(r => r.method === 'POST' && r.path === API).map(r => r.status)).toEqual([0, 409])
    expect(JSON.parse(main.state.cleanup)).toMatchObject({ sandbox: 'lost-answer', action: 'delete', created: true, confirmed: true })
  })

  it('a 409 without an earlier unknown outcome is someone else\'s sandbox: reused, not deleted', async () => {
    // Another job creates the same name between our lookup and our create.
    emu.faults.add({ method: 'GET', path: `${API}/raced`, faults: [{ kind: 'status', status: 404, body: { type: 'x/SMS-2006-404', status: 404, title: 'not found' } }] })
    emu.adobe.seed({ name: 'raced', type: 'development', state: 'active' })
    const main = await runStep({ inputs: ad(emu, { 'sandbox-name': 'raced' }), env })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.created).toBe('false')
    expect(main.state.cleanup ?? '').toBe('')
    expectOnlyLive(emu, ['raced'])
  })

  it('each retry is one log line with its reason', async () => {
    emu.faults.add({ method: 'POST', path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'status', status: 503 }, { kind: 'rate-limit', header: 'retry-after', seconds: 1 }] })
    const main = await runStep({ inputs: ts(emu, { cleanup: 'none' }), env })
    expect(main.exitCode).toBe(0)
    const retries = main.stdout.split('\n').filter(l => l.includes('retrying in'))
    expect(retries).toHaveLength(2)
    expect(retries[0]).toMatch(/HTTP 503 .*\(request id [0-9a-f-]{36}\); retrying in \d+\.\d s \(attempt 2 of at most 8\)/)
    expect(retries[1]).toMatch(/HTTP 429 .*retrying in 1\.0 s/)
  })

  it('a refused connection is retried until the timeout, then fails saying so', async () => {
    const closed = await startEmulator()
    const url = closed.url
    await closed.close()
    const main = await runStep({ inputs: { ...ts(emu, { cleanup: 'none', timeout: '3' }), 'trackstar-api-url': url }, env })
    expect(main.exitCode).toBe(1)
    expect(main.stdout.split('\n').filter(l => l.includes('ECONNREFUSED') && l.includes('retrying in')).length).toBeGreaterThan(0)
    expect(errors(main)[0]).toMatch(/Timed out after 3 s while generate wms sandbox \(Trackstar\); last failure: ECONNREFUSED/)
    expect(main.wallMs).toBeLessThan(6000)
  })

  it('retries stay inside the step timeout', async () => {
    emu.faults.add({ method: 'POST', path: '/sandbox/generate-sandbox/wms', faults: Array.from({ length: 8 }, () => ({ kind: 'status', status: 503 }) as Fault) })
    const main = await runStep({ inputs: ts(emu, { cleanup: 'none', timeout: '2' }), env })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toMatch(/Timed out after 2 s|gave up|HTTP 503/i)
    expect(main.wallMs).toBeLessThan(6000)
    emu.faults.clear()
  })
})
