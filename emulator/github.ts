// A small GitHub REST stand-in for the endpoints the action uses: pull requests, workflow
// runs, issue comments and /rate_limit. Mounted under /api/v3 (as on GitHub Enterprise
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
  permissions?: Partial<Record<'pull_requests' | 'actions' | 'issues', Permission>>
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
  let secondary: { left: number; retryAfter: number } = { left: 0, retryAfter: 0 }

  function reset(): void {
    tokens.clear()
    pulls.clear()
    runs.clear()
    comments = []
    nextCommentId = 1
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

  function allowed(t: TokenState, name: 'pull_requests' | 'actions' | 'issues', need: 'read' | 'write'): boolean {
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
    return error(404, 'Not Found')
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
    used: (token: string): number => tokens.get(token)?.used ?? 0,
    /** the reset the token's limit had when it was last used up, epoch seconds */
    exhaustedUntil: (token: string): number | undefined => tokens.get(token)?.exhaustedUntil
  }
}

export type GithubEmulator = ReturnType<typeof createGithub>
