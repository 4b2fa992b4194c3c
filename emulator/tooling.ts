// Adobe sandbox tooling (exim) API: package lookup, the import submit, and import jobs that
// move PENDING → IN_PROGRESS → SUCCESS (or FAILED, CANCELLED) over a configurable time. Like
// the sandboxes, jobs are not driven by timers: every read resolves them against the clock.
// Two modes (modes.ts) where the sources disagree:
// - `spec` (the default), as sandbox.yaml's `/exim` paths declare them and a validating mock
//   checks them: the submit is PUT (POST is 405) and needs `Content-Type`; the job read
//   (fetchJob) needs `Content-Type` and `Accept` even on GET (400 naming the header); the job
//   list (listJobs) honours its declared query parameters (`requestType`, `jobStatus`,
//   `jobType`, `orderBy` as `asc:`/`desc:` field, `start`, `limit`), answers 422 on a value its
//   enums or types refuse, ignores undeclared ones, and names sandboxes as strings; the
//   submit's answer carries `jobId`.
// - `docs`, as the Experience League sandbox-tooling pages show them: the submit is POST (PUT
//   is 405), its answer stops at `correlationId`, and the job list filters with
//   `property=field==value` and sorts with `orderby=[-]field`; the OpenAPI's own parameter
//   names there are refused with a 400 that names the query parameter.
import { randomUUID } from 'node:crypto'
import { isObject, json, parseJson, type Ctx, type Reply } from './common'
import { invalidRequest, type PlatformMode, type ValidationItem } from './modes'

export const TOOLING_BASE = '/data/foundation/exim'

export interface PackageArtifact {
  id: string
  type: string
  title?: string
}

export interface ToolingPackage {
  id: string
  version: number
  name: string
  description: string
  imsOrgId: string
  packageType: 'PARTIAL' | 'FULL'
  expiry: number
  publishDate?: number
  status: 'DRAFT' | 'PUBLISHED' | 'PUBLISH_IN_PROGRESS' | 'PUBLISH_FAILED'
  artifactsList: PackageArtifact[]
  sourceSandbox: { name: string; imsOrgId: string }
}

export type PackageSeed = Partial<ToolingPackage> & { id: string }

export type JobStatus = 'PENDING' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILED' | 'CANCELLED'

export interface ImportJobView {
  id: string
  name: string
  packageId: string
  targetSandbox: string
  jobStatus: JobStatus
}

export interface ToolingTimings {
  /** how long a job stays PENDING */
  pendingMs: number
  /** then how long IN_PROGRESS */
  runMs: number
}

export interface ToolingOptions extends Partial<ToolingTimings> {
  /** which source the API follows: Adobe's OpenAPI (default) or the docs */
  mode?: PlatformMode
  /** the submit's answer carries `jobId` (the OpenAPI) or stops at `correlationId` (the doc); by default as the mode says */
  jobIdInAnswer?: boolean
}

interface Job {
  id: string
  name: string
  description: string
  pkg: ToolingPackage
  target: string
  orgId: string
  createdBy: string
  createdAt: number
  /** the end state it reaches once its time is up */
  ends: 'SUCCESS' | 'FAILED' | 'CANCELLED'
  cancelledAt?: number
  /** set by `finish`: the job ends then, whatever its timings */
  finishAt?: number
  applied: boolean
}

export interface ToolingDeps {
  authenticate(ctx: Ctx): { user: string } | Reply
  /** the sandbox's state, undefined when it does not exist */
  sandboxState(name: string): string | undefined
  /** a job reached SUCCESS: its artifacts now exist in the target sandbox */
  imported(sandbox: string, artifacts: PackageArtifact[]): void
  now(): number
}

// The references document no error bodies for this API: the Platform problem shape, with
// codes of the emulator's own.
const problem = (status: number, code: number, title: string): Reply =>
  json(status, { type: `http://ns.adobe.com/aep/errors/EXIM-${code}-${status}`, status, title })

export function createTooling(options: ToolingOptions, deps: ToolingDeps) {
  const packages = new Map<string, ToolingPackage>()
  const jobs: Job[] = []
  const denied = new Set<string>()
  const failNext = new Map<string, 'FAILED' | 'CANCELLED'>()
  let timings: ToolingTimings = { pendingMs: 300, runMs: 1000 }
  let mode: PlatformMode = options.mode ?? 'spec'
  let jobIdInAnswer: boolean | undefined = options.jobIdInAnswer

  function reset(): void {
    packages.clear()
    jobs.length = 0
    denied.clear()
    failNext.clear()
    timings = { pendingMs: options.pendingMs ?? 300, runMs: options.runMs ?? 1000 }
    mode = options.mode ?? 'spec'
    jobIdInAnswer = options.jobIdInAnswer
  }
  reset()

  function status(job: Job): JobStatus {
    const t = deps.now()
    if (job.cancelledAt !== undefined && job.cancelledAt <= t) return 'CANCELLED'
    const finished = job.finishAt !== undefined && job.finishAt <= t
    if (!finished && t < job.createdAt + timings.pendingMs) return 'PENDING'
    if (!finished && t < job.createdAt + timings.pendingMs + timings.runMs) return 'IN_PROGRESS'
    if (job.ends === 'SUCCESS' && !job.applied) {
      job.applied = true
      deps.imported(job.target, job.pkg.artifactsList)
    }
    return job.ends
  }

  const sandboxRef = (name: string, orgId: string) => ({ name, imsOrgId: orgId })

  function tasks(job: Job, s: JobStatus): unknown[] {
    if (s === 'PENDING') return []
    return job.pkg.artifactsList.map(a => {
      const failed = s === 'FAILED'
      return {
        taskType: 'IMPORT',
        taskStatus: s === 'IN_PROGRESS' ? 'IN_PROGRESS' : failed ? 'FAILED' : s === 'CANCELLED' ? 'CANCELLED' : 'SUCCESS',
        artifact: {
          id: a.id,
          type: a.type,
          messages: failed
            ? [{ status: 'FAILED', message: `Could not create ${a.type} "${a.title ?? a.id}": the caller lacks full permissions on it in the target sandbox.` }]
            : s === 'SUCCESS'
              ? [{ status: 'CREATED', message: 'created' }]
              : []
        }
      }
    })
  }

  function full(job: Job) {
    const s = status(job)
    return {
      id: job.id,
      name: job.name,
      description: job.description,
      requestType: 'IMPORT',
      snapshotId: job.pkg.id,
      jobStatus: s,
      jobType: 'NEW',
      sourceSandbox: job.pkg.sourceSandbox,
      destinationSandbox: sandboxRef(job.target, job.orgId),
      completedTasks: tasks(job, s),
      importReplacementMap: s === 'SUCCESS' ? Object.fromEntries(job.pkg.artifactsList.map(a => [a.id, `${a.id}-${job.target}`])) : {}
    }
  }

  function listed(job: Job) {
    return {
      id: job.id,
      name: job.name,
      created: job.createdAt,
      updated: deps.now(),
      requestType: 'IMPORT',
      jobType: 'NEW',
      packageType: job.pkg.packageType,
      description: job.description,
      jobStatus: status(job),
      visibility: 'TENANT',
      // mixed case as in both sources; sandbox.yaml types both as a name, the docs' example leaves them open
      sourceSandBox: mode === 'spec' ? job.pkg.sourceSandbox.name : job.pkg.sourceSandbox,
      targetSandbox: mode === 'spec' ? job.target : sandboxRef(job.target, job.orgId),
      createdBy: job.createdBy
    }
  }

  type Listed = ReturnType<typeof listed>
  const field = (job: Listed, name: string): string => {
    const v = (job as Record<string, unknown>)[name]
    return isObject(v) && typeof v.name === 'string' ? v.name : String(v)
  }

  /** The docs' `property=field==a,b` filter (the emulator sees one `property`, the last one sent). */
  function matches(job: Listed, property: string | undefined): boolean {
    if (!property) return true
    const m = /^(\w+)==(.*)$/.exec(property)
    if (!m) return true
    return m[2].split(',').includes(field(job, m[1]))
  }

  // listJobs in sandbox.yaml: its query parameters, and the values their enums allow.
  const SPEC_ENUMS: Record<string, string[]> = {
    requestType: ['EXPORT', 'IMPORT', 'COPY'],
    jobStatus: ['PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILED', 'CANCELLED'],
    jobType: ['NEW', 'RESUME', 'ROLLBACK'],
    status: ['DRAFT', 'PUBLISHED', 'PUBLISH_IN_PROGRESS', 'PUBLISH_FAILED']
  }
  const SPEC_ONLY = ['requestType', 'jobStatus', 'jobType', 'orderBy']

  /** The jobs a spec-mode list selects, newest first for `desc:`, or the 422 a validating server answers. */
  function specSelection(q: Record<string, string>, all: Listed[]): Listed[] | Reply {
    const items: ValidationItem[] = []
    for (const [name, allowed] of Object.entries(SPEC_ENUMS)) {
      if (q[name] !== undefined && !allowed.includes(q[name])) {
        items.push({ location: ['query', name], code: 'enum', message: `must be equal to one of the allowed values: ${allowed.join(', ')}` })
      }
    }
    for (const name of ['start', 'limit']) {
      if (q[name] !== undefined && !/^\d+$/.test(q[name])) items.push({ location: ['query', name], code: 'type', message: 'must be integer' })
    }
    if (items.length) return invalidRequest(422, 'EXIM', items)
    // (`status`, a package status, says nothing about a job here: every imported package was PUBLISHED)
    let out = all.filter(j => ['requestType', 'jobStatus', 'jobType'].every(k => q[k] === undefined || field(j, k) === q[k]))
    // orderBy "asc:created,updated" / "desc:…" (sandbox.yaml's example); the first field decides
    const order = /^(asc|desc):(\w+)/.exec(q.orderBy ?? '')
    if (order) {
      const key = order[2]
      out = [...out].sort((a, b) => (Number(field(a, key)) || 0) - (Number(field(b, key)) || 0) || a.created - b.created)
      if (order[1] === 'desc') out.reverse()
    }
    return out
  }

  /** The jobs a docs-mode list selects, or the 400 for the OpenAPI's own parameter names. */
  function docsSelection(q: Record<string, string>, all: Listed[]): Listed[] | Reply {
    const foreign = SPEC_ONLY.find(name => q[name] !== undefined)
    if (foreign) {
      const instead = foreign === 'orderBy' ? 'sort with orderby=[-]field' : `filter with property=${foreign}==VALUE`
      return problem(400, 1406, `Query parameter \`${foreign}\` is not supported: ${instead}.`)
    }
    const out = all.filter(j => matches(j, q.property))
    return (q.orderby ?? '').startsWith('-') ? out.reverse() : out
  }

  function listJobs(ctx: Ctx): Reply {
    const q = ctx.query
    const all = jobs.map(listed)
    const selected = mode === 'spec' ? specSelection(q, all) : docsSelection(q, all)
    if (!Array.isArray(selected)) return selected
    const limit = Math.min(100, Math.max(1, Number(q.limit ?? 20) || 20))
    const start = Math.max(0, Number(q.start ?? 0) || 0)
    const data = selected.slice(start, start + limit)
    return json(200, {
      totalElements: selected.length,
      currentPage: Math.floor(start / limit),
      totalPages: Math.max(1, Math.ceil(selected.length / limit)),
      hasPreviousPage: start > 0,
      hasNextPage: start + limit < selected.length,
      data
    })
  }

  /** In spec mode, the headers an operation declares required that the request lacks: a 400 naming them. */
  function missingHeaders(ctx: Ctx, names: string[]): Reply | undefined {
    if (mode !== 'spec') return undefined
    const missing = names.filter(n => !ctx.headers[n]?.trim())
    if (!missing.length) return undefined
    return invalidRequest(
      400,
      'EXIM',
      missing.map(n => ({ location: ['header'], code: 'required', message: `must have required property '${n}'` }))
    )
  }

  function submit(ctx: Ctx, user: string): Reply {
    // sandbox.yaml declares PUT (submitImport); the packages doc shows POST
    if (ctx.method !== (mode === 'spec' ? 'PUT' : 'POST')) {
      return json(405, { error_code: '405000', message: `Method ${ctx.method} not allowed on /packages/import` })
    }
    const noHeader = missingHeaders(ctx, ['content-type'])
    if (noHeader) return noHeader
    const parsed = parseJson(ctx.body)
    if (!parsed.ok || !isObject(parsed.value)) return problem(400, 1400, 'Request body must be a JSON object.')
    const b = parsed.value
    const dest = isObject(b.destinationSandbox) ? b.destinationSandbox : undefined
    if (typeof b.id !== 'string' || !dest || typeof dest.name !== 'string') {
      return problem(400, 1401, 'id and destinationSandbox.name are required.')
    }
    const pkg = packages.get(b.id)
    if (!pkg) return problem(404, 1404, `Package \`${b.id}\` not found.`)
    if (pkg.status !== 'PUBLISHED') return problem(400, 1402, `Only PUBLISHED packages can be imported; package \`${pkg.id}\` is ${pkg.status}.`)
    if (deps.sandboxState(dest.name) !== 'active') return problem(400, 1403, `Target sandbox \`${dest.name}\` is not active.`)
    const job: Job = {
      id: randomUUID(),
      name: typeof b.name === 'string' && b.name ? b.name : pkg.name,
      description: typeof b.description === 'string' ? b.description : pkg.description,
      pkg,
      target: dest.name,
      orgId: typeof dest.imsOrgId === 'string' ? dest.imsOrgId : pkg.imsOrgId,
      createdBy: user,
      createdAt: deps.now(),
      ends: failNext.get(dest.name) ?? 'SUCCESS',
      applied: false
    }
    failNext.delete(dest.name)
    if (job.ends === 'CANCELLED') job.cancelledAt = job.createdAt + timings.pendingMs
    jobs.push(job)
    const answer: Record<string, unknown> = {
      name: job.name,
      description: job.description,
      visibility: 'TENANT',
      sourceSandbox: pkg.sourceSandbox,
      destinationSandbox: sandboxRef(job.target, job.orgId),
      type: pkg.packageType,
      correlationId: randomUUID()
    }
    if (jobIdInAnswer ?? mode === 'spec') answer.jobId = job.id
    return json(202, answer)
  }

  function routeKey(method: string, path: string): string | undefined {
    const sub = path.slice(TOOLING_BASE.length).replace(/\/$/, '')
    if (sub === '/packages/import') return `${method} /packages/import`
    if (sub === '/packages/jobs') return `${method} /packages/jobs`
    if (/^\/packages\/[^/]+$/.test(sub)) return `${method} /packages/{id}`
    if (/^\/tools\/job\/[^/]+$/.test(sub)) return `${method} /tools/job/{id}`
    return undefined
  }

  function handle(ctx: Ctx): Reply {
    const who = deps.authenticate(ctx)
    if (!('user' in who)) return who
    // The OpenAPI marks x-sandbox-name required on every /exim path.
    if (!ctx.headers['x-sandbox-name']) return json(400, { error_code: '400003', message: 'Missing header x-sandbox-name' })
    if (denied.has(who.user)) {
      return problem(403, 1300, 'The caller lacks the manage-package permission (and manage-sandbox or view-sandbox) for sandbox tooling.')
    }
    const sub = ctx.path.slice(TOOLING_BASE.length).replace(/\/$/, '')
    if (sub === '/packages/import' && (ctx.method === 'POST' || ctx.method === 'PUT')) return submit(ctx, who.user)
    if (ctx.method === 'GET' && sub === '/packages/jobs') return listJobs(ctx)
    const pkg = /^\/packages\/([^/]+)$/.exec(sub)
    if (ctx.method === 'GET' && pkg) {
      const p = packages.get(decodeURIComponent(pkg[1]))
      return p ? json(200, p) : problem(404, 1404, `Package \`${decodeURIComponent(pkg[1])}\` not found.`)
    }
    const job = /^\/tools\/job\/([^/]+)$/.exec(sub)
    if (ctx.method === 'GET' && job) {
      // fetchJob declares Content-Type and Accept required, even on this GET
      const noHeader = missingHeaders(ctx, ['content-type', 'accept'])
      if (noHeader) return noHeader
      const found = jobs.find(j => j.id === decodeURIComponent(job[1]))
      if (!found) return problem(404, 1405, `Job with ID: ${decodeURIComponent(job[1])} not found`)
      return json(200, { status: 'OK', type: 'SUCCESS', message: `Job with ID: ${found.id} found`, object: full(found) })
    }
    return json(404, { error_code: '404000', message: 'Resource not found' })
  }

  // --- test helpers --------------------------------------------------------------------

  function seed(s: PackageSeed): ToolingPackage {
    const t = deps.now()
    const pkg: ToolingPackage = {
      version: 1,
      name: s.id,
      description: '',
      imsOrgId: '',
      packageType: 'PARTIAL',
      expiry: t + 90 * 86_400_000,
      status: 'PUBLISHED',
      artifactsList: [],
      sourceSandbox: { name: 'prod', imsOrgId: s.imsOrgId ?? '' },
      ...s,
      publishDate: s.publishDate ?? ((s.status ?? 'PUBLISHED') === 'PUBLISHED' ? t : undefined)
    }
    packages.set(pkg.id, pkg)
    return pkg
  }

  return {
    routeKey,
    handle,
    reset,
    seed,
    jobs: (): ImportJobView[] =>
      jobs.map(j => ({ id: j.id, name: j.name, packageId: j.pkg.id, targetSandbox: j.target, jobStatus: status(j) })),
    /** resolves every job against the clock (so finished imports take effect) */
    settle: (): void => void jobs.forEach(status),
    setTimings(t: Partial<ToolingTimings>): void {
      timings = { ...timings, ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) }
    },
    /** every job not ended yet ends now, in the state it was going to end in (a job seeded slow, finished once the step has seen it running) */
    finish: (): void => {
      const t = deps.now()
      for (const j of jobs) {
        if (j.cancelledAt !== undefined) j.cancelledAt = Math.min(j.cancelledAt, t)
        else j.finishAt = Math.min(j.finishAt ?? t, t)
      }
    },
    /** the next import into this sandbox ends FAILED (or CANCELLED) */
    failNext: (sandbox: string, end: 'FAILED' | 'CANCELLED' = 'FAILED'): void => void failNext.set(sandbox, end),
    deny: (clientId: string): void => void denied.add(`${clientId}@techacct.adobe.com`),
    /** which source the API follows, until the next reset */
    setMode: (m: PlatformMode): void => {
      mode = m
    },
    mode: (): PlatformMode => mode,
    /** the package's status from now on: publish a PUBLISH_IN_PROGRESS package later, or fail it */
    publish(id: string, status: ToolingPackage['status'] = 'PUBLISHED'): ToolingPackage {
      const pkg = packages.get(id)
      if (!pkg) throw new Error(`no package ${id}`)
      pkg.status = status
      if (status === 'PUBLISHED') pkg.publishDate = deps.now()
      return pkg
    },
    setJobIdInAnswer: (on: boolean): void => {
      jobIdInAnswer = on
    }
  }
}

export type ToolingEmulator = ReturnType<typeof createTooling>
