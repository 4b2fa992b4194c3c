import { describe, expect, it } from 'vitest'
import { adobeSandboxUrl, DEPLOYMENT_CALL_MS, deploymentAfterCleanup, deploymentAfterMain, deploymentBeforeRun, deploymentRef, deploymentRequest, shortDescription } from '../../../src/github/deployment'
import { createContext } from '../../../src/core/context'
import type { Transport } from '../../../src/core/http'
import { listLogger, virtualClock } from '../../harness/virtual-time'
import { parseDeploymentEnvironment, readInputsWith, type Inputs } from '../../../src/core/inputs'
import { readInputs } from '../../../src/providers/inputs'
import { Secrets } from '../../../src/core/secrets'
import type { RunInfo } from '../../../src/core/run-info'
import type { StepContext } from '../../../src/core/provider'
import type { StateStore } from '../../../src/core/handoff'

const SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'
const run: RunInfo = { repository: 'acme/shop', repo: 'shop', runId: 42, runAttempt: 2, serverUrl: 'https://github.com', sha: SHA }

function adobe(extra: Record<string, string> = {}): Inputs {
  const all: Record<string, string> = { provider: 'adobe', 'adobe-access-token': 'tok', 'adobe-client-id': 'id', 'adobe-org-id': 'ORG@AdobeOrg', deployment: 'true', 'github-token': 'ghs_abc', ...extra }
  return readInputs(n => all[n] ?? '', {}, new Secrets(() => undefined))
}

function memoryState(): StateStore & { saved: Record<string, string> } {
  const saved: Record<string, string> = {}
  return { saved, get: k => saved[k] ?? '', save: (k, v) => void (saved[k] = v) } as StateStore & { saved: Record<string, string> }
}

function fakeCtx(inputs: Inputs, runInfo: RunInfo = run) {
  const lines: string[] = []
  const log = { info: (m: string) => lines.push(`info ${m}`), warning: (m: string) => lines.push(`warning ${m}`), notice: (m: string) => lines.push(`notice ${m}`), debug: () => undefined }
  const ctx = { inputs, run: runInfo, log, secrets: new Secrets(() => undefined), http: () => { throw new Error('no request expected') } } as unknown as StepContext<Inputs>
  return { ctx, lines }
}

describe('deploymentRequest', () => {
  it('the SHA, no merge, no required checks, transient, not production, the sandbox in the payload', () => {
    const body = deploymentRequest(adobe({ 'sandbox-name': 'ci-one' }), run, SHA)
    expect(body).toEqual({
      ref: SHA,
      environment: 'ephemeral-sandbox',
      description: 'Adobe sandbox "ci-one" for run 42 attempt 2',
      payload: { provider: 'adobe', operation: 'create', sandbox_name: 'ci-one', run: 'run 42 attempt 2', run_url: 'https://github.com/acme/shop/actions/runs/42' },
      auto_merge: false,
      required_contexts: [],
      transient_environment: true,
      production_environment: false
    })
  })

  it('a lease names its pool; the environment is the input', () => {
    const body = deploymentRequest(adobe({ operation: 'lease', pool: 'ci-pool-*', 'deployment-environment': 'sandboxes' }), run, SHA)
    expect(body.environment).toBe('sandboxes')
    expect(body.payload.pool).toBe('ci-pool-*')
    expect(body.payload.sandbox_name).toBeUndefined()
  })

  it('no secret in the body', () => {
    const body = JSON.stringify(deploymentRequest(adobe(), run, SHA))
    for (const s of ['tok', 'ghs_abc']) expect(body).not.toContain(`"${s}"`)
    expect(body).not.toContain('ghs_abc')
  })
})

describe('helpers', () => {
  it('a pull request deploys its head commit, else GITHUB_SHA', () => {
    expect(deploymentRef(run)).toBe(SHA)
    expect(deploymentRef({ ...run, headSha: 'a'.repeat(40) })).toBe('a'.repeat(40))
    expect(deploymentRef({ ...run, sha: undefined })).toBeUndefined()
  })

  it('the Adobe link, encoded', () => {
    expect(adobeSandboxUrl('ORG@AdobeOrg', 'ci-one')).toBe('https://experience.adobe.com/#/@ORG%40AdobeOrg/sname:ci-one/platform/home')
  })

  it('descriptions fit GitHub\'s 140 characters, on one line', () => {
    expect(shortDescription('a\nb')).toBe('a b')
    expect(shortDescription('x'.repeat(200))).toHaveLength(140)
  })

  it('deployment-environment: a default, and no line break or overlong name', () => {
    expect(parseDeploymentEnvironment('')).toBe('ephemeral-sandbox')
    expect(parseDeploymentEnvironment('review apps')).toBe('review apps')
    expect(() => parseDeploymentEnvironment('a\nb')).toThrow(/deployment-environment/)
    expect(() => parseDeploymentEnvironment('x'.repeat(256))).toThrow(/deployment-environment/)
  })
})

describe('inputs', () => {
  it('deployment is strict, needs a token, and applies to operations that make a sandbox', () => {
    expect(adobe().deployment).toBe(true)
    expect(adobe({ deployment: '' }).deployment).toBe(false)
    expect(() => adobe({ deployment: 'yes' })).toThrow(/deployment/)
    expect(() => adobe({ 'github-token': '' })).toThrow(/github-token.*deployment: true/)
    expect(() => adobe({ operation: 'delete', 'sandbox-name': 'x-one' })).toThrow(/deployment.*not "delete"/)
    expect(() => adobe({ operation: 'prune', 'prune-prefix': 'gh-' })).toThrow(/deployment/)
    const t = readInputs(n => ({ provider: 'trackstar', 'trackstar-api-key': 'k', deployment: 'true', 'github-token': 'ghs_abc' })[n] ?? '', {}, new Secrets(() => undefined))
    expect(t.deployment).toBe(true)
    expect(t.githubToken).toBe('ghs_abc')
    expect(readInputsWith).toBeTypeOf('function')
  })
})

describe('the hooks without a deployment make no request', () => {
  it('deployment off: nothing', async () => {
    const { ctx, lines } = fakeCtx(adobe({ deployment: 'false' }))
    expect(await deploymentBeforeRun(ctx, memoryState())).toEqual({})
    expect(lines).toEqual([])
  })

  it('no commit: a warning, nothing saved', async () => {
    const { ctx, lines } = fakeCtx(adobe(), { ...run, sha: undefined })
    const state = memoryState()
    expect(await deploymentBeforeRun(ctx, state)).toEqual({})
    expect(lines.join('\n')).toMatch(/warning deployment: no deployment is made: the run names no commit/)
    expect(state.saved).toEqual({})
  })

  it('nothing saved: after the main step and after cleanup, nothing', async () => {
    const { ctx, lines } = fakeCtx(adobe())
    await deploymentAfterMain(ctx, memoryState(), { outputs: { sandbox_name: 'x' }, env: {}, summary: [] })
    await deploymentAfterCleanup(ctx, memoryState(), { provider: 'adobe', sandbox: 'x', action: 'delete', created: true, confirmed: true }, { kind: 'changed', text: 'Deleted' })
    expect(lines).toEqual([])
  })

  it('a failed cleanup leaves the deployment as it is', async () => {
    const { ctx, lines } = fakeCtx(adobe())
    const state = memoryState()
    state.save('deployment', JSON.stringify({ id: 5, repository: 'acme/shop' }))
    await deploymentAfterCleanup(ctx, state, { provider: 'adobe', sandbox: 'x', action: 'delete', created: true, confirmed: true }, { kind: 'failed', text: 'failed' })
    expect(lines).toEqual(['info deployment: deployment 5 is left as it is: the cleanup failed, so the sandbox may still be there'])
  })
})

describe('a budget of its own for each Deployments API call', () => {
  it('a GitHub that keeps answering 503 costs each call at most DEPLOYMENT_CALL_MS of the step, then a warning', async () => {
    const clock = virtualClock(1_000_000)
    const sent: number[] = []
    const transport: Transport = async () => {
      sent.push(clock.t)
      clock.t += 200 // the round trip
      return { status: 503, headers: { 'retry-after': '2', 'content-type': 'application/json' }, text: '{"message":"unavailable"}' }
    }
    const log = listLogger()
    const inputs = adobe({ deployment: 'true', timeout: '900' })
    const ctx = createContext(
      { env: {}, state: memoryState(), clock, signal: new AbortController().signal, run: () => run, transport },
      inputs,
      new Secrets(() => undefined),
      log
    )
    const started = clock.t
    const out = await deploymentBeforeRun(ctx, memoryState())
    expect(out).toEqual({})
    expect(log.lines.at(-1)).toBe('deployment: could not create a deployment in environment "ephemeral-sandbox" of acme/shop: GitHub: create a deployment in acme/shop failed: HTTP 503: unavailable. The sandbox is made all the same')
    expect(log.lines.filter(l => l.includes('less is left of its budget')).length).toBeGreaterThan(0)
    // more than one attempt, none after the budget, and the step's own deadline barely touched
    expect(sent.length).toBeGreaterThan(1)
    expect(Math.max(...sent) - started).toBeLessThan(DEPLOYMENT_CALL_MS)
    expect(clock.t - started).toBeLessThanOrEqual(DEPLOYMENT_CALL_MS + 200)
    expect(ctx.deadline.remainingMs()).toBeGreaterThanOrEqual(900_000 - DEPLOYMENT_CALL_MS - 200)
    // the budget's timeout names no input: none sets it
    expect(log.lines.join('\n')).not.toContain('raise the')
  })

  it('a cancel of the step cancels the call at once', async () => {
    const clock = virtualClock(0)
    const abort = new AbortController()
    const transport: Transport = async () => {
      abort.abort()
      return { status: 503, headers: { 'retry-after': '2' }, text: '' }
    }
    const log = listLogger()
    const ctx = createContext({ env: {}, state: memoryState(), clock, signal: abort.signal, run: () => run, transport }, adobe({ deployment: 'true' }), new Secrets(() => undefined), log)
    expect(await deploymentBeforeRun(ctx, memoryState())).toEqual({})
    expect(log.lines.some(l => /could not create a deployment.*Cancelled/.test(l))).toBe(true)
    expect(clock.t).toBeLessThan(1000)
  })
})
