// adobe-package-id end to end: once the sandbox is active the bundled action imports the
// sandbox-tooling package and waits for its job within `timeout`; a job that fails, a cancel
// or a timeout fails the step and the post step still deletes the sandbox.
import { describe, expect } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_SECRET, EMULATOR_ADOBE_ORG_ID, TOOLING_BASE } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob, runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs, credentialRole } from '../../scripts/emulator-inputs'
import { bearerTokens, expectOnlyLive } from '../harness/adobe'
import { readSchemas } from '../../scripts/later-step'
import { expectMaskedEverywhere } from '../harness/secrets'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 400, resetMs: 400, deleteMs: 200 }, platform: { tooling: { pendingMs: 1200, runMs: 2500 } } }, emu => {
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

const submits = () => emu.requests.filter(r => r.path.startsWith(`${TOOLING_BASE}/packages/import`))

function expectNoSecrets(run: StepRun): void {
  expectMaskedEverywhere(run, [EMULATOR_ADOBE_CLIENT_SECRET, ...bearerTokens(emu)])
}

describe('adobe-package-id', () => {
  it('create imports the package, waits for the job with progress lines, and the post step deletes the sandbox', async () => {
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'seeded-box', 'adobe-package-id': 'pkg-seed' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    const [job] = emu.platform.tooling.jobs()
    expect(job).toMatchObject({ packageId: 'pkg-seed', targetSandbox: 'seeded-box', jobStatus: 'SUCCESS' })
    for (const status of ['PENDING', 'IN_PROGRESS', 'SUCCESS']) expect(main.stdout).toMatch(new RegExp(`Import job ${job.id}: ${status} \\(\\d+ s elapsed\\)`))
    expect(main.summary).toMatch(new RegExp(`\\| Package imported \\| \`pkg-seed\` \\(job \`${job.id}\`, \\d+\\.\\d s\\) \\|`))
    // the documented submit: POST, the target in the body and in x-sandbox-name
    const [submit] = submits()
    expect(submit.method).toBe('POST')
    expect(submit.headers['x-sandbox-name']).toBe('seeded-box')
    expect(JSON.parse(submit.body)).toMatchObject({ id: 'pkg-seed', destinationSandbox: { name: 'seeded-box', imsOrgId: EMULATOR_ADOBE_ORG_ID } })
    expect(post.stdout).toContain('Deleted sandbox "seeded-box"')
    expectNoSecrets(main)
    expectNoSecrets(post)
    expectOnlyLive(emu)
  })

  it('with a role grant and a package, a later step reads the imported schema; the post step revokes and deletes', async () => {
    const inputs = adobeInputs(emu, { 'sandbox-name': 'ready-box', 'adobe-role-id': 'role-ci', 'adobe-package-id': 'pkg-seed' })
    const main = await runStep({ inputs })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.summary).toContain('| Roles granted | `role-ci` |')
    expect(main.summary).toContain('| Package imported | `pkg-seed`')
    // the grant comes first, then the import
    const firstSubmit = emu.requests.findIndex(r => r.path.startsWith(`${TOOLING_BASE}/packages/import`))
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

  it('a failed import fails the step with the job id, its status and Adobe\'s errors; nothing is left behind', async () => {
    emu.platform.tooling.failNext('fail-box')
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'fail-box', 'adobe-role-id': 'role-ci', 'adobe-package-id': 'pkg-seed' }) })
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
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'cancel-box', 'adobe-package-id': 'pkg-seed' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toMatch(/ended CANCELLED \(job [0-9a-f-]{36}\): REGISTRY_SCHEMA sch-orders: task CANCELLED/)
    expectOnlyLive(emu)
  })

  it('a cancel during the import wait stops the step at once; the post step revokes and deletes', async () => {
    const inputs = adobeInputs(emu, { 'sandbox-name': 'sigterm-box', 'adobe-role-id': 'role-ci', 'adobe-package-id': 'pkg-seed' })
    const main = await runStep({ inputs, signalWhen: { text: ': PENDING (', signal: 'SIGTERM' } })
    expect(main.signalledMs).toBeDefined()
    expect(main.exitCode).toBe(1)
    expect(main.wallMs - (main.signalledMs ?? 0)).toBeLessThan(2000)
    expect(errors(main)[0]).toContain('Cancelled while waiting for the import of package "pkg-seed"')
    const post = await runStep({ inputs, state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('Removed sandbox "sigterm-box" from role "role-ci"')
    expect(post.stdout).toContain('Deleted sandbox "sigterm-box"')
    expectOnlyLive(emu)
  })

  it('the wait counts against timeout', async () => {
    emu.platform.tooling.setTimings({ runMs: 120_000 })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'slow-box', 'adobe-package-id': 'pkg-seed', timeout: '4' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toMatch(/Timed out after 4 s while waiting for import job [0-9a-f-]{36} of package "pkg-seed" \(last status: (PENDING|IN_PROGRESS)\)/)
    expect(main.wallMs).toBeLessThan(15_000)
    expect(post.stdout).toContain('Deleted sandbox "slow-box"')
    expectOnlyLive(emu)
  })

  it('a PUT-only submit and an answer without jobId (the other reading of the references) work too', async () => {
    emu.platform.tooling.setImportMethod('PUT')
    emu.platform.tooling.setJobIdInAnswer(false)
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'put-box', 'adobe-package-id': 'pkg-seed' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(submits().map(r => `${r.method} ${r.status}`)).toEqual(['POST 405', 'PUT 202'])
    const [job] = emu.platform.tooling.jobs()
    // found in the job list by the name the step gave it
    expect(job.name).toMatch(/^put-box-import-[0-9a-f]{8}$/)
    expect(emu.requests.some(r => r.path === `${TOOLING_BASE}/packages/jobs` && r.query.property === 'requestType==IMPORT')).toBe(true)
    expect(main.summary).toContain(`(job \`${job.id}\``)
    expectOnlyLive(emu)
  })

  it('when /tools/job does not know the job, the wait follows it in the job list', async () => {
    emu.faults.add({ method: 'GET', path: /\/tools\/job\//, faults: [{ kind: 'status', status: 404, body: { status: 404, title: 'Not Found' } }] })
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'list-box', 'adobe-package-id': 'pkg-seed' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    const [job] = emu.platform.tooling.jobs()
    expect(emu.requests.filter(r => r.path.includes('/tools/job/'))).toHaveLength(1)
    expect(emu.requests.filter(r => r.path === `${TOOLING_BASE}/packages/jobs`).length).toBeGreaterThan(1)
    expect(main.stdout).toContain(`Import job ${job.id}: SUCCESS`)
    expectOnlyLive(emu)
  })

  it('a 503 and a dropped connection while reading the job are retried; the wait goes on', async () => {
    emu.faults.add({ method: 'GET', path: /\/tools\/job\//, faults: [{ kind: 'status', status: 503 }, { kind: 'drop-before' }] })
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'flaky-box', 'adobe-package-id': 'pkg-seed' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain('HTTP 503')
    expect(emu.platform.tooling.jobs()).toHaveLength(1)
    expectOnlyLive(emu)
  })

  it('a submit repeated after its answer was lost says that Adobe started two jobs', async () => {
    emu.faults.add({ method: 'POST', path: `${TOOLING_BASE}/packages/import`, faults: [{ kind: 'drop-after' }] })
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'twice-box', 'adobe-package-id': 'pkg-seed' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    const jobs = emu.platform.tooling.jobs()
    expect(jobs).toHaveLength(2)
    const [warning] = main.stdout.split('\n').filter(l => l.startsWith('::warning'))
    expect(warning).toContain('Adobe started 2 import jobs')
    for (const j of jobs) expect(warning).toContain(j.id)
    expectOnlyLive(emu)
  })

  it('an unknown or unpublished package fails before any import is submitted', async () => {
    emu.platform.tooling.seed({ id: 'pkg-draft', status: 'DRAFT' })
    for (const [id, text] of [['pkg-missing', 'was not found'], ['pkg-draft', 'is DRAFT: only a PUBLISHED package can be imported']]) {
      const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': `box-${id}`, 'adobe-package-id': id }) })
      expect(main.exitCode).toBe(1)
      expect(errors(main)[0]).toContain(`Package "${id}" (adobe-package-id) ${text}`)
      expect(post.exitCode).toBe(0)
    }
    expect(submits()).toEqual([])
    expectOnlyLive(emu)
  })

  it('operation reset imports into the pooled sandbox and leaves it in place', async () => {
    emu.adobe.seed({ name: 'pool-a', state: 'active' })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { operation: 'reset', 'sandbox-name': 'pool-a', 'adobe-package-id': 'pkg-seed' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(emu.platform.tooling.jobs()).toMatchObject([{ targetSandbox: 'pool-a', jobStatus: 'SUCCESS' }])
    expect(post.stdout).toContain('nothing to clean up')
    expectOnlyLive(emu, ['pool-a'])
  })
})
