// A small GitHub REST stand-in for the endpoints the action uses: pull requests, workflow
// runs, issue comments, deployments and their statuses, and /rate_limit. Mounted under /api/v3 (as on GitHub Enterprise
// Server), so GITHUB_API_URL points at `<emulator>/api/v3`. It follows GitHub's documented
// behaviour: `x-ratelimit-*` headers on every authenticated answer, 401 "Bad credentials",
// 403 "Resource not accessible by integration" for a token without the permission, 404 for a
// repository the token cannot see, a primary limit (403 with x-ratelimit-remaining: 0) and a
// secondary limit (403 with retry-after).
import { isObject, json, parseJson, type Ctx, type Reply } from './common'

export const GITHUB_BASE = '/api/v3'
const DOCS = 'https://docs.github.com/rest'

export type Permission = 'none' | 'read' | 'write'

export interface GithubToken {
  token: string
  /** the login comments are made as */
  login?: string
  /** owner/name of each repository the token may see; empty: every repository */
  repositories?: string[]
  /** GITHUB_TOKEN permission names: pull_requests, actions, issues */
  permissions?: Partial<Record<'pull_requests' | 'actions' | 'issues' | 'deployments', Permission>>
  /** primary limit per hour (default 5000) */
  limit?: number
}

export interface PullSeed {
  repository: string
  number: number
  state?: 'open' | 'closed'
  merged?: boolean
  /** owner/name of the head repository: a fork when it differs */
  head?: string
}

export interface RunSeed {
  repository: string
  id: number
  status?: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending'
  conclusion?: string | null
  attempt?: number
}

export interface IssueComment {
  id: number
  repository: string
  issue: number
  body: string
  user: { login: string; type: 'Bot' | 'User' }
  created_at: string
  updated_at: string
}

/** REST "Deployments": what the stand-in keeps of one. */
export interface Deployment {
  id: number
  repository: string
  sha: string
  ref: string
  environment: string
  description: string | null
  payload: unknown
  transient_environment: boolean
  production_environment: boolean
  creator: { login: string; type: 'Bot' | 'User' }
  created_at: string
  /** the request body as sent, for tests */
  request: Record<string, unknown>
}

export const DEPLOYMENT_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'] as const

export interface DeploymentStatus {
  id: number
  deployment_id: number
  state: (typeof DEPLOYMENT_STATES)[number]
  description: string
  environment_url: string
  log_url: string
  created_at: string
  /** the request body as sent, for tests */
  request: Record<string, unknown>
}

interface TokenState extends Required<Omit<GithubToken, 'permissions'>> {
  permissions: GithubToken['permissions']
  used: number
  /** epoch seconds, wall clock */
  reset: number
  /** set the reset this many seconds after the request that uses the last one up (then cleared) */
  resetAfterUse?: number
  /** the reset the token had when its last request was used up, epoch seconds */
  exhaustedUntil?: number
}

const WINDOW_S = 3600

export function createGithub(now: () => number) {
  const tokens = new Map<string, TokenState>()
  const pulls = new Map<string, Required<PullSeed> & { closedAt?: number }>()
  const runs = new Map<string, Required<RunSeed>>()
  let comments: IssueComment[] = []
  let nextCommentId = 1
  let deployments: Deployment[] = []
  let statuses: DeploymentStatus[] = []
  let nextDeploymentId = 1001
  let nextStatusId = 5001
  /** commits the stand-in's repositories hold; empty: any 40 hex digits is one */
  const commits = new Set<string>()
  let secondary: { left: number; retryAfter: number } = { left: 0, retryAfter: 0 }

  function reset(): void {
    tokens.clear()
    pulls.clear()
    runs.clear()
    comments = []
    nextCommentId = 1
    deployments = []
    statuses = []
    nextDeploymentId = 1001
    nextStatusId = 5001
    commits.clear()
    secondary = { left: 0, retryAfter: 0 }
  }

  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const error = (status: number, message: string, headers?: Record<string, string>): Reply =>
    json(status, { message, documentation_url: DOCS, status: String(status) }, headers)

  // --- control -------------------------------------------------------------------------

  function addToken(t: GithubToken): void {
    tokens.set(t.token, {
      token: t.token,
      login: t.login ?? 'github-actions[bot]',
      repositories: t.repositories ?? [],
      permissions: t.permissions,
      limit: t.limit ?? 5000,
      used: 0,
      reset: Math.ceil(Date.now() / 1000) + WINDOW_S
    })
  }

  /**
   * Leaves the token `remaining` requests, until `resetInSeconds` from now (wall clock); with
   * `from: 'exhausted'`, until `resetInSeconds` after the request that uses the last one up,
   * however long a client takes to get there.
   */
  function setRemaining(token: string, remaining: number, resetInSeconds: number, opts: { from?: 'now' | 'exhausted' } = {}): void {
    const t = tokens.get(token)
    if (!t) throw new Error(`emulator: unknown GitHub token`)
    t.used = Math.max(0, t.limit - remaining)
    if (opts.from === 'exhausted') {
      t.resetAfterUse = resetInSeconds
      t.reset = Math.ceil(Date.now() / 1000) + WINDOW_S
    } else {
      t.resetAfterUse = undefined
      t.reset = Math.ceil(Date.now() / 1000 + resetInSeconds)
    }
  }

  function seedPull(p: PullSeed): void {
    const state = p.merged ? 'closed' : (p.state ?? 'open')
    pulls.set(`${p.repository}#${p.number}`, {
      repository: p.repository,
      number: p.number,
      state,
      merged: p.merged ?? false,
      head: p.head ?? p.repository,
      closedAt: state === 'closed' ? now() : undefined
    })
  }

  function seedRun(r: RunSeed): void {
    runs.set(`${r.repository}:${r.id}`, {
      repository: r.repository,
      id: r.id,
      status: r.status ?? 'in_progress',
      conclusion: r.conclusion ?? (r.status === 'completed' ? 'success' : null),
      attempt: r.attempt ?? 1
    })
  }

  // --- the REST API --------------------------------------------------------------------

  function rateHeaders(t: TokenState): Record<string, string> {
    return {
      'x-ratelimit-limit': String(t.limit),
      'x-ratelimit-remaining': String(Math.max(0, t.limit - t.used)),
      'x-ratelimit-reset': String(t.reset),
      'x-ratelimit-used': String(t.used),
      'x-ratelimit-resource': 'core'
    }
  }

  function authenticate(ctx: Ctx): TokenState | Reply {
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(ctx.headers.authorization ?? '')
    if (!m) return error(401, 'Requires authentication')
    const t = tokens.get(m[1])
    if (!t) return error(401, 'Bad credentials')
    if (Date.now() / 1000 >= t.reset) {
      t.used = 0
      t.reset = Math.ceil(Date.now() / 1000) + WINDOW_S
    }
    return t
  }

  function allowed(t: TokenState, name: 'pull_requests' | 'actions' | 'issues' | 'deployments', need: 'read' | 'write'): boolean {
    const have = t.permissions === undefined ? 'write' : (t.permissions[name] ?? 'none')
    return need === 'read' ? have !== 'none' : have === 'write'
  }

  function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
    return { ...reply, headers: { ...headers, ...reply.headers } }
  }

  function routeKey(method: string, path: string): string | undefined {
    const sub = path.slice(GITHUB_BASE.length)
    if (sub === '/rate_limit') return `${method} /rate_limit`
    if (/^\/repos\/[^/]+\/[^/]+\/pulls\/\d+$/.test(sub)) return `${method} /repos/{owner}/{repo}/pulls/{number}`
    if (/^\/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+$/.test(sub)) return `${method} /repos/{owner}/{repo}/actions/runs/{id}`
    if (/^\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/.test(sub)) return `${method} /repos/{owner}/{repo}/issues/{number}/comments`
    if (/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/\d+$/.test(sub)) return `${method} /repos/{owner}/{repo}/issues/comments/{id}`
    if (/^\/repos\/[^/]+\/[^/]+\/deployments$/.test(sub)) return `${method} /repos/{owner}/{repo}/deployments`
    if (/^\/repos\/[^/]+\/[^/]+\/deployments\/\d+\/statuses$/.test(sub)) return `${method} /repos/{owner}/{repo}/deployments/{id}/statuses`
    return undefined
  }

  function handle(ctx: Ctx): Reply {
    const who = authenticate(ctx)
    if (!('token' in who)) return who
    const sub = ctx.path.slice(GITHUB_BASE.length)
    if (sub === '/rate_limit' && ctx.method === 'GET') {
      // Asking for the rate limit does not count against it.
      const core = { limit: who.limit, remaining: Math.max(0, who.limit - who.used), reset: who.reset, used: who.used, resource: 'core' }
      return json(200, { resources: { core }, rate: core }, rateHeaders(who))
    }
    if (secondary.left > 0) {
      secondary.left -= 1
      return error(403, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', {
        'retry-after': String(secondary.retryAfter),
        ...rateHeaders(who)
      })
    }
    if (who.used >= who.limit) {
      return error(403, `API rate limit exceeded for installation. Wait until ${iso(who.reset * 1000)}.`, rateHeaders(who))
    }
    who.used += 1
    if (who.used >= who.limit && who.resetAfterUse !== undefined) {
      who.reset = Math.ceil(Date.now() / 1000 + who.resetAfterUse)
      who.resetAfterUse = undefined
    }
    if (who.used >= who.limit) who.exhaustedUntil = who.reset
    return withHeaders(route(ctx, who, sub), rateHeaders(who))
  }

  function route(ctx: Ctx, who: TokenState, sub: string): Reply {
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(sub)
    if (!repoMatch) return error(404, 'Not Found')
    const repository = `${repoMatch[1]}/${repoMatch[2]}`
    const rest = repoMatch[3]
    // A GITHUB_TOKEN sees its own repository only: others look like they do not exist.
    if (who.repositories.length > 0 && !who.repositories.some(r => r.toLowerCase() === repository.toLowerCase())) return error(404, 'Not Found')
    const forbidden = (perm: string) =>
      error(403, 'Resource not accessible by integration', { 'x-accepted-github-permissions': perm })

    let m = /^\/pulls\/(\d+)$/.exec(rest)
    if (m && ctx.method === 'GET') {
      if (!allowed(who, 'pull_requests', 'read')) return forbidden('pull_requests=read')
      const p = pulls.get(`${repository}#${Number(m[1])}`)
      if (!p) return error(404, 'Not Found')
      return json(200, {
        number: p.number,
        state: p.state,
        merged: p.merged,
        merged_at: p.merged && p.closedAt !== undefined ? iso(p.closedAt) : null,
        closed_at: p.closedAt !== undefined ? iso(p.closedAt) : null,
        html_url: `https://github.com/${repository}/pull/${p.number}`,
        head: { repo: { full_name: p.head, fork: p.head !== repository } },
        base: { repo: { full_name: repository } }
      })
    }

    m = /^\/actions\/runs\/(\d+)$/.exec(rest)
    if (m && ctx.method === 'GET') {
      if (!allowed(who, 'actions', 'read')) return forbidden('actions=read')
      const r = runs.get(`${repository}:${Number(m[1])}`)
      if (!r) return error(404, 'Not Found')
      return json(200, {
        id: r.id,
        status: r.status,
        conclusion: r.conclusion,
        run_attempt: r.attempt,
        html_url: `https://github.com/${repository}/actions/runs/${r.id}`
      })
    }

    m = /^\/issues\/(\d+)\/comments$/.exec(rest)
    if (m && ctx.method === 'GET') {
      if (!allowed(who, 'pull_requests', 'read') && !allowed(who, 'issues', 'read')) return forbidden('issues=read; pull_requests=read')
      return listComments(ctx, repository, Number(m[1]))
    }
    if (m && ctx.method === 'POST') {
      if (!allowed(who, 'pull_requests', 'write') && !allowed(who, 'issues', 'write')) return forbidden('issues=write; pull_requests=write')
      const body = commentBody(ctx)
      if (typeof body !== 'string') return body
      const t = iso(now())
      const c: IssueComment = { id: nextCommentId++, repository, issue: Number(m[1]), body, user: { login: who.login, type: 'Bot' }, created_at: t, updated_at: t }
      comments.push(c)
      return json(201, view(c))
    }

    m = /^\/issues\/comments\/(\d+)$/.exec(rest)
    if (m && ctx.method === 'PATCH') {
      if (!allowed(who, 'pull_requests', 'write') && !allowed(who, 'issues', 'write')) return forbidden('issues=write; pull_requests=write')
      const c = comments.find(x => x.id === Number(m?.[1]) && x.repository === repository)
      if (!c) return error(404, 'Not Found')
      const body = commentBody(ctx)
      if (typeof body !== 'string') return body
      c.body = body
      c.updated_at = iso(now())
      return json(200, view(c))
    }
    // REST "Delete an issue comment": 204, no body (a person removing the action's comment).
    if (m && ctx.method === 'DELETE') {
      if (!allowed(who, 'pull_requests', 'write') && !allowed(who, 'issues', 'write')) return forbidden('issues=write; pull_requests=write')
      const at = comments.findIndex(x => x.id === Number(m?.[1]) && x.repository === repository)
      if (at < 0) return error(404, 'Not Found')
      comments.splice(at, 1)
      return { status: 204 }
    }
    if (rest === '/deployments' || /^\/deployments\/\d+\/statuses$/.test(rest)) return routeDeployments(ctx, who, repository, rest, forbidden)
    return error(404, 'Not Found')
  }

  // REST "Deployments" and "Deployment statuses" (docs.github.com/rest/deployments). Its
  // defaults are modelled as they bite: `auto_merge` (default true) answers 202 with a merge
  // message and makes no deployment; `required_contexts` (default: every context) answers 409
  // while the run's own checks are pending, which in a job they always are: a 409 unless `[]`.
  function routeDeployments(ctx: Ctx, who: TokenState, repository: string, rest: string, forbidden: (perm: string) => Reply): Reply {
    const write = ctx.method === 'POST'
    if (ctx.method !== 'GET' && ctx.method !== 'POST') return error(404, 'Not Found')
    if (!allowed(who, 'deployments', write ? 'write' : 'read')) return forbidden(`deployments=${write ? 'write' : 'read'}`)
    const t = iso(now())
    if (rest === '/deployments') {
      if (!write) {
        const env = ctx.query.environment
        return json(200, deployments.filter(d => d.repository === repository && (env === undefined || d.environment === env)).reverse().map(deploymentView))
      }
      const parsed = parseJson(ctx.body)
      if (!parsed.ok || !isObject(parsed.value)) return error(400, 'Problems parsing JSON')
      const b = parsed.value
      if (typeof b.ref !== 'string' || b.ref === '') return error(422, 'Invalid request.\n\n"ref" wasn\'t supplied.')
      const sha = /^[0-9a-f]{40}$/i.test(b.ref) ? b.ref.toLowerCase() : undefined
      if (sha === undefined || (commits.size > 0 && !commits.has(sha))) return error(422, `No ref found for: ${b.ref}`)
      for (const k of ['transient_environment', 'production_environment', 'auto_merge'] as const) {
        if (b[k] !== undefined && typeof b[k] !== 'boolean') return error(422, `Invalid request.\n\nFor '${k}', ${JSON.stringify(b[k])} is not a boolean.`)
      }
      if (b.environment !== undefined && (typeof b.environment !== 'string' || b.environment === '')) return error(422, 'Invalid request.\n\nInvalid environment.')
      if (b.description !== undefined && b.description !== null && typeof b.description !== 'string') return error(422, 'Invalid request.\n\nInvalid description.')
      if (b.auto_merge !== false) return json(202, { message: `Auto-merged main into ${b.ref} on deployment.` })
      if (!Array.isArray(b.required_contexts) || b.required_contexts.length > 0) {
        return error(409, 'Conflict: Commit status checks failed for ' + b.ref + '.')
      }
      const d: Deployment = {
        id: nextDeploymentId++,
        repository,
        sha,
        ref: b.ref,
        environment: typeof b.environment === 'string' ? b.environment : 'production',
        description: typeof b.description === 'string' ? b.description : null,
        payload: b.payload ?? {},
        transient_environment: b.transient_environment === true,
        production_environment: typeof b.production_environment === 'boolean' ? b.production_environment : (b.environment ?? 'production') === 'production',
        creator: { login: who.login, type: 'Bot' },
        created_at: t,
        request: b
      }
      deployments.push(d)
      return json(201, deploymentView(d))
    }
    const id = Number(/^\/deployments\/(\d+)\/statuses$/.exec(rest)?.[1])
    const d = deployments.find(x => x.id === id && x.repository === repository)
    if (!d) return error(404, 'Not Found')
    if (!write) return json(200, statuses.filter(x => x.deployment_id === id).reverse().map(statusView))
    const parsed = parseJson(ctx.body)
    if (!parsed.ok || !isObject(parsed.value)) return error(400, 'Problems parsing JSON')
    const b = parsed.value
    if (typeof b.state !== 'string' || !(DEPLOYMENT_STATES as readonly string[]).includes(b.state)) {
      return error(422, `Invalid request.\n\n${JSON.stringify(b.state)} is not a member of ${JSON.stringify(DEPLOYMENT_STATES)}.`)
    }
    for (const k of ['environment_url', 'log_url', 'description'] as const) {
      if (b[k] !== undefined && typeof b[k] !== 'string') return error(422, `Invalid request.\n\nFor '${k}', ${JSON.stringify(b[k])} is not a string.`)
    }
    if (typeof b.description === 'string' && b.description.length > 140) return error(422, 'Validation Failed: description is too long (maximum is 140 characters)')
    if (b.auto_inactive !== undefined && typeof b.auto_inactive !== 'boolean') return error(422, 'Invalid request.\n\nauto_inactive is not a boolean.')
    const st: DeploymentStatus = {
      id: nextStatusId++,
      deployment_id: id,
      state: b.state as DeploymentStatus['state'],
      description: typeof b.description === 'string' ? b.description : '',
      environment_url: typeof b.environment_url === 'string' ? b.environment_url : '',
      log_url: typeof b.log_url === 'string' ? b.log_url : '',
      created_at: t,
      request: b
    }
    statuses.push(st)
    // A success marks earlier non-transient deployments of the environment inactive, unless auto_inactive: false.
    if (st.state === 'success' && b.auto_inactive !== false) {
      for (const other of deployments) {
        if (other.id === id || other.repository !== repository || other.environment !== d.environment || other.transient_environment) continue
        statuses.push({ id: nextStatusId++, deployment_id: other.id, state: 'inactive', description: '', environment_url: '', log_url: '', created_at: t, request: {} })
      }
    }
    return json(201, statusView(st))
  }

  function deploymentView(d: Deployment): Record<string, unknown> {
    const { repository, ...rest } = d
    return { ...rest, request: undefined, task: 'deploy', url: `https://api.github.com/repos/${repository}/deployments/${d.id}`, statuses_url: `https://api.github.com/repos/${repository}/deployments/${d.id}/statuses` }
  }

  function statusView(st: DeploymentStatus): Record<string, unknown> {
    return { ...st, request: undefined, target_url: st.log_url }
  }

  function commentBody(ctx: Ctx): string | Reply {
    const parsed = parseJson(ctx.body)
    if (!parsed.ok || !isObject(parsed.value)) return error(400, 'Problems parsing JSON')
    const body = parsed.value.body
    if (typeof body !== 'string' || body === '') return error(422, 'Validation Failed')
    if (body.length > 65536) return error(422, 'Validation Failed: body is too long (maximum is 65536 characters)')
    return body
  }

  function view(c: IssueComment): Record<string, unknown> {
    return { id: c.id, body: c.body, user: c.user, created_at: c.created_at, updated_at: c.updated_at, html_url: `https://github.com/${c.repository}/pull/${c.issue}#issuecomment-${c.id}` }
  }

  function listComments(ctx: Ctx, repository: string, issue: number): Reply {
    const perPage = Math.min(100, Math.max(1, Number(ctx.query.per_page ?? 30) || 30))
    const page = Math.max(1, Number(ctx.query.page ?? 1) || 1)
    const all = comments.filter(c => c.repository === repository && c.issue === issue)
    const items = all.slice((page - 1) * perPage, page * perPage).map(view)
    const headers: Record<string, string> = {}
    const last = Math.max(1, Math.ceil(all.length / perPage))
    if (page < last) {
      const link = (p: number) => `<${ctx.baseUrl}${ctx.path}?per_page=${perPage}&page=${p}>`
      headers.link = `${link(page + 1)}; rel="next", ${link(last)}; rel="last"`
    }
    return json(200, items, headers)
  }

  /** Control routes under /_emulator/github/ (the emulator CLI and scripts). */
  function control(route: string, input: () => Record<string, unknown>): Reply | undefined {
    switch (route) {
      case 'POST /github/token':
        addToken(input() as unknown as GithubToken)
        return json(201, { ok: true })
      case 'POST /github/pull':
        seedPull(input() as unknown as PullSeed)
        return json(201, { ok: true })
      case 'POST /github/run':
        seedRun(input() as unknown as RunSeed)
        return json(201, { ok: true })
      case 'GET /github/comments':
        return json(200, comments)
      case 'GET /github/deployments':
        return json(200, { deployments, statuses })
      default:
        return undefined
    }
  }

  return {
    routeKey,
    handle,
    reset,
    control,
    addToken,
    setRemaining,
    seedPull,
    seedRun,
    /** the next `count` API requests answer 403 with `retry-after: seconds` */
    secondaryLimit(count: number, seconds: number): void {
      secondary = { left: count, retryAfter: seconds }
    },
    comments: (): IssueComment[] => comments.map(c => ({ ...c })),
    /** every deployment, oldest first, with the request body as sent */
    deployments: (): Deployment[] => deployments.map(d => ({ ...d })),
    /** every deployment status, oldest first */
    deploymentStatuses: (deploymentId?: number): DeploymentStatus[] => statuses.filter(x => deploymentId === undefined || x.deployment_id === deploymentId).map(x => ({ ...x })),
    /** the commits the repositories hold (deployments on other refs answer 422); none: any SHA */
    addCommit: (sha: string): void => void commits.add(sha.toLowerCase()),
    used: (token: string): number => tokens.get(token)?.used ?? 0,
    /** the reset the token's limit had when it was last used up, epoch seconds */
    exhaustedUntil: (token: string): number | undefined => tokens.get(token)?.exhaustedUntil
  }
}

export type GithubEmulator = ReturnType<typeof createGithub>
