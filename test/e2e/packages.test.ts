// adobe-package-id end to end: once the sandbox is active the bundled action imports the
// sandbox-tooling package and waits for its job within `timeout`; a job that fails, a cancel
// or a timeout fails the step and the post step still deletes the sandbox. Against the
// emulator in both modes: `spec` (sandbox.yaml: PUT submit, POST 405; Content-Type required on
// the job read; the job list's declared parameters) and `docs` (POST submit, PUT 405; no job
// id in the answer; the job list's property/orderby). Import jobs here never end on their own:
// a test finishes them once the step's log shows it waiting, however slowly the step got there.
import { describe, expect } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_SECRET, EMULATOR_ADOBE_ORG_ID, type Emulator, type FaultRule } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob, runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs, credentialRole } from '../../scripts/emulator-inputs'
import { bearerTokens, expectOnlyLive } from '../harness/adobe'
import { readSchemas } from '../../scripts/later-step'
import { expectMaskedEverywhere } from '../harness/secrets'
import { expectNoInjectedCommands, listForm, MODES, sandboxApiCalls, toolingCalls } from './platform-helpers'

/** Long enough that no job ends unless a test finishes it. */
const NEVER = 3_600_000

const { emu, it } = emulatorPerTest({ adobe: { createMs: 400, resetMs: 400, deleteMs: 200 }, platform: { tooling: { pendingMs: NEVER, runMs: NEVER } } }, emu => {
  emu.platform.roles.seed(credentialRole('role-ci'))
  emu.platform.tooling.seed({
    id: 'pkg-seed',
    name: 'CI seed',
    artifactsList: [
      { id: 'sch-orders', type: 'REGISTRY_SCHEMA', title: 'Orders' },
      { id: 'ds-orders', type: 'CATALOG_DATASET', title: 'Orders dataset' }
    ]
  })
})

const submits = () => toolingCalls(emu, '/packages/import').map(r => `${r.method} ${r.status}`)
const jobReads = () => toolingCalls(emu, /\/tools\/job\//)
const jobLists = () => toolingCalls(emu, '/packages/jobs')
const lookups = () => toolingCalls(emu, '/packages/pkg-seed')
const WAITING = /^Import job .*: (PENDING|IN_PROGRESS|not listed yet) \(/

/** Ends every import job once the step's log shows it waiting for one. */
function finishOnceWaiting(e: Emulator): (line: string) => void {
  const tooling = e.platform.tooling // the running test's, taken now
  return line => {
    if (WAITING.test(line)) tooling.finish()
  }
}

function expectNoSecrets(run: StepRun): void {
  expectMaskedEverywhere(run, [EMULATOR_ADOBE_CLIENT_SECRET, ...bearerTokens(emu)])
}

describe('adobe-package-id', () => {
  it.each(MODES)('%s mode: create imports the package, waits for the job with progress lines, and the post step deletes the sandbox', async mode => {
    emu.platform.setMode(mode)
    const tooling = emu.platform.tooling
    // PENDING until the step has said so, then IN_PROGRESS until it has said that, then done
    const onLine = (line: string): void => {
      if (/^Import job .*: PENDING \(/.test(line)) tooling.setTimings({ pendingMs: 0 })
      if (/^Import job .*: IN_PROGRESS \(/.test(line)) tooling.finish()
    }
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'seeded-box', 'adobe-package-id': 'pkg-seed' }), onLine })
    expect(main.exitCode, main.stdout).toBe(0)
    const [job] = emu.platform.tooling.jobs()
    expect(job).toMatchObject({ packageId: 'pkg-seed', targetSandbox: 'seeded-box', jobStatus: 'SUCCESS' })
    const progress = main.stdout.split('\n').filter(l => l.startsWith(`Import job ${job.id}: `)).map(l => l.split(': ')[1].split(' ')[0])
    expect([...new Set(progress)]).toEqual(['PENDING', 'IN_PROGRESS', 'SUCCESS'])
    expect(main.summary).toMatch(new RegExp(`\\| Package imported \\| \`pkg-seed\` \\(job \`${job.id}\`, \\d+\\.\\d s\\) \\|`))

    // the submit: PUT first (sandbox.yaml); POST only after the server's 405 to it
    expect(submits()).toEqual(mode === 'spec' ? ['PUT 202'] : ['PUT 405', 'POST 202'])
    const accepted = toolingCalls(emu, '/packages/import').find(r => r.status === 202)
    expect(accepted?.headers['x-sandbox-name']).toBe('seeded-box')
    expect(JSON.parse(accepted?.body ?? '')).toMatchObject({ id: 'pkg-seed', destinationSandbox: { name: 'seeded-box', imsOrgId: EMULATOR_ADOBE_ORG_ID } })
    // every job read declares its Content-Type, as fetchJob requires
    expect(jobReads().length).toBeGreaterThanOrEqual(2)
    expect(jobReads().map(r => `${r.status} ${r.headers['content-type']}`)).toEqual(jobReads().map(() => '200 application/json'))
    if (mode === 'spec') {
      // the job id came with the answer: no job list needed
      expect(jobLists()).toEqual([])
    } else {
      // no job id in the docs' answer: found in the list, asked the OpenAPI's way first, then the docs' way only
      const forms = jobLists().map(r => `${listForm(r)} ${r.status}`)
      expect(forms[0]).toBe('spec 400')
      expect(forms.slice(1)).toEqual(forms.slice(1).map(() => 'docs 200'))
      expect(forms.length).toBeGreaterThanOrEqual(2)
    }
    // the package is checked before any sandbox exists (naming `prod`), and again before the import (naming the target)
    expect(lookups().map(r => r.headers['x-sandbox-name'])).toEqual(['prod', 'seeded-box'])
    expect(emu.requests.indexOf(lookups()[0])).toBeLessThan(emu.requests.findIndex(r => r.path.startsWith('/data/foundation/sandbox-management')))
    expect(post.stdout).toContain('Deleted sandbox "seeded-box"')
    expectNoSecrets(main)
    expectNoSecrets(post)
    expectOnlyLive(emu)
  })

  it.each(MODES)('%s mode: with a role grant and a package, a later step reads the imported schema; the post step revokes and deletes', async mode => {
    emu.platform.setMode(mode)
    const inputs = adobeInputs(emu, { 'sandbox-name': 'ready-box', 'adobe-role-id': 'role-ci', 'adobe-package-id': 'pkg-seed' })
    const main = await runStep({ inputs, onLine: finishOnceWaiting(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.summary).toContain('| Roles granted | `role-ci` |')
    expect(main.summary).toContain('| Package imported | `pkg-seed`')
    // the grant comes first, then the import
    const firstSubmit = emu.requests.findIndex(r => r.path.endsWith('/packages/import'))
    const firstPatch = emu.requests.findIndex(r => r.method === 'PATCH')
    expect(firstPatch).toBeGreaterThan(-1)
    expect(firstPatch).toBeLessThan(firstSubmit)
    expect(await readSchemas(emu, main.outputs.access_token, 'ready-box')).toEqual({ status: 200, titles: ['Orders'] })

    const post = await runStep({ inputs, state: main.state })
    expect(post.stdout).toContain('Removed sandbox "ready-box" from role "role-ci"')
    expect(post.stdout).toContain('Deleted sandbox "ready-box"')
    expect(emu.platform.roles.get('role-ci')?.sandboxes).toEqual(['prod'])
    expectOnlyLive(emu)
  })

  it.each(MODES)('%s mode: a failed import fails the step with the job id, its status and Adobe\'s errors; nothing is left behind', async mode => {
    emu.platform.setMode(mode)
    emu.platform.tooling.failNext('fail-box')
    const { main, post } = await runJob({
      inputs: adobeInputs(emu, { 'sandbox-name': 'fail-box', 'adobe-role-id': 'role-ci', 'adobe-package-id': 'pkg-seed' }),
      onLine: finishOnceWaiting(emu)
    })
    expect(main.exitCode).toBe(1)
    const [job] = emu.platform.tooling.jobs()
    const [error] = errors(main)
    expect(error).toContain(`Import of package "pkg-seed" into sandbox "fail-box" ended FAILED (job ${job.id})`)
    expect(error).toContain('REGISTRY_SCHEMA sch-orders: Could not create REGISTRY_SCHEMA "Orders"')
    expect(main.summary).toContain('failed')
    expect(post.stdout).toContain('Removed sandbox "fail-box" from role "role-ci"')
    expect(post.stdout).toContain('Deleted sandbox "fail-box"')
    expect(emu.platform.roles.get('role-ci')?.sandboxes).toEqual(['prod'])
    expectOnlyLive(emu)
  })

  it('a job Adobe cancelled fails the step too', async () => {
    emu.platform.tooling.failNext('cancel-box', 'CANCELLED')
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'cancel-box', 'adobe-package-id': 'pkg-seed' }), onLine: finishOnceWaiting(emu) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toMatch(/ended CANCELLED \(job [0-9a-f-]{36}\): REGISTRY_SCHEMA sch-orders: task CANCELLED/)
    expectOnlyLive(emu)
  })

  it('a cancel during the import wait stops the step; the post step revokes and deletes', async () => {
    // the job never ends: only the cancel can end the step
    const inputs = adobeInputs(emu, { 'sandbox-name': 'sigterm-box', 'adobe-role-id': 'role-ci', 'adobe-package-id': 'pkg-seed' })
    const main = await runStep({ inputs, signalWhen: { text: ': PENDING (', signal: 'SIGTERM' } })
    expect(main.signalledMs).toBeDefined()
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Cancelled while waiting for the import of package "pkg-seed"')
    expect(emu.platform.tooling.jobs()).toMatchObject([{ jobStatus: 'PENDING' }])
    const post = await runStep({ inputs, state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('Removed sandbox "sigterm-box" from role "role-ci"')
    expect(post.stdout).toContain('Deleted sandbox "sigterm-box"')
    expectOnlyLive(emu)
  })

  it('the wait counts against timeout', async () => {
    // a sandbox that is there already: the step's time goes to the import, which never ends
    emu.adobe.seed({ name: 'slow-box', state: 'active' })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'slow-box', 'adobe-package-id': 'pkg-seed', timeout: '10' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toMatch(/Timed out after 10 s while waiting for import job [0-9a-f-]{36} of package "pkg-seed" \(last status: PENDING\)/)
    expect(emu.platform.tooling.jobs()).toMatchObject([{ targetSandbox: 'slow-box', jobStatus: 'PENDING' }])
    expect(post.stdout).toContain('nothing to clean up')
    expectOnlyLive(emu, ['slow-box'])
  })

  it('when /tools/job does not know the job, the wait follows it in the job list, asked the OpenAPI\'s way', async () => {
    emu.faults.add({ method: 'GET', path: /\/tools\/job\//, faults: [{ kind: 'status', status: 404, body: { status: 404, title: 'Not Found' } }] })
    const tooling = emu.platform.tooling
    const log = emu.requests // the running test's, taken now
    // finished only once the job list has shown it running: the list is then asked again
    const onLine = (line: string): void => {
      if (WAITING.test(line) && log.some(r => r.path.endsWith('/packages/jobs'))) tooling.finish()
    }
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'list-box', 'adobe-package-id': 'pkg-seed' }), onLine })
    expect(main.exitCode, main.stdout).toBe(0)
    const [job] = emu.platform.tooling.jobs()
    expect(jobReads()).toHaveLength(1)
    const lists = jobLists()
    expect(lists.length).toBeGreaterThanOrEqual(2)
    expect(lists.every(r => emu.requests.indexOf(r) > emu.requests.indexOf(jobReads()[0]))).toBe(true)
    expect(lists.map(r => `${listForm(r)} ${r.status}`)).toEqual(lists.map(() => 'spec 200'))
    expect(lists[0].query).toEqual({ requestType: 'IMPORT', orderBy: 'desc:created', start: '0', limit: '50' })
    expect(main.stdout).toContain(`Import job ${job.id}: SUCCESS`)
    expectOnlyLive(emu)
  })

  it('a submit repeated after its answer was lost says that Adobe started two jobs', async () => {
    emu.faults.add({ method: 'PUT', path: /\/packages\/import$/, faults: [{ kind: 'drop-after' }] })
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'twice-box', 'adobe-package-id': 'pkg-seed' }), onLine: finishOnceWaiting(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    const jobs = emu.platform.tooling.jobs()
    expect(jobs).toHaveLength(2)
    const [warning] = main.stdout.split('\n').filter(l => l.startsWith('::warning'))
    expect(warning).toContain('Adobe started 2 import jobs')
    for (const j of jobs) expect(warning).toContain(j.id)
    expect(submits()).toEqual(['PUT 0', 'PUT 202'])
    expectOnlyLive(emu)
  })

  it('operation reset imports into the pooled sandbox and leaves it in place', async () => {
    emu.adobe.seed({ name: 'pool-a', state: 'active' })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { operation: 'reset', 'sandbox-name': 'pool-a', 'adobe-package-id': 'pkg-seed' }), onLine: finishOnceWaiting(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(emu.platform.tooling.jobs()).toMatchObject([{ targetSandbox: 'pool-a', jobStatus: 'SUCCESS' }])
    expect(post.stdout).toContain('nothing to clean up')
    expectOnlyLive(emu, ['pool-a'])
  })
})

describe('a package being published', () => {
  const WAITS = /Package "pkg-late" is PUBLISH_IN_PROGRESS: waiting until it is PUBLISHED/

  it('is waited for until PUBLISHED, then imported', async () => {
    emu.platform.tooling.seed({ id: 'pkg-late', status: 'PUBLISH_IN_PROGRESS', artifactsList: [{ id: 'sch-late', type: 'REGISTRY_SCHEMA', title: 'Late' }] })
    const tooling = emu.platform.tooling
    const finish = finishOnceWaiting(emu)
    const onLine = (line: string): void => {
      if (WAITS.test(line)) tooling.publish('pkg-late')
      finish(line)
    }
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'late-box', 'adobe-package-id': 'pkg-late' }), onLine })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain('Package "pkg-late" is PUBLISH_IN_PROGRESS: it is imported once it is PUBLISHED')
    expect(main.stdout).toMatch(WAITS)
    // checked before the slot, read while it was being published, read again once published; then submitted
    const reads = toolingCalls(emu, '/packages/pkg-late')
    expect(reads.length).toBeGreaterThanOrEqual(3)
    const submit = emu.requests.findIndex(r => r.path.endsWith('/packages/import') && r.status === 202)
    expect(emu.requests.indexOf(reads[reads.length - 1])).toBeLessThan(submit)
    expect(emu.platform.tooling.jobs()).toMatchObject([{ packageId: 'pkg-late', targetSandbox: 'late-box', jobStatus: 'SUCCESS' }])
    expect(post.stdout).toContain('Deleted sandbox "late-box"')
    expectOnlyLive(emu)
  })

  it('whose publication fails while the step waits fails the step naming adobe-package-id; nothing is left behind', async () => {
    emu.platform.tooling.seed({ id: 'pkg-late', status: 'PUBLISH_IN_PROGRESS' })
    const tooling = emu.platform.tooling
    const onLine = (line: string): void => {
      if (WAITS.test(line)) tooling.publish('pkg-late', 'PUBLISH_FAILED')
    }
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'late-fail', 'adobe-role-id': 'role-ci', 'adobe-package-id': 'pkg-late' }), onLine })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Package "pkg-late" (adobe-package-id) is PUBLISH_FAILED: its publication failed')
    expect(submits()).toEqual([])
    expect(post.stdout).toContain('Removed sandbox "late-fail" from role "role-ci"')
    expect(post.stdout).toContain('Deleted sandbox "late-fail"')
    expectOnlyLive(emu)
  })

  it('counts against timeout', async () => {
    emu.platform.tooling.seed({ id: 'pkg-late', status: 'PUBLISH_IN_PROGRESS' })
    emu.adobe.seed({ name: 'late-slow', state: 'active' })
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'late-slow', 'adobe-package-id': 'pkg-late', timeout: '10' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Timed out after 10 s while waiting for package "pkg-late" (adobe-package-id) to be published (last status: PUBLISH_IN_PROGRESS)')
    expect(submits()).toEqual([])
    expectOnlyLive(emu, ['late-slow'])
  })
})

describe('faults at each step of an import', () => {
  type Step = 'the check before the slot' | 'the lookup before the import' | 'the submit' | 'the job read' | 'the job list'
  // Where each step's requests go, which one of them (in order) gets the fault, and the mode
  // in which the step happens at all (the docs' submit answer has no job id: the list finds it).
  const AT: Record<Step, { method: string; path: string | RegExp; nth: number; mode: 'spec' | 'docs' }> = {
    'the check before the slot': { method: 'GET', path: /\/packages\/pkg-seed$/, nth: 1, mode: 'spec' },
    'the lookup before the import': { method: 'GET', path: /\/packages\/pkg-seed$/, nth: 2, mode: 'spec' },
    'the submit': { method: 'PUT', path: /\/packages\/import$/, nth: 1, mode: 'spec' },
    'the job read': { method: 'GET', path: /\/tools\/job\//, nth: 1, mode: 'spec' },
    'the job list': { method: 'GET', path: /\/packages\/jobs$/, nth: 1, mode: 'docs' }
  }
  type Kind = '503' | 'dropped connection' | '403' | 'unreadable answer'
  const FAULT: Record<Kind, FaultRule['faults'][number]> = {
    '503': { kind: 'status', status: 503 },
    'dropped connection': { kind: 'drop-before' },
    '403': { kind: 'status', status: 403, body: { error_code: '403003', message: 'Api Key is invalid' } },
    'unreadable answer': { kind: 'html', status: 200, body: '<html><body>Gateway says hello</body></html>', act: true }
  }
  // Retried faults pass. A refusal fails the step. An unreadable package record never lets an
  // import go ahead; an unreadable submit answer, job or job list only means looking again.
  const outcome = (step: Step, kind: Kind): 'succeeds' | 'fails' =>
    kind === '403' || (kind === 'unreadable answer' && (step === 'the check before the slot' || step === 'the lookup before the import')) ? 'fails' : 'succeeds'
  const cases = (Object.keys(AT) as Step[]).flatMap(step => (Object.keys(FAULT) as Kind[]).map(kind => [step, kind, outcome(step, kind)] as const))

  it.each(cases)('%s, %s: the step %s, and nothing is left behind', async (step, kind, expected) => {
    const { method, path, nth, mode } = AT[step]
    emu.platform.setMode(mode)
    emu.faults.add({ method, path, faults: [...Array.from({ length: nth - 1 }, () => 'pass' as const), FAULT[kind]] })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'faulty-import', 'adobe-package-id': 'pkg-seed' }), onLine: finishOnceWaiting(emu) })
    expect(main.exitCode, main.stdout).toBe(expected === 'succeeds' ? 0 : 1)
    if (expected === 'fails') {
      expect(errors(main)[0]).toMatch(kind === '403' ? /HTTP 403 403003: Api Key is invalid/ : /look up package "pkg-seed" \(adobe-package-id\): the answer could not be read/)
      if (step === 'the check before the slot') expect(sandboxApiCalls(emu)).toEqual([])
    } else {
      expect(emu.platform.tooling.jobs()).toMatchObject([{ targetSandbox: 'faulty-import', jobStatus: 'SUCCESS' }])
    }
    expect(post.exitCode, post.stdout).toBe(0)
    if (step !== 'the check before the slot' || expected === 'succeeds') expect(post.stdout).toContain('Deleted sandbox "faulty-import"')
    expectOnlyLive(emu)
  })
})

describe('text from sandbox tooling', () => {
  it('job error messages and job statuses cannot start a workflow command', async () => {
    emu.platform.tooling.seed({ id: 'pkg-odd', artifactsList: [{ id: 'sch-odd', type: 'REGISTRY_SCHEMA', title: 'Odd\n::error::injected' }] })
    emu.platform.tooling.failNext('odd-box')
    // one job read answers with a status full of commands; the next ones are real
    emu.faults.add({ method: 'GET', path: /\/tools\/job\//, faults: [{ kind: 'wrong-shape', body: { status: 'OK', object: { jobStatus: '\n::warning::injected' } } }] })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'odd-box', 'adobe-package-id': 'pkg-odd' }), onLine: finishOnceWaiting(emu) })
    expect(main.exitCode).toBe(1)
    expect(main.stdout).toMatch(/Import job [0-9a-f-]{36}: : :warning: :injected/)
    expect(errors(main)[0]).toContain('Could not create REGISTRY_SCHEMA "Odd : :error: :injected"')
    expectNoInjectedCommands(main, 'injected')
    expectNoInjectedCommands(post, 'injected')
    expectOnlyLive(emu)
  })
})
