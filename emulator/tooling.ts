// Adobe sandbox tooling (exim) API, as reference/aep-roles-and-tooling-api.md section B
// describes it: package lookup, the import submit, and import jobs that move PENDING →
// IN_PROGRESS → SUCCESS (or FAILED, CANCELLED) over a configurable time. Where the references
// disagree (POST or PUT for the submit; whether its answer carries `jobId`) both are
// settings. Like the sandboxes, jobs are not driven by timers: every read resolves them
// against the clock.
import { randomUUID } from 'node:crypto'
import { isObject, json, parseJson, type Ctx, type Reply } from './common'

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
  /** which method the submit takes: POST (the packages doc), PUT (the OpenAPI) or both */
  importMethod?: 'POST' | 'PUT' | 'both'
  /** the submit's answer carries `jobId` (the OpenAPI) or stops at `correlationId` (the doc) */
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
  let importMethod = options.importMethod ?? 'both'
  let jobIdInAnswer = options.jobIdInAnswer ?? true

  function reset(): void {
    packages.clear()
    jobs.length = 0
    denied.clear()
    failNext.clear()
    timings = { pendingMs: options.pendingMs ?? 300, runMs: options.runMs ?? 1000 }
    importMethod = options.importMethod ?? 'both'
    jobIdInAnswer = options.jobIdInAnswer ?? true
  }
  reset()

  function status(job: Job): JobStatus {
    const t = deps.now()
    if (job.cancelledAt !== undefined && job.cancelledAt <= t) return 'CANCELLED'
    if (t < job.createdAt + timings.pendingMs) return 'PENDING'
    if (t < job.createdAt + timings.pendingMs + timings.runMs) return 'IN_PROGRESS'
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
      // mixed case as in the docs' example
      sourceSandBox: job.pkg.sourceSandbox,
      targetSandbox: sandboxRef(job.target, job.orgId),
      createdBy: job.createdBy
    }
  }

  /** `property=field==a,b` filters (the emulator sees one `property`, the last one sent). */
  function matches(job: ReturnType<typeof listed>, property: string | undefined): boolean {
    if (!property) return true
    const m = /^(\w+)==(.*)$/.exec(property)
    if (!m) return true
    const v = (job as Record<string, unknown>)[m[1]]
    const text = isObject(v) && typeof v.name === 'string' ? v.name : String(v)
    return m[2].split(',').includes(text)
  }

  function listJobs(ctx: Ctx): Reply {
    const limit = Math.min(100, Math.max(1, Number(ctx.query.limit ?? 20) || 20))
    const start = Math.max(0, Number(ctx.query.start ?? 0) || 0)
    const all = jobs.map(listed).filter(j => matches(j, ctx.query.property))
    if ((ctx.query.orderby ?? ctx.query.orderBy ?? '').startsWith('-')) all.reverse()
    const data = all.slice(start, start + limit)
    const totalPages = Math.max(1, Math.ceil(all.length / limit))
    const currentPage = Math.floor(start / limit)
    return json(200, {
      totalElements: all.length,
      currentPage,
      totalPages,
      hasPreviousPage: start > 0,
      hasNextPage: start + limit < all.length,
      data
    })
  }

  function submit(ctx: Ctx, user: string): Reply {
    if (importMethod !== 'both' && ctx.method !== importMethod) {
      return json(405, { error_code: '405000', message: `Method ${ctx.method} not allowed on /packages/import` })
    }
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
    if (jobIdInAnswer) answer.jobId = job.id
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
    /** the next import into this sandbox ends FAILED (or CANCELLED) */
    failNext: (sandbox: string, end: 'FAILED' | 'CANCELLED' = 'FAILED'): void => void failNext.set(sandbox, end),
    deny: (clientId: string): void => void denied.add(`${clientId}@techacct.adobe.com`),
    setImportMethod: (m: 'POST' | 'PUT' | 'both'): void => {
      importMethod = m
    },
    setJobIdInAnswer: (on: boolean): void => {
      jobIdInAnswer = on
    }
  }
}

export type ToolingEmulator = ReturnType<typeof createTooling>
