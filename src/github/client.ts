// The GitHub REST API, through @actions/github's Octokit, with every request sent by the
// project's HTTP layer (one deadline, cancel, retries that honour GitHub's 403/429 rate-limit
// answers, one error shape). Requests go one at a time, as GitHub asks of integrations; the
// client remembers what `x-ratelimit-remaining` and `x-ratelimit-reset` said and waits for the
// reset rather than spend a request it knows will be refused. Lookups are cached: one request
// per pull request or run, however many sandboxes name it.
import type { getOctokit } from '@actions/github'
import { ActionError, CancelledError, DeadlineError, InputError, ProviderError } from '../core/errors'
import type { Deadline } from '../core/deadline'
import { parseBaseUrl } from '../core/inputs'
import type { Http, RawResponse } from '../core/http'
import type { Logger } from '../core/log'
import type { Inputs } from '../core/inputs'
import type { StepContext } from '../core/provider'

export const GITHUB = 'GitHub'

type Octokit = ReturnType<typeof getOctokit>

export interface PullState {
  number: number
  state: 'open' | 'closed'
  merged: boolean
  /** owner/name of the head repository */
  headRepository?: string
}

export interface RunState {
  id: number
  /** queued, in_progress, completed, waiting, … */
  status: string
  conclusion: string | null
  /** the latest attempt */
  attempt: number
}

/** REST "Create a deployment": what the action sends (docs.github.com/rest/deployments/deployments). */
export interface DeploymentRequest {
  ref: string
  environment: string
  description: string
  payload: Record<string, string>
  auto_merge: false
  required_contexts: []
  transient_environment: boolean
  production_environment: boolean
}

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive' | 'queued' | 'pending'

/** REST "Create a deployment status" (docs.github.com/rest/deployments/statuses). */
export interface DeploymentStatusRequest {
  state: DeploymentState
  description?: string
  environment_url?: string
  log_url?: string
  auto_inactive?: boolean
}

export interface CommentRecord {
  id: number
  body: string
}

/** What to check when GitHub says no; the status is GitHub's. */
export function githubHint(status: number, _code: string | undefined, message: string | undefined): string | undefined {
  if (status === 401) return 'Check `github-token`: GitHub does not accept it (expired, revoked or mistyped)'
  if (status === 403 && /rate limit/i.test(message ?? '')) return 'GitHub\'s rate limit for this token is used up; run less often or use a token with its own limit'
  if (status === 403) {
    return 'The token lacks a permission: give the job `permissions:` with `pull-requests: write` (PR comments), `pull-requests: read` and `actions: read` (prune-closed), `deployments: write` (deployment). On a pull request from a fork the token is read-only'
  }
  if (status === 404) return 'GitHub cannot find it, or `github-token` cannot see that repository'
  return undefined
}

function flatHeaders(headers: RawResponse['headers']): Headers {
  const out = new Headers()
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v)
  return out
}

/** The API base URL the runner gives: https, or http only to a loopback host (the emulator). */
export function githubApiUrl(value: string | undefined): string {
  try {
    return parseBaseUrl('GITHUB_API_URL', value || 'https://api.github.com')
  } catch (err) {
    throw new ActionError(`GITHUB_API_URL is not usable: ${err instanceof InputError ? err.message.replace(/^Input `GITHUB_API_URL`: /, '') : String(err)}`)
  }
}

const isRecord = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v)

/** An answer GitHub (or something in its place) gave that says nothing usable: it decides nothing. */
function unreadable(what: string, why: string): ActionError {
  return new ActionError(`${GITHUB}: the answer for ${what} could not be read (${why}); a proxy between the runner and GitHub may have answered in its place`)
}

export class GitHubClient {
  /** requests sent (the rate-limit probe included) */
  requests = 0
  private octokitLoad?: Promise<Octokit>
  private doing = 'call the GitHub API'
  private queue: Promise<unknown> = Promise.resolve()
  private remaining?: number
  /** x-ratelimit-reset, epoch ms on GitHub's clock */
  private resetAtMs?: number
  /** GitHub's clock minus ours, from the Date header of its last answer (self-hosted runners drift) */
  private skewMs = 0
  private readonly pulls = new Map<string, Promise<PullState>>()
  private readonly runs = new Map<string, Promise<RunState>>()

  private readonly baseUrl: string

  constructor(
    private readonly http: Http,
    private readonly token: string,
    apiUrl: string,
    private readonly deadline: Deadline,
    private readonly log: Logger
  ) {
    this.baseUrl = githubApiUrl(apiUrl)
  }

  /** Octokit, loaded on the first call: most steps never talk to GitHub, and it is slow to load. */
  private octokit(): Promise<Octokit> {
    this.octokitLoad ??= import(/* webpackMode: "eager" */ '@actions/github').then(m => m.getOctokit(this.token, { baseUrl: this.baseUrl, request: { fetch: this.fetch } }))
    return this.octokitLoad
  }

  /** Octokit's fetch: one request through the HTTP layer, after the rate-limit gate. */
  private readonly fetch = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Response> => {
    await this.gate()
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(init.headers ?? {})) {
      const name = k.toLowerCase()
      if (name === 'content-type' || name === 'content-length') continue
      headers[name === 'accept' ? 'Accept' : name] = String(v)
    }
    const method = (init.method ?? 'GET').toUpperCase() as 'GET' | 'POST' | 'PATCH'
    this.requests += 1
    const res = await this.http.request<unknown>({
      method,
      url,
      action: this.doing,
      headers,
      json: typeof init.body === 'string' && init.body !== '' ? JSON.parse(init.body) : undefined
    })
    this.observe(res.headers)
    const text = res.body === undefined ? null : typeof res.body === 'string' ? res.body : JSON.stringify(res.body)
    return new Response(res.status === 204 || res.status === 205 ? null : text, { status: res.status, headers: flatHeaders(res.headers) })
  }

  private observe(headers: RawResponse['headers']): void {
    const one = (name: string): string | undefined => {
      const v = headers[name]
      return Array.isArray(v) ? v[0] : v
    }
    const remaining = one('x-ratelimit-remaining')
    const reset = one('x-ratelimit-reset')
    if (remaining !== undefined && /^\d+$/.test(remaining)) this.remaining = Number(remaining)
    if (reset !== undefined && /^\d+$/.test(reset)) this.resetAtMs = Number(reset) * 1000
    // An HTTP date is whole seconds: GitHub's clock is read up to a second early, so the wait
    // below errs on the long side.
    const date = Date.parse(one('date') ?? '')
    if (!Number.isNaN(date)) this.skewMs = date - this.deadline.clock.now()
  }

  /** Waits for the reset when the last answer said no request is left; never past the deadline. */
  private async gate(): Promise<void> {
    if (this.remaining !== 0 || this.resetAtMs === undefined) return
    // The reset is a time on GitHub's clock: judged against it, not the runner's.
    const wait = this.resetAtMs - (this.deadline.clock.now() + this.skewMs)
    if (wait <= 0) return
    if (wait >= this.deadline.remainingMs()) {
      throw new ActionError(
        `${GITHUB}: the rate limit of github-token is used up until ${new Date(this.resetAtMs).toISOString()} (x-ratelimit-reset), later than \`timeout\` allows; not asking again before then`
      )
    }
    this.log.info(`${GITHUB}: rate limit used up (x-ratelimit-remaining: 0); waiting ${Math.ceil(wait / 1000)} s for its reset`)
    await this.deadline.sleep(wait, 'waiting for GitHub\'s rate limit to reset')
    this.remaining = undefined
  }

  /** Runs one API call at a time, under a name for messages; unwraps Octokit's error wrapper. */
  private call<T>(doing: string, f: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.doing = doing
      try {
        return await f()
      } catch (err) {
        const cause = (err as { cause?: unknown }).cause
        if (cause instanceof ProviderError || cause instanceof CancelledError || cause instanceof DeadlineError || cause instanceof ActionError) throw cause
        throw err
      }
    }
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => undefined)
    return next
  }

  /** One cheap request (it does not count against the limit) that proves the token works. */
  async checkToken(): Promise<void> {
    await this.call('check github-token', async () => (await this.octokit()).request('GET /rate_limit'))
  }

  pull(repository: string, number: number): Promise<PullState> {
    const key = `${repository.toLowerCase()}#${number}`
    let hit = this.pulls.get(key)
    if (!hit) {
      const [owner, repo] = repository.split('/')
      hit = this.call(`look up pull request ${repository}#${number}`, async () => {
        const { data } = await (await this.octokit()).rest.pulls.get({ owner, repo, pull_number: number })
        // Fail closed: an answer without a state (a proxy's page, a cut-off body) decides nothing.
        if (!isRecord(data) || (data.state !== 'open' && data.state !== 'closed')) throw unreadable(`pull request ${repository}#${number}`, 'no state open or closed')
        const state: PullState = { number, state: data.state, merged: Boolean(data.merged || data.merged_at) }
        if (data.head?.repo?.full_name) state.headRepository = data.head.repo.full_name
        return state
      })
      this.pulls.set(key, hit)
    }
    return hit
  }

  run(repository: string, id: number): Promise<RunState> {
    const key = `${repository.toLowerCase()}:${id}`
    let hit = this.runs.get(key)
    if (!hit) {
      const [owner, repo] = repository.split('/')
      hit = this.call(`look up workflow run ${id} of ${repository}`, async () => {
        const { data } = await (await this.octokit()).rest.actions.getWorkflowRun({ owner, repo, run_id: id })
        if (!isRecord(data) || typeof data.status !== 'string' || data.status === '') throw unreadable(`workflow run ${id} of ${repository}`, 'no status')
        const attempt = Number(data.run_attempt ?? 1)
        return { id, status: data.status, conclusion: data.conclusion ?? null, attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1 }
      })
      this.runs.set(key, hit)
    }
    return hit
  }

  /** Every comment on an issue or pull request, oldest first (all pages). */
  comments(repository: string, issue: number): Promise<CommentRecord[]> {
    const [owner, repo] = repository.split('/')
    return this.call(`list the comments of pull request ${repository}#${issue}`, async () => {
      const octokit = await this.octokit()
      const all = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issue, per_page: 100 })
      return all.map(c => ({ id: c.id, body: c.body ?? '' }))
    })
  }

  /** A deployment; GitHub's 202 (a merge instead of a deployment) is an error that says so. */
  createDeployment(repository: string, body: DeploymentRequest): Promise<{ id: number }> {
    const [owner, repo] = repository.split('/')
    return this.call(`create a deployment in ${repository}`, async () => {
      const res = await (await this.octokit()).request('POST /repos/{owner}/{repo}/deployments', { owner, repo, ...body })
      const data: unknown = res.data
      if (res.status === 202) {
        const message = isRecord(data) && typeof (data as { message?: unknown }).message === 'string' ? (data as { message: string }).message : 'no message'
        throw new ActionError(`${GITHUB}: no deployment was created (202: ${message})`)
      }
      const id = isRecord(data) ? (data as { id?: unknown }).id : undefined
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) throw unreadable(`the new deployment in ${repository}`, 'no id')
      return { id }
    })
  }

  createDeploymentStatus(repository: string, id: number, body: DeploymentStatusRequest): Promise<void> {
    const [owner, repo] = repository.split('/')
    return this.call(`set deployment ${id} in ${repository} to ${body.state}`, async () => {
      await (await this.octokit()).request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { owner, repo, deployment_id: id, ...body })
    })
  }

  createComment(repository: string, issue: number, body: string): Promise<CommentRecord> {
    const [owner, repo] = repository.split('/')
    return this.call(`comment on pull request ${repository}#${issue}`, async () => {
      const { data } = await (await this.octokit()).rest.issues.createComment({ owner, repo, issue_number: issue, body })
      return { id: data.id, body: data.body ?? '' }
    })
  }

  updateComment(repository: string, id: number, body: string): Promise<CommentRecord> {
    const [owner, repo] = repository.split('/')
    return this.call(`update comment ${id} on ${repository}`, async () => {
      const { data } = await (await this.octokit()).rest.issues.updateComment({ owner, repo, comment_id: id, body })
      return { id: data.id, body: data.body ?? '' }
    })
  }
}

// One client per step, so the token check, the lookups and their cache share what GitHub's
// rate-limit headers said.
const clients = new WeakMap<object, GitHubClient>()

export function githubClientFor(ctx: StepContext<Inputs>, budget?: Deadline): GitHubClient {
  // A call on a budget of its own gets a client of its own: its requests and waits end with that budget.
  if (budget) return new GitHubClient(ctx.http(GITHUB, githubHint, budget), ctx.inputs.githubToken, ctx.run.apiUrl ?? '', budget, ctx.log)
  let client = clients.get(ctx)
  if (!client) {
    client = new GitHubClient(ctx.http(GITHUB, githubHint), ctx.inputs.githubToken, ctx.run.apiUrl ?? '', ctx.deadline, ctx.log)
    clients.set(ctx, client)
  }
  return client
}
