// The fault matrix (dealt over faults-1..8.test.ts): every fault the emulator can inject, against every operation that makes
// requests, and the cases behind each promise of issue 14 (cleanup that cannot be starved,
// safety that fails closed, prune that lists everything). Each case either succeeds or fails
// with a clear message; once the post step has run the emulator holds no sandbox the case
// did not mean to keep, no piece of a secret was shown, and every Sandbox API call carried
// `x-sandbox-name`. Leaks and exposures are counted across the file and printed at the end.
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { ADOBE_BASE, ECHO_ENCODINGS, EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_ORG_ID, startEmulator, type Emulator, type Fault, type LoggedRequest } from '../../emulator/index'
import { errors, runStep, type StepOptions, type StepRun } from '../../scripts/local-runner'
import { bearerTokens, callsWithoutSandboxHeader, finishOnceSeen, leakedSandboxes } from '../harness/adobe'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'
import { distinctSecret, expectMaskedEverywhere, exposedPieces } from '../harness/secrets'
import { forwarding, perTest } from '../harness/per-test'

const API = `${ADOBE_BASE}/sandboxes`
// Long enough that a busy machine never times out an answer the emulator gives at once (a
// timed-out answer changes a case's path), short enough for the delay faults to outlast it.
const REQUEST_TIMEOUT_MS = 5000
/** how long the post step looks for a create of unknown outcome, in these tests */
const GRACE_MS = 4000

/** One case's own emulator and credentials: the cases of a shard run side by side. */
interface Case {
  emu: Emulator
  clientSecret: string
  trackstarKey: string
}
/** this shard file's counts (a worker runs its files one after another) */
let tally = { ran: 0, leaked: 0, exposed: 0 }

async function startCase(): Promise<Case> {
  // Fresh credentials per case, made of letters that never run four in a row in ordinary
  // output, so that any piece of them in a log is a leak; characters that JSON, URL, form
  // and base64 encodings each change, so every encoding differs.
  const clientSecret = distinctSecret(24, '/+&%"é')
  const trackstarKey = distinctSecret(24, '/+&%')
  const emu = await startEmulator({
    // A reset outlasts the retry that follows a lost answer, even on a busy machine, so the
    // retry's follow-up lookup still finds it resetting (see "Noticed" in the closing note).
    adobe: { createMs: 300, resetMs: 1500, deleteMs: 200, clients: [{ clientId: EMULATOR_ADOBE_CLIENT_ID, clientSecret, orgId: EMULATOR_ADOBE_ORG_ID }] },
    trackstar: { apiKeys: [trackstarKey] }
  })
  return { emu, clientSecret, trackstarKey }
}

const cases = perTest(startCase, c => c.emu.close())
const it = cases.it
/** the running case's emulator */
const emu = forwarding(() => cases.current().emu)
const clientSecret = (): string => cases.current().clientSecret
const trackstarKey = (): string => cases.current().trackstarKey

/** Secrets of this case with the length of piece that counts as exposing them. */
function caseSecrets(runs: StepRun[]): { secret: string; min: number }[] {
  const issued: string[] = []
  for (const run of runs) issued.push(run.outputs.access_token ?? '', run.outputs.connection_id ?? '')
  for (const c of emu.trackstar.connections()) issued.push(c.accessToken, c.connectionId)
  // A bearer token's first parts are a fixed header and readable claims: its signature is the secret part.
  for (const t of bearerTokens(emu)) issued.push(t.split('.').at(-1) ?? t)
  return [
    { secret: clientSecret(), min: 4 },
    { secret: trackstarKey(), min: 4 },
    ...issued.filter(t => t && t.length >= 16).map(secret => ({ secret, min: 8 }))
  ]
}

/** The requests the emulator logged while this step ran (a case runs its steps one after another). */
function requestsOf(run: StepRun): LoggedRequest[] {
  return emu.requests.filter(r => r.time >= run.startedAt && r.time <= run.endedAt)
}

/** ms on the emulator's clock from the first to the last of these requests (0 for fewer than two). */
function span(requests: LoggedRequest[]): number {
  return requests.length < 2 ? 0 : requests[requests.length - 1].time - requests[0].time
}

/**
 * The checks every case ends with, counted before they are asserted: no sandbox left that the
 * case did not keep, no piece of a secret shown, `x-sandbox-name` on every Sandbox API call.
 */
function settle(runs: StepRun[], keep: string[] = []): void {
  tally.ran++
  const leaked = leakedSandboxes(emu, keep)
  const exposed = caseSecrets(runs).flatMap(({ secret, min }) => runs.flatMap(r => exposedPieces(r, [secret], min)))
  if (leaked.length) tally.leaked++
  if (exposed.length) tally.exposed++
  expect(leaked, 'sandboxes left behind').toEqual([])
  expect(exposed, 'pieces of secrets shown').toEqual([])
  expect(callsWithoutSandboxHeader(emu), 'Sandbox API calls without x-sandbox-name').toEqual([])
  for (const run of runs) expectMaskedEverywhere(run, [clientSecret(), trackstarKey()])
}

/** 'ok-if-idempotent': a call that is safe to repeat retries it and succeeds; an Adobe create fails. */
/**
 * 'capped': the provider asked for longer than the step has: either a capped retry within the
 * budget succeeds, or the step fails saying what the provider asked for; never a wait past it.
 */
type Expect = 'ok' | 'fail' | 'ok-if-idempotent' | 'capped'
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
  ['429 asking for longer than the timeout', [{ kind: 'rate-limit', header: 'retry-after', seconds: 3600 }], 'capped'],
  ['a delay longer than the request timeout', [{ kind: 'delay', ms: REQUEST_TIMEOUT_MS + 3000 }], 'ok'],
  ['connection dropped before the provider acted', [{ kind: 'drop-before' }], 'ok'],
  ['connection dropped after the provider acted', [{ kind: 'drop-after' }], 'ok'],
  ['502 after the provider acted', [{ kind: 'status-after', status: 502 }], 'ok'],
  ['503 after the provider acted', [{ kind: 'status-after', status: 503 }], 'ok'],
  ['500 (retried where repeating is safe)', [{ kind: 'status', status: 500, body: { error: 'internal' } }], 'ok-if-idempotent'],
  ['500 after the provider acted (retried where repeating is safe)', [{ kind: 'status-after', status: 500 }], 'ok-if-idempotent'],
  ['403 (not retried)', [{ kind: 'status', status: 403, body: { error_code: '403003', message: 'Api Key is invalid', error: 'Forbidden' } }], 'fail']
]

interface Operation {
  name: string
  /** the request the fault is put on */
  method: string
  path: string | RegExp
  /** run the case; returns the faulted step's run */
  run(inject: () => void): Promise<{ faulted: StepRun; all: StepRun[] }>
  /** sandboxes that must be live at the end (besides the default) */
  keep: string[]
  /** repeating the faulted call is harmless (a lookup, a delete, a reset, Trackstar's generate) */
  idempotent: boolean
}

const env = { EPHEMERAL_SANDBOX_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), EPHEMERAL_SANDBOX_CREATE_GRACE_MS: String(GRACE_MS) }
// The post step runs on cleanup-timeout: bounded like the main step's timeout.
const ts = (extra: Record<string, string> = {}): Record<string, string> => trackstarInputs(emu, { timeout: '20', 'cleanup-timeout': '20', 'trackstar-api-key': trackstarKey(), ...extra })
const ad = (extra: Record<string, string> = {}): Record<string, string> => adobeInputs(emu, { timeout: '20', 'cleanup-timeout': '20', 'adobe-client-secret': clientSecret(), ...extra })

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
    idempotent: true,
    method: 'POST',
    path: '/sandbox/generate-sandbox/wms',
    keep: [],
    run: inject => job(ts({ cleanup: 'none' }), inject)
  },
  {
    name: 'trackstar delete',
    idempotent: true,
    method: 'DELETE',
    path: '/connections',
    keep: [],
    run: inject => job(ts({ operation: 'delete' }), inject)
  },
  {
    name: 'adobe create',
    idempotent: false,
    method: 'POST',
    path: API,
    keep: [],
    run: inject => job(ad({ 'sandbox-name': 'fault-create' }), inject)
  },
  {
    name: 'adobe reset',
    idempotent: true,
    method: 'PUT',
    path: `${API}/pool`,
    keep: ['pool'],
    run: inject => {
      emu.adobe.seed({ name: 'pool', type: 'development', state: 'active' })
      return job(ad({ operation: 'reset', 'sandbox-name': 'pool' }), inject)
    }
  },
  {
    name: 'adobe delete',
    idempotent: true,
    method: 'DELETE',
    path: `${API}/doomed`,
    keep: [],
    run: inject => {
      emu.adobe.seed({ name: 'doomed', type: 'development', state: 'active' })
      return job(ad({ operation: 'delete', 'sandbox-name': 'doomed' }), inject)
    }
  },
  {
    name: 'adobe post-step delete',
    idempotent: true,
    method: 'DELETE',
    path: `${API}/post-create`,
    keep: [],
    run: inject => postJob(ad({ 'sandbox-name': 'post-create' }), inject)
  },
  {
    name: 'adobe lookups while waiting',
    idempotent: true,
    method: 'GET',
    path: `${API}/wait-lookups`,
    keep: [],
    // the rule starts with a 'pass': the first lookup (does it exist?) goes through and the
    // faults hit the polling that follows
    run: inject => job(ad({ 'sandbox-name': 'wait-lookups' }), inject)
  },
  {
    name: 'trackstar post-step reset',
    idempotent: true,
    method: 'POST',
    path: '/sandbox/generate-sandbox/cart',
    keep: [],
    run: inject => postJob(ts({ 'integration-type': 'cart' }), inject)
  }
]

function isPost(op: Operation): boolean {
  return op.name.includes('post-step')
}

/**
 * Defines one shard of this suite: the matrix's cases and the other groups are dealt round-robin
 * over the shard files (faults-N.test.ts), which vitest runs side by side, each with its own
 * emulator and module state. Every case runs in exactly one shard.
 */
export function faultSuite(shard: number, shards: number): void {
// Registered per shard file: with files sharing a worker, this module is loaded only once.
beforeAll(() => {
  tally = { ran: 0, leaked: 0, exposed: 0 }
})
afterAll(() => console.log(`fault suite part ${shard + 1} of ${shards}: ${tally.ran} cases ran, ${tally.leaked} leaked a sandbox, ${tally.exposed} exposed a secret`))
const mine = (i: number): boolean => i % shards === shard
let group = 0
const part = (): typeof describe => (mine(++group) ? describe : ((() => undefined) as unknown as typeof describe))

describe('fault matrix', () => {
  const all = OPERATIONS.flatMap(op => FAULTS.map(([fault, faults, outcome]) => [`${fault} during ${op.name}`, op, faults, outcome] as const))
  const cases = all.filter((_, i) => mine(i))
  it.each(cases)('%s', async (_title, op, faults, expected) => {
    let outcome = expected === 'ok-if-idempotent' ? (op.idempotent ? 'ok' : 'fail') : expected
    const rule = op.name === 'adobe lookups while waiting' ? (['pass', ...faults] as (Fault | 'pass')[]) : faults
    const { faulted, all } = await op.run(() => emu.faults.add({ method: op.method, path: op.path, faults: rule }))
    expect(emu.faults.pending(), 'every injected fault was met').toBe(0)
    if (outcome === 'capped') {
      // Within the step's budget (20 s), never the hour asked for: on the emulator's clock, the
      // step's requests end within the budget (the step starts before its first request).
      expect(span(requestsOf(faulted))).toBeLessThanOrEqual(20_000 + REQUEST_TIMEOUT_MS)
      const failed = isPost(op) ? faulted.stdout.includes('::warning::Cleanup failed') : faulted.exitCode !== 0
      if (failed) expect(faulted.stdout).toMatch(/asked to wait/)
      else expect(faulted.stdout).toMatch(/retrying in/)
      outcome = failed ? 'fail' : 'ok'
    }

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

    // A delete that failed before the provider acted leaves its target, as it should.
    const acted = faults.some(f => f !== 'pass' && (f.kind === 'status-after' || f.kind === 'drop-after'))
    const target = op.name === 'adobe delete' ? 'doomed' : isPost(op) && op.name.startsWith('adobe') ? 'post-create' : undefined
    const left = outcome === 'fail' && !acted && target ? [target] : []
    settle(all, [...op.keep, ...left])
  })
})

part()('creates are not blindly repeated', () => {
  it('a create whose answer was lost, retried into a 409, is this step\'s sandbox', async () => {
    emu.faults.add({ method: 'POST', path: API, faults: [{ kind: 'drop-after' }] })
    const main = await runStep({ inputs: ad({ 'sandbox-name': 'lost-answer' }), env })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.created).toBe('true')
    expect(main.stdout).toContain('answered 409 after an attempt whose outcome was unknown')
    expect(emu.requests.filter(r => r.method === 'POST' && r.path === API).map(r => r.status)).toEqual([0, 409])
    expect(JSON.parse(main.state.cleanup)).toMatchObject({ sandbox: 'lost-answer', action: 'delete', created: true, confirmed: true })
    const post = await runStep({ inputs: ad({ 'sandbox-name': 'lost-answer' }), env, state: main.state })
    settle([main, post])
  })

  it('a 409 without an earlier unknown outcome is someone else\'s sandbox: reused, not deleted', async () => {
    // Another job creates the same name between our lookup and our create.
    emu.faults.add({ method: 'GET', path: `${API}/raced`, faults: [{ kind: 'status', status: 404, body: { type: 'x/SMS-2006-404', status: 404, title: 'not found' } }] })
    emu.adobe.seed({ name: 'raced', type: 'development', state: 'active' })
    const main = await runStep({ inputs: ad({ 'sandbox-name': 'raced' }), env })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.created).toBe('false')
    expect(main.state.cleanup ?? '').toBe('')
    settle([main], ['raced'])
  })

  it('each retry is one log line with its reason', async () => {
    emu.faults.add({ method: 'POST', path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'status', status: 503 }, { kind: 'rate-limit', header: 'retry-after', seconds: 1 }] })
    const main = await runStep({ inputs: ts({ cleanup: 'none' }), env })
    expect(main.exitCode).toBe(0)
    const retries = main.stdout.split('\n').filter(l => l.includes('retrying in'))
    expect(retries).toHaveLength(2)
    // each line names the failed answer's own request id, and the attempt that follows it
    const sent = emu.requests.filter(r => r.path === '/sandbox/generate-sandbox/wms')
    expect(sent.map(r => r.status)).toEqual([503, 429, 200])
    for (const [i, line] of retries.entries()) {
      expect(line).toContain(`HTTP ${sent[i].status}`)
      expect(line).toContain(`request id ${sent[i].requestId}`)
      const [, next, most] = /attempt (\d+) of at most (\d+)/.exec(line) ?? []
      expect(Number(next)).toBe(i + 2)
      expect(Number(most)).toBeGreaterThanOrEqual(sent.length)
    }
    // the 429 asked for 1 s: the wait follows what it asked
    expect(retries[1]).toMatch(/retrying in 1\.0 s/)
  })

  it('a refused connection is tried three times, then fails naming the host and the input, not the timeout', async () => {
    const closed = await startEmulator()
    const url = closed.url
    await closed.close()
    const host = new URL(url).host
    const main = await runStep({ inputs: { ...ts({ cleanup: 'none' }), 'trackstar-api-url': url }, env })
    expect(main.exitCode).toBe(1)
    // Three attempts, whatever the 20 s of `timeout`: two retries, each logged with the host.
    const retries = main.stdout.split('\n').filter(l => l.includes(`connection refused by ${host} (ECONNREFUSED)`) && l.includes('retrying in'))
    expect(retries.map(l => /\(attempt (\d+) of at most (\d+)\)/.exec(l)?.slice(1).join(' of '))).toEqual(['2 of 3', '3 of 3'])
    const [error] = errors(main)
    expect(error).toContain(`Trackstar: generate wms sandbox failed: no answer: connection refused by ${host} (ECONNREFUSED). Tried 3 times. Check the \`trackstar-api-url\` input`)
    expect(error).not.toMatch(/timeout|timed out/i)
    settle([main])
  })

  it('retries stay inside the step timeout', async () => {
    const path = '/sandbox/generate-sandbox/wms'
    emu.faults.add({ method: 'POST', path, faults: Array.from({ length: 8 }, () => ({ kind: 'status', status: 503 }) as Fault) })
    const main = await runStep({ inputs: ts({ cleanup: 'none', timeout: '2' }), env })
    emu.faults.clear()
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toMatch(/Timed out after 2 s while generate wms sandbox \(Trackstar\)|generate wms sandbox failed: HTTP 503/)
    const sent = emu.requests.filter(r => r.path === path)
    // Every attempt was answered 503, and each but the last was followed by one announced retry.
    expect(sent.map(r => r.status)).toEqual(sent.map(() => 503))
    const waits = main.stdout.split('\n').flatMap(l => /retrying in (\d+\.\d) s/.exec(l)?.[1] ?? []).map(Number)
    expect(waits).toHaveLength(sent.length - 1)
    // The waits fit in the 2 s, and so did the attempts on the emulator's clock, first to last.
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThan(2)
    expect(sent[sent.length - 1].time - sent[0].time).toBeLessThan(2000)
  })
})

/** The requests to the Sandbox API with this method (and path, when given). */
function calls(method: string, path?: string): number {
  return emu.requests.filter(r => r.method === method && r.path.startsWith(ADOBE_BASE) && (path === undefined || r.path === path)).length
}

part()('cleanup that cannot be starved', () => {
  it('a main step that timed out while the sandbox was provisioning: the post step, on its own budget, waits for it and deletes it', async () => {
    // Provisioning outlasts the main step whatever the machine's speed; it ends only once the
    // post step has waited longer than the main step's whole budget.
    emu.adobe.setTimings({ createMs: 600_000 })
    const inputs = ad({ 'sandbox-name': 'slow-box', timeout: '5', 'cleanup-timeout': '60' })
    const main = await runStep({ inputs, env })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toMatch(/Timed out after 5 s while waiting for sandbox "slow-box" to become active/)
    expect(emu.adobe.get('slow-box')?.state).not.toBe('active')
    const adobe = emu.adobe
    const finish = (line: string): void => {
      if (line.includes('waiting for it to settle before the delete')) setTimeout(() => adobe.finishNow('slow-box'), 6000)
    }
    const post = await runStep({ inputs, env, state: main.state, onLine: finish })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('waiting for it to settle before the delete')
    expect(post.stdout).toContain('Deleted sandbox "slow-box"')
    // It waited longer than the main step's whole budget (on the emulator's clock, from its
    // first look at the sandbox to its delete): the budgets are independent.
    const looks = requestsOf(post).filter(r => r.path === `${API}/slow-box`)
    expect(looks.at(-1)?.method).toBe('DELETE')
    expect(span(looks)).toBeGreaterThan(5000)
    settle([main, post])
  })

  it('a post step whose own budget is too short says which input to raise, and names the sandbox', async () => {
    // Provisioning that never ends by itself; the main step is cancelled while it waits, as a
    // job a user cancels is.
    emu.adobe.setTimings({ createMs: 600_000 })
    const inputs = ad({ 'sandbox-name': 'too-slow', 'cleanup-timeout': '2' })
    const main = await runStep({ inputs, env, signalWhen: { text: 'Creating sandbox "too-slow"', signal: 'SIGTERM' } })
    expect(main.exitCode).toBe(1)
    const post = await runStep({ inputs, env, state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toMatch(/::warning::Cleanup failed: could not delete the Adobe sandbox "too-slow".*cleanup-timeout/)
    // the case keeps nothing: a later, longer post step deletes it
    emu.adobe.finishNow('too-slow')
    const again = await runStep({ inputs: { ...inputs, 'cleanup-timeout': '30' }, env, state: main.state })
    expect(again.stdout).toContain('Deleted sandbox "too-slow"')
    settle([main, post, again])
  })

  // Every call the post step depends on fails once, in each transient way: it still deletes.
  const TRANSIENT: [string, Fault][] = [
    ['500', { kind: 'status', status: 500 }],
    ['503', { kind: 'status', status: 503 }],
    ['a dropped connection', { kind: 'drop-before' }],
    ['an HTML page with 200', { kind: 'html' }]
  ]
  const DEPENDENCIES: [string, string, string | RegExp][] = [
    ['the IMS token request', 'POST', '/ims/token/v3'],
    ['the lookup', 'GET', `${API}/post-dep`],
    ['the delete', 'DELETE', `${API}/post-dep`]
  ]
  const cases = DEPENDENCIES.flatMap(([what, method, path]) => TRANSIENT.map(([fault, f]) => [what, fault, method, path, f] as const))
  it.each(cases)('%s answering %s once does not end the cleanup', async (what, _fault, method, path, fault) => {
    const inputs = ad({ 'sandbox-name': 'post-dep' })
    const main = await runStep({ inputs, env })
    expect(main.exitCode, main.stdout).toBe(0)
    emu.faults.add({ method, path, faults: [fault] })
    const post = await runStep({ inputs, env, state: main.state })
    expect(emu.faults.pending()).toBe(0)
    expect(post.stdout, what).toContain('Deleted sandbox "post-dep"')
    expect(post.stdout).not.toContain('::warning::')
    settle([main, post])
  })

  it.each([
    ['reset', {}],
    ['delete', { cleanup: 'delete' }]
  ])('Trackstar\'s post-step %s survives a 500 and a dropped connection on generate', async (_what, extra) => {
    const inputs = ts({ 'integration-type': 'cart', ...extra })
    const main = await runStep({ inputs, env })
    expect(main.exitCode, main.stdout).toBe(0)
    emu.faults.add({ method: 'POST', path: '/sandbox/generate-sandbox/cart', faults: [{ kind: 'status', status: 500 }, { kind: 'drop-before' }] })
    const post = await runStep({ inputs, env, state: main.state })
    expect(emu.faults.pending()).toBe(0)
    expect(post.stdout).toMatch(/(Reset the Trackstar cart sandbox|Deleted the Trackstar cart sandbox connection)/)
    expect(post.stdout).not.toContain('::warning::')
    settle([main, post])
  })
})

part()('a create whose outcome is unknown', () => {
  // [what happened, the fault on the create, the sandbox, extra inputs, how the main step runs]
  const UNKNOWN: [string, Fault, string, Record<string, string>, Partial<StepOptions>][] = [
    ['a 500 now, and the sandbox made a moment later', { kind: 'act-later', status: 500, ms: 1500 }, 'late-box', {}, {}],
    // a request may take longer than the step has left: the step gives up, the provider acts
    // (held unanswered until the step's deadline cuts it, however fast the step got there)
    ['no answer before the step\'s time ran out, and the provider acted afterwards', { kind: 'hold' }, 'slow-answer', { timeout: '8' }, { env: { ...env, EPHEMERAL_SANDBOX_REQUEST_TIMEOUT_MS: '60000' } }],
    ['a cancel after the create was sent', { kind: 'hold' }, 'cancel-sent', {}, { signalWhen: { text: '::debug::Adobe Sandbox API: POST', signal: 'SIGTERM' } }]
  ]
  it.each(UNKNOWN)('%s: the post step finds it within its grace period and deletes it', async (_what, fault, name, extra, how) => {
    emu.faults.add({ method: 'POST', path: API, faults: [fault] })
    const inputs = ad({ 'sandbox-name': name, ...extra })
    const main = await runStep({ inputs, env, ...how })
    expect(main.exitCode).toBe(1)
    expect(JSON.parse(main.state.cleanup)).toMatchObject({ sandbox: name, confirmed: false })
    const post = await runStep({ inputs, env, state: main.state })
    expect(post.stdout).toContain(`Deleted sandbox "${name}"`)
    settle([main, post])
  })

  it('a create that was never made: the post step looks for the grace period, then says so without failing', async () => {
    emu.faults.add({ method: 'POST', path: API, faults: [{ kind: 'status', status: 500 }] })
    const inputs = ad({ 'sandbox-name': 'never-made' })
    const main = await runStep({ inputs, env })
    expect(main.exitCode).toBe(1)
    const post = await runStep({ inputs, env, state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toMatch(/::notice::Sandbox "never-made" is never created \(its create had an unknown outcome, and it did not appear within 4 s\)/)
    const lookups = emu.requests.filter(r => r.method === 'GET' && r.path === `${API}/never-made`).length
    // looked more than once, over about the grace period, not just once
    expect(lookups).toBeGreaterThan(2)
    expect(post.wallMs).toBeGreaterThanOrEqual(GRACE_MS)
    settle([main, post])
  })

  it('a refused create (4xx) made nothing: no grace period, nothing for the post step', async () => {
    emu.adobe.setLicenseLimit(1)
    const inputs = ad({ 'sandbox-name': 'no-slot', 'if-full': 'fail' })
    const main = await runStep({ inputs, env })
    expect(main.exitCode).toBe(1)
    expect(main.state.cleanup ?? '').toBe('')
    const post = await runStep({ inputs, env, state: main.state })
    expect(post.stdout).toContain('nothing to clean up')
    settle([main, post])
  })
})

part()('safety fails closed', () => {
  it('lookups that keep answering HTML with 200 never permit a delete: an error naming the call, asked again first', async () => {
    emu.adobe.seed({ name: 'kept-safe', type: 'development', state: 'active' })
    emu.faults.add({ method: 'GET', path: `${API}/kept-safe`, faults: [{ kind: 'html' }], repeatLast: true })
    const main = await runStep({ inputs: ad({ operation: 'delete', 'sandbox-name': 'kept-safe' }), env })
    emu.faults.clear()
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    expect(error).toContain('look up sandbox "kept-safe"')
    expect(error).toContain('could not be read')
    expect(error).not.toContain('allow-production')
    expect(emu.requests.filter(r => r.method === 'GET' && r.path === `${API}/kept-safe`).length).toBeGreaterThan(1)
    expect(calls('DELETE')).toBe(0)
    settle([main], ['kept-safe'])
  })

  it('one HTML answer with 200 on a lookup is asked again, and the delete goes ahead', async () => {
    emu.adobe.seed({ name: 'once-html', type: 'development', state: 'active' })
    emu.faults.add({ method: 'GET', path: `${API}/once-html`, faults: [{ kind: 'html' }] })
    const main = await runStep({ inputs: ad({ operation: 'delete', 'sandbox-name': 'once-html' }), env })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toMatch(/could not be read \(not JSON\); asking again/)
    settle([main])
  })

  it.each([['isDefault'], ['type'], ['state'], ['name']])('a record without %s never permits a change, and gives no advice about allow-production', async field => {
    emu.adobe.seed({ name: 'shapeless', type: 'development', state: 'active' })
    emu.faults.add({ method: 'GET', path: `${API}/shapeless`, faults: [{ kind: 'wrong-shape', drop: [field] }], repeatLast: true })
    const main = await runStep({ inputs: ad({ operation: 'delete', 'sandbox-name': 'shapeless', 'allow-production': 'true' }), env })
    emu.faults.clear()
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain(`no ${field} in the sandbox record`)
    expect(errors(main)[0]).not.toContain('allow-production')
    expect(calls('DELETE')).toBe(0)
    settle([main], ['shapeless'])
  })

  it('the default sandbox is known by isDefault, not by its name: a renamed default is refused, a development sandbox called prod is not', async () => {
    emu.adobe.configure({ defaultSandboxName: 'acme-main' })
    emu.adobe.seed({ name: 'prod', type: 'development', state: 'active' })
    for (const operation of ['delete', 'reset']) {
      const refused = await runStep({ inputs: ad({ operation, 'sandbox-name': 'acme-main', 'allow-production': 'true' }), env })
      expect(refused.exitCode).toBe(1)
      expect(errors(refused)[0]).toContain("default sandbox, which this action never touches")
    }
    const reuse = await runStep({ inputs: ad({ 'sandbox-name': 'acme-main', 'allow-production': 'true' }), env })
    expect(reuse.exitCode).toBe(1)
    expect(calls('DELETE') + calls('PUT')).toBe(0)
    const devProd = await runStep({ inputs: ad({ operation: 'delete', 'sandbox-name': 'prod' }), env })
    expect(devProd.exitCode, devProd.stdout).toBe(0)
    expect(emu.requests.filter(r => r.method === 'DELETE').map(r => r.path)).toEqual([`${API}/prod`])
    settle([reuse, devProd])
  })

  it('a create answered 202 with a record that cannot be read is still this step\'s sandbox: read again, handed over, deleted by the post step', async () => {
    emu.faults.add({ method: 'POST', path: API, faults: [{ kind: 'wrong-shape' }] })
    const inputs = ad({ 'sandbox-name': 'odd-answer' })
    const main = await runStep({ inputs, env })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs).toMatchObject({ created: 'true', sandbox_state: 'active', sandbox_type: 'development' })
    const post = await runStep({ inputs, env, state: main.state })
    expect(post.stdout).toContain('Deleted sandbox "odd-answer"')
    settle([main, post])
  })
})

part()('every state of Adobe\'s OpenAPI', () => {
  it.each(['cleaning', 'de-provisioning', 'deleting'])('a create over a name whose sandbox is %s waits until it is gone, then creates', async state => {
    // Busy for far longer than any step start; it ends once the step says it is waiting.
    emu.adobe.setTimings({ deleteMs: 60_000 })
    emu.adobe.seed({ name: 'recycled', type: 'development', state: state as 'cleaning' })
    const waiting = `is being deleted (${state}): waiting until it is gone, then creating it anew`
    const inputs = ad({ 'sandbox-name': 'recycled' })
    const main = await runStep({ inputs, env, onLine: finishOnceSeen(emu, 'recycled', waiting) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain(waiting)
    expect(main.outputs.created).toBe('true')
    expect(calls('POST')).toBe(1)
    emu.adobe.setTimings({ deleteMs: 200 })
    const post = await runStep({ inputs, env, state: main.state })
    settle([main, post])
  })

  it.each(['cleaning', 'de-provisioning'])('a cleanup that finds the sandbox %s takes it as being deleted, and sends no delete', async state => {
    const inputs = ad({ 'sandbox-name': 'going-anyway' })
    const main = await runStep({ inputs, env })
    expect(main.exitCode, main.stdout).toBe(0)
    // Busy for far longer than any step start; it ends once the post step has seen it.
    emu.adobe.setTimings({ deleteMs: 60_000 })
    emu.adobe.seed({ name: 'going-anyway', type: 'development', state: state as 'cleaning' })
    const seen = `Sandbox "going-anyway" is already being deleted (${state})`
    const post = await runStep({ inputs, env, state: main.state, onLine: finishOnceSeen(emu, 'going-anyway', seen) })
    expect(post.stdout).toContain(seen)
    expect(calls('DELETE')).toBe(0)
    settle([main, post])
  })

  it.each(['creating', 'provisioning', 'resetting'])('reuse waits while the existing sandbox is %s, then hands it over active', async state => {
    // Busy for far longer than any step start; it ends once the step says it is waiting.
    emu.adobe.setTimings({ createMs: 60_000, resetMs: 60_000 })
    emu.adobe.seed({ name: 'busy', type: 'development', state: state as 'creating' })
    const waiting = `exists and is ${state}: waiting until it is active`
    const main = await runStep({ inputs: ad({ 'sandbox-name': 'busy' }), env, onLine: finishOnceSeen(emu, 'busy', waiting) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain(waiting)
    expect(main.outputs.sandbox_state).toBe('active')
    settle([main], ['busy'])
  })
})

part()('prune lists everything before deleting anything', () => {
  const DAY = 86_400
  function seedFleet(stale: number, young = 3): string[] {
    emu.adobe.setLicenseLimit(10_000)
    const names: string[] = []
    for (let i = 0; i < stale; i++) {
      const name = `gh-old-${String(i).padStart(3, '0')}`
      emu.adobe.seed({ name, type: 'development', state: 'active', ageSeconds: 3 * DAY })
      names.push(name)
    }
    for (let i = 0; i < young; i++) emu.adobe.seed({ name: `gh-new-${i}`, type: 'development', state: 'active', ageSeconds: 60 })
    return names
  }
  const prune = (extra: Record<string, string> = {}): Record<string, string> => ad({ operation: 'prune', 'prune-prefix': 'gh-', 'prune-older-than': '24h', ...extra })
  const youngOnes = (n = 3): string[] => Array.from({ length: n }, (_, i) => `gh-new-${i}`)

  it('130 stale sandboxes behind pages capped at 40: every one is found and deleted, no more', async () => {
    const stale = seedFleet(130)
    emu.faults.add({ method: 'GET', path: API, faults: [{ kind: 'cap-page', limit: 40 }], repeatLast: true })
    const main = await runStep({ inputs: prune(), env, timeoutMs: 120_000 })
    emu.faults.clear()
    expect(main.exitCode, main.stdout).toBe(0)
    expect(JSON.parse(main.outputs.pruned)).toEqual(stale)
    settle([main], youngOnes())
  })

  it('pages that shift while listing: each sandbox is deleted once', async () => {
    const stale = seedFleet(60)
    emu.faults.add({ method: 'GET', path: API, faults: [{ kind: 'shift-pages', insert: 3, prefix: 'other-' }] })
    const main = await runStep({ inputs: prune(), env })
    expect(main.exitCode, main.stdout).toBe(0)
    const deletes = emu.requests.filter(r => r.method === 'DELETE').map(r => r.path)
    expect(new Set(deletes).size).toBe(deletes.length)
    expect(JSON.parse(main.outputs.pruned)).toEqual(stale)
    const inserted = emu.adobe.sandboxes().filter(s => s.name.startsWith('other-')).map(s => s.name)
    settle([main], [...youngOnes(), ...inserted])
  })

  it('a server that ignores the offset: an error after two identical pages, and nothing deleted', async () => {
    seedFleet(120)
    emu.faults.add({ method: 'GET', path: API, faults: [{ kind: 'ignore-offset' }], repeatLast: true })
    const main = await runStep({ inputs: prune(), env })
    emu.faults.clear()
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('repeated the page before it')
    expect(emu.requests.filter(r => r.method === 'GET' && r.path === API)).toHaveLength(2)
    expect(calls('DELETE')).toBe(0)
    settle([main], emu.adobe.sandboxes().filter(s => !s.isDefault).map(s => s.name))
  })

  it.each([
    ['HTML with 200', { kind: 'html' } as Fault],
    ['a list without sandboxes', { kind: 'wrong-shape', body: { _page: { limit: 50, count: 0 } } } as Fault],
    ['records without isDefault', { kind: 'wrong-shape', drop: ['isDefault'] } as Fault]
  ])('a list answer that cannot be read (%s) is an error, never "0 sandboxes", and deletes nothing', async (_what, fault) => {
    seedFleet(5)
    emu.faults.add({ method: 'GET', path: API, faults: [fault], repeatLast: true })
    const main = await runStep({ inputs: prune(), env })
    emu.faults.clear()
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toMatch(/list sandboxes \(offset 0\) failed.*could not be read/)
    expect(main.outputs.pruned).toBeUndefined()
    expect(calls('DELETE')).toBe(0)
    settle([main], emu.adobe.sandboxes().filter(s => !s.isDefault).map(s => s.name))
  })

  it('skips stale sandboxes already on their way out', async () => {
    emu.adobe.setTimings({ deleteMs: 600_000 })
    for (const state of ['cleaning', 'de-provisioning', 'deleting'] as const) emu.adobe.seed({ name: `gh-${state}`, type: 'development', state, ageSeconds: 3 * DAY })
    emu.adobe.seed({ name: 'gh-stale', type: 'development', state: 'active', ageSeconds: 3 * DAY })
    const main = await runStep({ inputs: prune(), env })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(JSON.parse(main.outputs.pruned)).toEqual(['gh-stale'])
    expect(emu.requests.filter(r => r.method === 'DELETE').map(r => r.path)).toEqual([`${API}/gh-stale`])
    settle([main])
  })

  it('dates in the future or unreadable keep a sandbox: its age cannot be told', async () => {
    seedFleet(4, 0)
    emu.faults.add({ method: 'GET', path: API, faults: [{ kind: 'skew-dates', style: 'future' }] })
    const future = await runStep({ inputs: prune({ 'dry-run': 'true' }), env })
    expect(JSON.parse(future.outputs.pruned)).toEqual([])
    emu.faults.add({ method: 'GET', path: API, faults: [{ kind: 'skew-dates', style: 'invalid' }] })
    const invalid = await runStep({ inputs: prune({ 'dry-run': 'true' }), env })
    expect(JSON.parse(invalid.outputs.pruned)).toEqual([])
    emu.faults.add({ method: 'GET', path: API, faults: [{ kind: 'skew-dates', style: 'zone', hours: 9 }] })
    const zoned = await runStep({ inputs: prune(), env })
    expect(JSON.parse(zoned.outputs.pruned)).toHaveLength(4)
    settle([future, invalid, zoned])
  })
})

part()('errors that echo a secret back', () => {
  // The provider (or a proxy) puts a credential the action sent into its error answer, in every
  // encoding the emulator knows; the step fails or cleans up, and shows no piece of it.
  const cases = ECHO_ENCODINGS.flatMap(encoding => [
    ['the IMS token request echoes the client secret', encoding, 'POST', '/ims/token/v3', { field: 'client_secret' }],
    ['a lookup echoes the bearer token', encoding, 'GET', `${API}/echo-box`, { header: 'authorization' }],
    ['Trackstar\'s generate echoes the API key', encoding, 'POST', '/sandbox/generate-sandbox/wms', { header: 'x-trackstar-api-key' }]
  ] as const)
  it.each(cases)('%s (%s)', async (what, encoding, method, path, from) => {
    emu.faults.add({ method, path, faults: [{ kind: 'echo', encoding, status: 400, ...from }] })
    const inputs = what.startsWith('Trackstar') ? ts({ cleanup: 'none' }) : ad({ 'sandbox-name': 'echo-box' })
    const main = await runStep({ inputs, env })
    expect(main.exitCode).toBe(1)
    expect(emu.faults.pending()).toBe(0)
    const post = await runStep({ inputs, env, state: main.state })
    settle([main, post])
  })
})
}
