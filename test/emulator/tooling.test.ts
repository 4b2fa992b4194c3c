// The emulator's sandbox tooling API over HTTP: package lookup, import submit in both
// documented forms, and jobs that move on by the clock.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_ORG_ID, SCHEMAS_PATH, TOOLING_BASE, startEmulator, type Emulator } from '../../emulator'
import { credentialRole } from '../../scripts/emulator-inputs'
import { adobeHeaders, call, manualClock } from './helpers'

const clock = manualClock()
let emu: Emulator
let headers: Record<string, string>
beforeAll(async () => {
  emu = await startEmulator({ now: clock.now, adobe: { createMs: 0 }, platform: { tooling: { pendingMs: 1000, runMs: 5000 } } })
})
afterAll(() => emu.close())
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
  headers = { ...adobeHeaders(emu), 'x-sandbox-name': 'dev-a' }
  emu.adobe.seed({ name: 'dev-a', state: 'active' })
  emu.platform.roles.seed(credentialRole('r1', ['dev-a']))
  emu.platform.tooling.seed({ id: 'pkg1', name: 'Seed', artifactsList: [{ id: 's1', type: 'REGISTRY_SCHEMA', title: 'Orders' }] })
})

const api = (method: string, path: string, body?: unknown) => call(emu, method, `${TOOLING_BASE}${path}`, { headers, body })
const importBody = (id = 'pkg1', sandbox = 'dev-a') => ({ id, name: 'job-1', destinationSandbox: { name: sandbox, imsOrgId: EMULATOR_ADOBE_ORG_ID } })
const job = async (id: string) => (await api('GET', `/tools/job/${id}`)).body

describe('packages', () => {
  it('looks a package up by id, 404 when unknown', async () => {
    const res = await api('GET', '/packages/pkg1')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: 'pkg1', name: 'Seed', status: 'PUBLISHED', packageType: 'PARTIAL', artifactsList: [{ id: 's1', type: 'REGISTRY_SCHEMA' }] })
    expect((await api('GET', '/packages/nope')).status).toBe(404)
  })

  it('needs x-sandbox-name and the tooling permission', async () => {
    const bare = { ...headers }
    delete bare['x-sandbox-name']
    const missing = await call(emu, 'GET', `${TOOLING_BASE}/packages/pkg1`, { headers: bare })
    expect(missing.status).toBe(400)
    expect(missing.body.error_code).toBe('400003')
    emu.platform.tooling.deny(EMULATOR_ADOBE_CLIENT_ID)
    const denied = await api('GET', '/packages/pkg1')
    expect(denied.status).toBe(403)
    expect(denied.body.title).toContain('manage-package')
  })
})

describe('import jobs', () => {
  it('POST submit answers 202 with jobId; the job goes PENDING → IN_PROGRESS → SUCCESS and its schema appears', async () => {
    const res = await api('POST', '/packages/import', importBody())
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({ name: 'job-1', visibility: 'TENANT', destinationSandbox: { name: 'dev-a' }, type: 'PARTIAL' })
    expect(typeof res.body.correlationId).toBe('string')
    const id = res.body.jobId as string
    expect((await job(id))).toMatchObject({ status: 'OK', type: 'SUCCESS', object: { id, requestType: 'IMPORT', jobStatus: 'PENDING', completedTasks: [] } })
    clock.advance(1000)
    expect((await job(id)).object.jobStatus).toBe('IN_PROGRESS')
    const schemasBefore = await call(emu, 'GET', SCHEMAS_PATH, { headers })
    expect(schemasBefore.body.results).toEqual([])
    clock.advance(5000)
    const done = await job(id)
    expect(done.object.jobStatus).toBe('SUCCESS')
    expect(done.object.completedTasks[0]).toMatchObject({ taskStatus: 'SUCCESS', artifact: { id: 's1', messages: [{ status: 'CREATED' }] } })
    const schemas = await call(emu, 'GET', SCHEMAS_PATH, { headers })
    expect(schemas.body.results.map((s: { title: string }) => s.title)).toEqual(['Orders'])
  })

  it('a failing job ends FAILED with the artifact messages; a cancelled one CANCELLED', async () => {
    emu.platform.tooling.failNext('dev-a')
    const failed = (await api('POST', '/packages/import', importBody())).body.jobId
    emu.platform.tooling.failNext('dev-a', 'CANCELLED')
    const cancelled = (await api('PUT', '/packages/import', importBody())).body.jobId
    clock.advance(6000)
    const f = await job(failed)
    expect(f.object.jobStatus).toBe('FAILED')
    expect(f.object.completedTasks[0].artifact.messages[0]).toMatchObject({ status: 'FAILED', message: expect.stringContaining('Could not create') })
    expect((await job(cancelled)).object.jobStatus).toBe('CANCELLED')
    expect((await call(emu, 'GET', SCHEMAS_PATH, { headers })).body.results).toEqual([])
  })

  it('the submit method and the jobId in its answer follow the settings', async () => {
    emu.platform.tooling.setImportMethod('PUT')
    expect((await api('POST', '/packages/import', importBody())).status).toBe(405)
    emu.platform.tooling.setJobIdInAnswer(false)
    const put = await api('PUT', '/packages/import/', importBody())
    expect(put.status).toBe(202)
    expect(put.body.jobId).toBeUndefined()
  })

  it('refuses an unknown package, a draft one, and a target that is not active', async () => {
    emu.platform.tooling.seed({ id: 'draft', status: 'DRAFT' })
    expect((await api('POST', '/packages/import', importBody('nope'))).status).toBe(404)
    expect((await api('POST', '/packages/import', importBody('draft'))).body.title).toContain('Only PUBLISHED packages')
    expect((await api('POST', '/packages/import', importBody('pkg1', 'no-such-box'))).status).toBe(400)
    expect((await api('POST', '/packages/import', { name: 'x' })).status).toBe(400)
    expect(emu.platform.tooling.jobs()).toEqual([])
  })

  it('lists jobs with a property filter and pages', async () => {
    for (let i = 0; i < 3; i++) await api('POST', '/packages/import', { ...importBody(), name: `job-${i}` })
    const page = await api('GET', '/packages/jobs?property=requestType==IMPORT&start=0&limit=2')
    expect(page.body).toMatchObject({ totalElements: 3, currentPage: 0, totalPages: 2, hasPreviousPage: false, hasNextPage: true })
    expect(page.body.data.map((j: { name: string }) => j.name)).toEqual(['job-0', 'job-1'])
    expect(page.body.data[0]).toMatchObject({ jobStatus: 'PENDING', targetSandbox: { name: 'dev-a' }, sourceSandBox: { name: 'prod' } })
    const newest = await api('GET', '/packages/jobs?orderby=-createdDate&start=0&limit=1')
    expect(newest.body.data[0].name).toBe('job-2')
    expect((await api('GET', '/packages/jobs?property=jobStatus==SUCCESS')).body.totalElements).toBe(0)
    expect((await api('GET', '/tools/job/nope')).status).toBe(404)
  })
})
