// Adobe sandbox tooling: import a published package into a sandbox and wait for the import
// job. Adobe's OpenAPI (sandbox.yaml in AdobeDocs/experience-platform-apis, its /exim paths)
// goes first where it and the Experience League sandbox-tooling pages disagree; the docs' form
// is the fallback when the server refuses the spec's:
// - the submit is PUT (submitImport); POST (the packages page) only on a 405 or 404 to PUT;
// - the job read (fetchJob) sends `Content-Type`, which the OpenAPI declares required even on
//   that GET;
// - the job list (listJobs) asks with the declared `requestType`, `orderBy`, `start`, `limit`;
//   the pages' `property=requestType==IMPORT` and `orderby` only when the server refuses that
//   query;
// - the job id is in the submit's answer (the OpenAPI), or found in the job list by the job
//   name we gave it (the packages page's answer stops at `correlationId`).
import { randomBytes } from 'node:crypto'
import { ActionError, ProviderError } from '../../../core/errors'
import type { Deadline } from '../../../core/deadline'
import type { Http } from '../../../core/http'
import type { Logger } from '../../../core/log'
import type { Credentials } from '../api'
import { gatewayHint, platformHeaders, shortLine } from '../gateway'
import { poll, Progress } from '../../../core/poll'

export const TOOLING_API_PATH = '/data/foundation/exim'

export function toolingHint(status: number): string | undefined {
  if (status === 403) {
    return 'Sandbox tooling needs the manage-package permission, plus manage-sandbox or view-sandbox, on a role of the credential; a full-sandbox import needs full permissions on every object in the package'
  }
  if (status === 404) return 'Check adobe-package-id: the package must exist in this organization'
  return gatewayHint(status)
}

/**
 * Whether a package with this status can be imported: `ready` (PUBLISHED), `publishing`
 * (PUBLISH_IN_PROGRESS: wait for it); an error naming adobe-package-id for any other status,
 * and for a package that does not exist (undefined).
 */
export function importable(packageId: string, status: string | undefined): 'ready' | 'publishing' {
  if (status === undefined) {
    throw new ActionError(`Package "${packageId}" (adobe-package-id) was not found by Adobe sandbox tooling (HTTP 404): check the id, and that it belongs to this organization`)
  }
  if (status === 'PUBLISHED') return 'ready'
  if (status === 'PUBLISH_IN_PROGRESS') return 'publishing'
  if (status === 'PUBLISH_FAILED') {
    throw new ActionError(`Package "${packageId}" (adobe-package-id) is PUBLISH_FAILED: its publication failed, so it cannot be imported; publish it again`)
  }
  throw new ActionError(`Package "${packageId}" (adobe-package-id) is ${shortLine(status)}: only a PUBLISHED package can be imported (publish it first)`)
}

const ENDED_BADLY = new Set(['FAILED', 'CANCELLED'])
const JOB_LIST_PAGE = 50
const JOB_LIST_PAGES = 10

export interface ImportResult {
  jobId: string
  status: string
  durationMs: number
}

interface Job {
  id?: string
  name?: string
  status?: string
  target?: string
  raw: Record<string, unknown>
}

type ListQuery = 'spec' | 'docs'
// An error that is about the query string, not about the jobs asked for.
const QUERY_COMPLAINT = /quer|param|requestType|orderBy|property|filter/i

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const asRecord = (v: unknown): Record<string, unknown> | undefined => (isRecord(v) ? v : undefined)
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined)

/** A job from /tools/job (enveloped in `object`) or from the job list (bare). */
function asJob(v: unknown): Job | undefined {
  if (!isRecord(v)) return undefined
  const o = isRecord(v.object) ? v.object : v
  const target = isRecord(o.targetSandbox) ? text(o.targetSandbox.name) : (text(o.targetSandbox) ?? (isRecord(o.destinationSandbox) ? text(o.destinationSandbox.name) : undefined))
  const id = text(o.id)
  return { id: id && shortLine(id), name: text(o.name), status: text(o.jobStatus), target, raw: o }
}

/** The errors Adobe put in a job: failed tasks' artifact messages, and any error fields. */
export function jobErrors(raw: Record<string, unknown>): string[] {
  const out: string[] = []
  for (const key of ['errorMessage', 'error', 'message']) {
    const v = text(raw[key])
    if (v) out.push(v)
  }
  if (Array.isArray(raw.errors)) for (const e of raw.errors) out.push(text(e) ?? (isRecord(e) ? (text(e.message) ?? JSON.stringify(e)) : String(e)))
  if (Array.isArray(raw.completedTasks)) {
    for (const t of raw.completedTasks) {
      if (!isRecord(t) || !isRecord(t.artifact)) continue
      const a = t.artifact
      const messages = Array.isArray(a.messages) ? a.messages.filter(isRecord) : []
      for (const m of messages) {
        if (['CREATED', 'NO_CHANGE', 'SUCCESS', 'UPDATED'].includes(String(m.status))) continue
        out.push(`${text(a.type) ?? 'artifact'} ${text(a.id) ?? ''}: ${text(m.message) ?? String(m.status)}`.trim())
      }
      if (messages.length === 0 && ENDED_BADLY.has(String(t.taskStatus))) out.push(`${text(a.type) ?? 'artifact'} ${text(a.id) ?? ''}: task ${String(t.taskStatus)}`)
    }
  }
  return [...new Set(out.map(shortLine))].slice(0, 8)
}

export class ToolingApi {
  private readonly base: string
  /** the submit method that worked; PUT (the OpenAPI's) until a server refuses it */
  private submitMethod: 'PUT' | 'POST' = 'PUT'
  /** the job-list query form that worked; the OpenAPI's until a server refuses it */
  private listQuery: ListQuery = 'spec'

  constructor(
    private readonly http: Http,
    platformUrl: string,
    private readonly creds: Credentials,
    /** the sandbox every /exim call names in x-sandbox-name (the OpenAPI requires one): the import's target */
    private readonly sandbox: string,
    private readonly log: Logger
  ) {
    this.base = `${platformUrl}${TOOLING_API_PATH}`
  }

  private headers(): Record<string, string> {
    return platformHeaders(this.creds, this.sandbox)
  }

  /** The package's status (PUBLISHED, DRAFT…); undefined on 404. An answer without one is an error: it never permits an import. */
  async packageStatus(id: string): Promise<string | undefined> {
    const action = `look up package "${id}" (adobe-package-id)`
    const res = await this.http.request({ method: 'GET', url: `${this.base}/packages/${encodeURIComponent(id)}`, action, headers: this.headers(), accept: [404] })
    if (res.status === 404) return undefined
    const status = isRecord(res.body) ? text(res.body.status) : undefined
    if (status === undefined) {
      throw new ActionError(`Adobe Sandbox Tooling API: ${action}: the answer could not be read (no package status), so it is not imported on the strength of it`)
    }
    return status
  }

  /**
   * Submits the import; returns the job id when the answer carries one, and whether an earlier
   * attempt whose answer was lost may have started a job too.
   */
  async submit(packageId: string, jobName: string): Promise<{ jobId?: string; repeated: boolean }> {
    const json = { id: packageId, name: jobName, destinationSandbox: { name: this.sandbox, imsOrgId: this.creds.orgId } }
    const send = (method: 'POST' | 'PUT') =>
      this.http.request({ method, url: `${this.base}/packages/import`, action: `submit the import of package "${packageId}" (${method})`, headers: this.headers(), json })
    let res
    try {
      res = await send(this.submitMethod)
    } catch (err) {
      // A 405 or 404 says the method is not the server's: the packages page's POST then.
      if (this.submitMethod !== 'PUT' || !(err instanceof ProviderError) || (err.status !== 405 && err.status !== 404)) throw err
      this.log.info(`Adobe Sandbox Tooling API: the import submit was refused with PUT (HTTP ${err.status}); sending it with POST, as the sandbox-tooling packages page shows it`)
      res = await send('POST')
      this.submitMethod = 'POST'
    }
    const b = isRecord(res.body) ? res.body : {}
    const id = text(b.jobId) ?? (isRecord(b.job) ? text(b.job.id) : undefined)
    return { jobId: id && shortLine(id), repeated: res.afterUnknownOutcome }
  }

  /** One job by id from /tools/job; undefined on 404. */
  async job(id: string): Promise<Job | undefined> {
    const res = await this.http.request({
      method: 'GET',
      url: `${this.base}/tools/job/${encodeURIComponent(id)}`,
      action: `read import job "${id}"`,
      headers: this.headers(),
      // fetchJob in sandbox.yaml declares Content-Type required, even on this GET
      jsonContentType: true,
      accept: [404]
    })
    return res.status === 404 ? undefined : asJob(res.body)
  }

  /** The newest import job matching `pick`, paging through the job list (bounded). */
  async findJob(pick: (j: Job) => boolean): Promise<Job | undefined> {
    return (await this.findJobs(pick, true))[0]
  }

  private jobListUrl(form: ListQuery, start: number): string {
    const query: Record<string, string> =
      form === 'spec'
        ? // listJobs' declared parameters; orderBy as sandbox.yaml's example writes it ("asc:created,updated")
          { requestType: 'IMPORT', orderBy: 'desc:created', start: String(start), limit: String(JOB_LIST_PAGE) }
        : { property: 'requestType==IMPORT', orderby: '-createdDate', start: String(start), limit: String(JOB_LIST_PAGE) }
    return `${this.base}/packages/jobs?${new URLSearchParams(query).toString()}`
  }

  /** One page of the job list, in the query form that works; the docs' form once the server refuses the OpenAPI's. */
  private async jobListPage(start: number): Promise<Record<string, unknown> | undefined> {
    const ask = (form: ListQuery) => this.http.request<unknown>({ method: 'GET', url: this.jobListUrl(form, start), action: 'list import jobs', headers: this.headers() })
    try {
      return asRecord((await ask(this.listQuery)).body)
    } catch (err) {
      const refused = err instanceof ProviderError && (err.status === 400 || err.status === 422) && QUERY_COMPLAINT.test(err.details.providerMessage ?? '')
      if (this.listQuery !== 'spec' || !refused) throw err
      this.log.info(`Adobe Sandbox Tooling API: the job list refused the OpenAPI's query (HTTP ${err.status}: ${err.details.providerMessage ?? ''}); asking with property=requestType==IMPORT and orderby, as the sandbox-tooling pages show it`)
      const body = asRecord((await ask('docs')).body)
      this.listQuery = 'docs'
      return body
    }
  }

  /** Import jobs matching `pick`, newest first, paging through the job list (bounded). */
  async findJobs(pick: (j: Job) => boolean, firstOnly = false): Promise<Job[]> {
    const found: Job[] = []
    for (let page = 0; page < JOB_LIST_PAGES; page++) {
      const body = await this.jobListPage(page * JOB_LIST_PAGE)
      const data = Array.isArray(body?.data) ? body.data : []
      for (const j of data.map(asJob)) if (j !== undefined && pick(j)) found.push(j)
      if ((firstOnly && found.length > 0) || body?.hasNextPage !== true || data.length === 0) break
    }
    return found
  }
}

/**
 * Reads the package until it is PUBLISHED, within the step's deadline: one being published
 * (PUBLISH_IN_PROGRESS) is waited for with a progress line on the first read and every 10 s;
 * any other status is an error naming adobe-package-id.
 */
async function untilPublished(api: ToolingApi, deadline: Deadline, log: Logger, packageId: string): Promise<void> {
  const started = deadline.clock.now()
  const progress = new Progress(log)
  await poll({
    deadline,
    pausing: `waiting for package "${packageId}" to be published`,
    awaited: () => `waiting for package "${packageId}" (adobe-package-id) to be published (last status: PUBLISH_IN_PROGRESS)`,
    look: async () => {
      if (importable(packageId, await api.packageStatus(packageId)) === 'ready') return true
      const now = deadline.clock.now()
      progress.report(now, 'PUBLISH_IN_PROGRESS', () => `Package "${packageId}" is PUBLISH_IN_PROGRESS: waiting until it is PUBLISHED to import it (${Math.round((now - started) / 1000)} s elapsed)`)
      return undefined
    }
  })
}

function jobName(sandbox: string): string {
  return `${sandbox.slice(0, 200)}-import-${randomBytes(4).toString('hex')}`
}

/**
 * Imports the package into the sandbox and waits for its job within the step's deadline,
 * writing a progress line on every change and every 10 s. A job that ends FAILED or CANCELLED
 * is an error naming the job id, its status and the errors Adobe gave.
 */
export async function importPackage(api: ToolingApi, deadline: Deadline, log: Logger, sandbox: string, packageId: string): Promise<ImportResult> {
  await untilPublished(api, deadline, log, packageId)
  const name = jobName(sandbox)
  const started = deadline.clock.now()
  const submitted = await api.submit(packageId, name)
  let jobId = submitted.jobId
  log.info(`Importing package "${packageId}" into sandbox "${sandbox}"${jobId ? ` (job ${jobId})` : ` (job "${name}")`}`)
  if (submitted.repeated) {
    // No documented way to cancel an import job: say so, and follow the one that answered.
    const twins = await api.findJobs(j => j.name === name)
    if (twins.length > 1) {
      log.warning(`The import was submitted again after an answer was lost, and Adobe started ${twins.length} import jobs (${twins.map(j => j.id).join(', ')}): the sandbox may hold the package's objects twice`)
    }
  }

  let useList = false
  let last = ''
  const progress = new Progress(log)
  return poll({
    deadline,
    pauseFirst: true,
    pausing: `waiting for the import of package "${packageId}"`,
    awaited: () => `waiting for import job ${jobId ?? `"${name}"`} of package "${packageId}" (last status: ${last || 'unknown'})`,
    look: async () => {
      let job: Job | undefined
      if (!jobId) {
        // The answer had no job id: the job list knows it by the name we gave the job.
        job = await api.findJob(j => j.name === name && (j.target === undefined || j.target === sandbox))
        jobId = job?.id
      } else if (!useList) {
        job = await api.job(jobId)
        if (!job) useList = true
      }
      if (jobId && useList && !job) job = await api.findJob(j => j.id === jobId)
      const now = deadline.clock.now()
      const state = shortLine(job?.status ?? (job ? 'unreadable status' : 'not listed yet'))
      last = state
      progress.report(now, state, () => `Import job ${jobId ?? `"${name}"`}: ${state} (${Math.round((now - started) / 1000)} s elapsed)`)
      if (!job?.status) return undefined
      if (job.status === 'SUCCESS') return { jobId: jobId ?? name, status: job.status, durationMs: now - started }
      if (ENDED_BADLY.has(job.status)) {
        let errors = jobErrors(job.raw)
        // A job found in the list carries no tasks: its full record says what went wrong.
        if (errors.length === 0 && jobId) {
          const full = await api.job(jobId).catch(() => undefined)
          if (full) errors = jobErrors(full.raw)
        }
        throw new ActionError(
          `Import of package "${packageId}" into sandbox "${sandbox}" ended ${job.status} (job ${jobId}${errors.length ? `): ${errors.join('; ')}` : '; Adobe gave no error details)'}`
        )
      }
      // PENDING, IN_PROGRESS, or a status this code does not know: wait on, within the deadline.
      return undefined
    }
  })
}
