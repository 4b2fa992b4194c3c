// The emulator's sandbox tooling API over HTTP: package lookup, the import submit and the job
// list in both modes (Adobe's OpenAPI, the docs), and jobs that move on by the clock.
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

const api = (method: string, path: string, body?: unknown, h = headers) => call(emu, method, `${TOOLING_BASE}${path}`, { headers: h, body })
const without = (...names: string[]) => Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k)))
const importBody = (id = 'pkg1', sandbox = 'dev-a') => ({ id, name: 'job-1', destinationSandbox: { name: sandbox, imsOrgId: EMULATOR_ADOBE_ORG_ID } })
const job = async (id: string) => (await api('GET', `/tools/job/${id}`)).body
const submitPut = (body = importBody()) => api('PUT', '/packages/import', body)

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
  it('PUT submit answers 202 with jobId; the job goes PENDING → IN_PROGRESS → SUCCESS and its schema appears', async () => {
    const res = await submitPut()
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({ name: 'job-1', visibility: 'TENANT', destinationSandbox: { name: 'dev-a' }, type: 'PARTIAL' })
    expect(typeof res.body.correlationId).toBe('string')
    const id = res.body.jobId as string
    expect(await job(id)).toMatchObject({ status: 'OK', type: 'SUCCESS', object: { id, requestType: 'IMPORT', jobStatus: 'PENDING', completedTasks: [] } })
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
    const failed = (await submitPut()).body.jobId
    emu.platform.tooling.failNext('dev-a', 'CANCELLED')
    const cancelled = (await submitPut()).body.jobId
    clock.advance(6000)
    const f = await job(failed)
    expect(f.object.jobStatus).toBe('FAILED')
    expect(f.object.completedTasks[0].artifact.messages[0]).toMatchObject({ status: 'FAILED', message: expect.stringContaining('Could not create') })
    expect((await job(cancelled)).object.jobStatus).toBe('CANCELLED')
    expect((await call(emu, 'GET', SCHEMAS_PATH, { headers })).body.results).toEqual([])
  })

  it('finish() ends every running job now, in the state it was going to end in', async () => {
    const ok = (await submitPut()).body.jobId
    emu.platform.tooling.failNext('dev-a')
    const failing = (await submitPut()).body.jobId
    emu.platform.tooling.failNext('dev-a', 'CANCELLED')
    const cancelled = (await submitPut()).body.jobId
    for (const id of [ok, failing, cancelled]) expect((await job(id)).object.jobStatus).toBe('PENDING')
    emu.platform.tooling.finish()
    expect((await job(ok)).object.jobStatus).toBe('SUCCESS')
    expect((await job(failing)).object.jobStatus).toBe('FAILED')
    expect((await job(cancelled)).object.jobStatus).toBe('CANCELLED')
  })

  it('spec mode (the default): POST is 405; a job read without a header sandbox.yaml requires is 400 naming it', async () => {
    expect(emu.platform.tooling.mode()).toBe('spec')
    const post = await api('POST', '/packages/import', importBody())
    expect(post.status).toBe(405)
    expect(emu.platform.tooling.jobs()).toEqual([])
    const id = (await submitPut()).body.jobId
    // (fetch always sends an Accept header, so only Content-Type can be left out here)
    const res = await api('GET', `/tools/job/${id}`, undefined, without('content-type'))
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ title: 'Invalid request', validation: [{ location: ['header'], message: "must have required property 'content-type'" }] })
    expect((await api('GET', `/tools/job/${id}`)).status).toBe(200)
  })

  it('docs mode: POST submits (its answer stops at correlationId), PUT is 405, a job read needs no Content-Type', async () => {
    emu.platform.tooling.setMode('docs')
    expect((await submitPut()).status).toBe(405)
    const post = await api('POST', '/packages/import/', importBody())
    expect(post.status).toBe(202)
    expect(post.body.jobId).toBeUndefined()
    expect(typeof post.body.correlationId).toBe('string')
    emu.platform.tooling.setJobIdInAnswer(true)
    const id = (await api('POST', '/packages/import', importBody())).body.jobId
    expect((await api('GET', `/tools/job/${id}`, undefined, without('content-type'))).status).toBe(200)
  })

  it.each(['spec', 'docs'] as const)('%s mode refuses an unknown package, a draft one, and a target that is not active', async mode => {
    emu.platform.tooling.setMode(mode)
    const method = mode === 'spec' ? 'PUT' : 'POST'
    emu.platform.tooling.seed({ id: 'draft', status: 'DRAFT' })
    emu.platform.tooling.seed({ id: 'publishing', status: 'PUBLISH_IN_PROGRESS' })
    expect((await api(method, '/packages/import', importBody('nope'))).status).toBe(404)
    for (const id of ['draft', 'publishing']) expect((await api(method, '/packages/import', importBody(id))).body.title).toContain('Only PUBLISHED packages')
    expect((await api(method, '/packages/import', importBody('pkg1', 'no-such-box'))).status).toBe(400)
    expect((await api(method, '/packages/import', { name: 'x' })).status).toBe(400)
    expect(emu.platform.tooling.jobs()).toEqual([])
    emu.platform.tooling.publish('publishing')
    expect((await api(method, '/packages/import', importBody('publishing'))).status).toBe(202)
  })
})

describe('the job list', () => {
  async function threeJobs(method: 'PUT' | 'POST'): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await api(method, '/packages/import', { ...importBody(), name: `job-${i}` })
      clock.advance(10)
    }
  }
  const names = (res: { body: { data: { name: string }[] } }) => res.body.data.map(j => j.name)

  it('spec mode honours the declared parameters, pages, and names sandboxes as strings', async () => {
    await threeJobs('PUT')
    const page = await api('GET', '/packages/jobs?requestType=IMPORT&start=0&limit=2')
    expect(page.body).toMatchObject({ totalElements: 3, currentPage: 0, totalPages: 2, hasPreviousPage: false, hasNextPage: true })
    expect(names(page)).toEqual(['job-0', 'job-1'])
    expect(page.body.data[0]).toMatchObject({ jobStatus: 'PENDING', targetSandbox: 'dev-a', sourceSandBox: 'prod' })
    expect(names(await api('GET', '/packages/jobs?requestType=IMPORT&orderBy=desc:created&start=0&limit=1'))).toEqual(['job-2'])
    expect(names(await api('GET', '/packages/jobs?orderBy=asc:created'))).toEqual(['job-0', 'job-1', 'job-2'])
    expect((await api('GET', '/packages/jobs?requestType=EXPORT')).body.totalElements).toBe(0)
    expect((await api('GET', '/packages/jobs?jobStatus=SUCCESS')).body.totalElements).toBe(0)
    clock.advance(10_000)
    expect((await api('GET', '/packages/jobs?jobStatus=SUCCESS')).body.totalElements).toBe(3)
    expect((await api('GET', '/tools/job/nope')).status).toBe(404)
  })

  it('spec mode ignores undeclared parameters (the docs\' property and orderby)', async () => {
    await threeJobs('PUT')
    const res = await api('GET', '/packages/jobs?property=jobStatus==SUCCESS&orderby=-createdDate')
    expect(res.status).toBe(200)
    expect(names(res)).toEqual(['job-0', 'job-1', 'job-2'])
  })

  it.each([
    ['requestType=import', ['query', 'requestType']],
    ['jobStatus=DONE', ['query', 'jobStatus']],
    ['limit=ten', ['query', 'limit']]
  ])('spec mode answers %s with 422 naming the query parameter', async (query, location) => {
    const res = await api('GET', `/packages/jobs?${query}`)
    expect(res.status).toBe(422)
    expect(res.body.validation).toEqual([expect.objectContaining({ location })])
  })

  it('docs mode filters with property and sorts with orderby, and refuses the OpenAPI\'s names with a 400 naming the parameter', async () => {
    emu.platform.tooling.setMode('docs')
    await threeJobs('POST')
    const page = await api('GET', '/packages/jobs?property=requestType==IMPORT&start=0&limit=2')
    expect(names(page)).toEqual(['job-0', 'job-1'])
    expect(page.body.data[0]).toMatchObject({ targetSandbox: { name: 'dev-a' }, sourceSandBox: { name: 'prod' } })
    expect(names(await api('GET', '/packages/jobs?orderby=-createdDate&start=0&limit=1'))).toEqual(['job-2'])
    expect((await api('GET', '/packages/jobs?property=jobStatus==SUCCESS')).body.totalElements).toBe(0)
    for (const [query, name] of [['requestType=IMPORT', 'requestType'], ['orderBy=desc:created', 'orderBy'], ['jobStatus=SUCCESS', 'jobStatus']]) {
      const res = await api('GET', `/packages/jobs?${query}`)
      expect(res.status, query).toBe(400)
      expect(res.body.title).toContain(`Query parameter \`${name}\` is not supported`)
    }
  })
})
