// deployment end to end: the bundled main and post steps make one GitHub Deployment for the
// sandbox on the run's commit (no merge, no required checks, transient, not production), with
// the statuses in_progress, then success (a link to the sandbox, the run's log, auto_inactive
// false) or failure, and inactive once the post step cleaned up. The Deployments API failing
// in any way is a warning: the step succeeds and the sandbox is still cleaned up.
import { describe, expect } from 'vitest'
import { ADOBE_BASE, type Fault, type GithubToken } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob, runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs, githubEnv, trackstarInputs } from '../../scripts/emulator-inputs'
import { bearerTokens, expectOnlyLive } from '../harness/adobe'
import { expectMaskedEverywhere } from '../harness/secrets'

const REPO = 'acme/Shop_API'
const TOKEN = 'ghs_deployToken0123456789abcdefXYZ'
const SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'
const HEAD = 'abcdef0123456789abcdef0123456789abcdef01'
const RUN_URL = `https://github.com/${REPO}/actions/runs/9876543210`
const { emu, it } = emulatorPerTest({ adobe: { createMs: 200, deleteMs: 100 } })

function token(over: Partial<GithubToken> = {}): void {
  emu.github.addToken({ token: TOKEN, repositories: [REPO], permissions: { deployments: 'write' }, ...over })
}
const inputs = (extra: Record<string, string> = {}) => adobeInputs(emu, { deployment: 'true', 'github-token': TOKEN, ...extra })
const warnings = (run: StepRun) => run.stdout.split('\n').filter(l => l.startsWith('::warning'))
const states = (id?: number) => emu.github.deploymentStatuses(id).map(s => s.state)
const DEPLOYMENTS = `/api/v3/repos/${REPO}/deployments`
const STATUSES = new RegExp(`^/api/v3/repos/${REPO}/deployments/\\d+/statuses$`)

describe('deployment', () => {
  it('create: a deployment on the SHA, in_progress then success with a link, inactive after the post step', async () => {
    token()
    const job = await runJob({ inputs: inputs(), env: githubEnv(emu) })
    expect(job.main.exitCode, job.main.stdout).toBe(0)
    expect(job.post.exitCode, job.post.stdout).toBe(0)
    expect(warnings(job.main)).toEqual([])
    expect(warnings(job.post)).toEqual([])

    const [d, ...more] = emu.github.deployments()
    expect(more).toEqual([])
    const name = job.main.outputs.sandbox_name
    expect(job.main.outputs.deployment_id).toBe(String(d.id))
    expect(d.sha).toBe(SHA)
    expect(d.request).toMatchObject({
      ref: SHA,
      environment: 'ephemeral-sandbox',
      auto_merge: false,
      required_contexts: [],
      transient_environment: true,
      production_environment: false,
      payload: { provider: 'adobe', operation: 'create', run: 'run 9876543210 attempt 1', run_url: RUN_URL }
    })
    expect(String(d.request.description)).toContain('Adobe sandbox for run 9876543210 attempt 1')

    const all = emu.github.deploymentStatuses(d.id)
    expect(all.map(s => s.state)).toEqual(['in_progress', 'success', 'inactive'])
    const success = all[1]
    expect(success.environment_url).toBe(`https://experience.adobe.com/#/@${encodeURIComponent(String(adobeInputs(emu)['adobe-org-id']))}/sname:${name}/platform/home`)
    expect(success.log_url).toBe(RUN_URL)
    expect(success.request.auto_inactive).toBe(false)
    expect(all[2].description).toBe('Sandbox deleted by the post step')
    // The sandbox itself was cleaned up.
    expectOnlyLive(emu)

    // No secret in any request to GitHub, nor in the logs, state or summary.
    const secrets = [TOKEN, 'emulator-client-secret', ...bearerTokens(emu)]
    const toGithub = emu.requests.filter(r => r.path.startsWith('/api/v3/')).map(r => `${r.path} ${r.body}`).join('\n')
    for (const s of secrets) expect(toGithub).not.toContain(s)
    for (const run of [job.main, job.post]) expectMaskedEverywhere(run, secrets)
  })

  it('a named sandbox is in the payload; a custom environment; a pull request deploys its head commit', async () => {
    token()
    const event = { name: 'pull_request', payload: { number: 7, pull_request: { number: 7, head: { sha: HEAD, repo: { full_name: REPO } }, base: { repo: { full_name: REPO } } } } }
    const job = await runJob({ inputs: inputs({ 'sandbox-name': 'ci-deploy-one', 'deployment-environment': 'adobe sandboxes' }), event, env: githubEnv(emu) })
    expect(job.main.exitCode, job.main.stdout).toBe(0)
    const [d] = emu.github.deployments()
    expect(d.sha).toBe(HEAD)
    expect(d.environment).toBe('adobe sandboxes')
    expect(d.request.payload).toMatchObject({ sandbox_name: 'ci-deploy-one' })
    expect(states(d.id)).toEqual(['in_progress', 'success', 'inactive'])
  })

  it('trackstar generate: success without a link, inactive after the post step', async () => {
    token()
    const job = await runJob({ inputs: trackstarInputs(emu, { deployment: 'true', 'github-token': TOKEN }), env: githubEnv(emu) })
    expect(job.main.exitCode, job.main.stdout).toBe(0)
    expect(job.post.exitCode).toBe(0)
    const [d] = emu.github.deployments()
    expect(d.request.payload).toMatchObject({ provider: 'trackstar', integration_type: 'wms' })
    const all = emu.github.deploymentStatuses(d.id)
    expect(all.map(s => s.state)).toEqual(['in_progress', 'success', 'inactive'])
    expect(all[1].environment_url).toBe('')
    expect(job.main.outputs.deployment_id).toBe(String(d.id))
  })

  it('a main step that fails: status failure, and the step fails for its own reason only', async () => {
    token()
    emu.faults.add({ method: 'POST', path: `${ADOBE_BASE}/sandboxes`, faults: [{ kind: 'status', status: 400, body: { title: 'Bad request', status: 400 } }], repeatLast: true })
    const job = await runJob({ inputs: inputs(), env: githubEnv(emu) })
    emu.faults.clear()
    expect(job.main.exitCode).not.toBe(0)
    const [d] = emu.github.deployments()
    expect(job.main.outputs.deployment_id).toBe(String(d.id))
    expect(states(d.id).slice(0, 2)).toEqual(['in_progress', 'failure'])
    expect(states(d.id)).not.toContain('success')
    expect(warnings(job.main).filter(l => l.includes('deployment'))).toEqual([])
  })

  it('a token without deployments: write: a warning, no output, the sandbox is made and cleaned up', async () => {
    token({ permissions: { pull_requests: 'write' } })
    const job = await runJob({ inputs: inputs(), env: githubEnv(emu) })
    expect(job.main.exitCode, job.main.stdout).toBe(0)
    expect(errors(job.main)).toEqual([])
    expect(warnings(job.main).join('\n')).toContain('deployment: could not create a deployment')
    expect(warnings(job.main).join('\n')).toContain('deployments: write')
    expect(job.main.outputs.deployment_id).toBeUndefined()
    expect(job.main.outputs.sandbox_name).toBeTruthy()
    expect(job.post.exitCode).toBe(0)
    expect(warnings(job.post)).toEqual([])
    expect(emu.github.deployments()).toEqual([])
    expectOnlyLive(emu)
    expectMaskedEverywhere(job.main, [TOKEN])
  })

  const FAULTS: [string, 'POST', string | RegExp, Fault][] = [
    ['409 on the create', 'POST', DEPLOYMENTS, { kind: 'status', status: 409, body: { message: 'Conflict: Commit status checks failed for main.' } }],
    ['500 on the create', 'POST', DEPLOYMENTS, { kind: 'status', status: 500, body: { message: 'Server Error' } }],
    ['a dropped connection on the create', 'POST', DEPLOYMENTS, { kind: 'drop-before' }],
    ['403 on every status', 'POST', STATUSES, { kind: 'status', status: 403, body: { message: 'Resource not accessible by integration' } }],
    ['500 on every status', 'POST', STATUSES, { kind: 'status', status: 500, body: { message: 'Server Error' } }],
    ['a dropped connection on every status', 'POST', STATUSES, { kind: 'drop-before' }]
  ]
  it.each(FAULTS)('%s: a warning, the step succeeds and the sandbox is cleaned up', async (_what, method, path, fault) => {
    token()
    emu.faults.add({ method, path, faults: [fault], repeatLast: true })
    const job = await runJob({ inputs: inputs(), env: githubEnv(emu) })
    emu.faults.clear()
    expect(job.main.exitCode, job.main.stdout).toBe(0)
    expect(job.post.exitCode, job.post.stdout).toBe(0)
    expect(errors(job.main)).toEqual([])
    expect(errors(job.post)).toEqual([])
    expect(warnings(job.main).some(l => l.includes('deployment:')), job.main.stdout).toBe(true)
    expect(job.main.outputs.sandbox_name).toBeTruthy()
    if (path === DEPLOYMENTS) {
      expect(job.main.outputs.deployment_id).toBeUndefined()
      // nothing saved, so the post step does not ask GitHub
      expect(warnings(job.post)).toEqual([])
    } else {
      expect(job.main.outputs.deployment_id).toMatch(/^\d+$/)
      expect(warnings(job.post).some(l => l.includes('deployment:'))).toBe(true)
    }
    expectOnlyLive(emu)
    expectMaskedEverywhere(job.main, [TOKEN])
  })

  it('the post step alone, from the saved state, marks the deployment inactive', async () => {
    token()
    const main = await runStep({ inputs: inputs(), env: githubEnv(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(JSON.parse(main.state.deployment)).toEqual({ id: Number(main.outputs.deployment_id), repository: REPO })
    expect(states()).toEqual(['in_progress', 'success'])
    const post = await runStep({ inputs: inputs(), env: githubEnv(emu), state: main.state })
    expect(post.exitCode).toBe(0)
    expect(states()).toEqual(['in_progress', 'success', 'inactive'])
  })

  it('deployment with an operation that makes no sandbox, or without a token: bad input before any request', async () => {
    token()
    const del = await runStep({ inputs: inputs({ operation: 'delete', 'sandbox-name': 'gone-one' }), env: githubEnv(emu) })
    expect(del.exitCode).not.toBe(0)
    expect(errors(del).join('\n')).toContain('deployment')
    const noToken = await runStep({ inputs: inputs({ 'github-token': '' }), env: githubEnv(emu) })
    expect(noToken.exitCode).not.toBe(0)
    expect(errors(noToken).join('\n')).toContain('github-token')
    expect(emu.requests).toEqual([])
  })
})
