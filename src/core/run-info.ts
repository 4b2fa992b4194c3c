// What the action needs to know about the workflow run, from the variables and the event
// file the runner gives every step. Read here rather than through @actions/github's context,
// so that a step that never calls GitHub does not load Octokit at all.
import { readFileSync } from 'node:fs'

export interface RunInfo {
  /** owner/name */
  repository: string
  /** the repository name alone */
  repo: string
  prNumber?: number
  runId: number
  /** GITHUB_RUN_ATTEMPT: 1 for the first run, 2 for its first re-run, … */
  runAttempt?: number
  serverUrl: string
  /** GITHUB_API_URL: the REST API the runner points at (api.github.com, or a GHES /api/v3) */
  apiUrl?: string
  /** GITHUB_EVENT_NAME */
  eventName?: string
  /** GITHUB_WORKFLOW and GITHUB_JOB: together they tell one job's PR comment from another's */
  workflow?: string
  job?: string
  /** GITHUB_SHA: the commit the run is for (on a pull request, GitHub's merge commit of it) */
  sha?: string
  /** on a pull request: its head commit, the one the pull request page shows */
  headSha?: string
  /** the run's page where it is not a GitHub Actions run (a GitLab pipeline, a Jenkins build) */
  url?: string
}

/** The event that started the run (GITHUB_EVENT_PATH); empty when there is none or it cannot be read. */
export function eventPayload(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  try {
    const payload: unknown = env.GITHUB_EVENT_PATH ? JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) : {}
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

const positive = (value: string | undefined): number | undefined => {
  const n = Number.parseInt(value ?? '', 10)
  return Number.isFinite(n) && n > 0 ? n : undefined
}

/** A full commit id (40 hex digits, or 64 in a SHA-256 repository), else nothing. */
function commitSha(value: string | undefined): string | undefined {
  return value !== undefined && /^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(value) ? value.toLowerCase() : undefined
}

export function runInfoFromContext(env: NodeJS.ProcessEnv = process.env): RunInfo {
  const payload = eventPayload(env)
  // GITHUB_REPOSITORY, else the event's repository; outside the runner neither, and names say "local".
  const fromEvent = payload.repository as { name?: unknown; owner?: { login?: unknown } } | undefined
  const [owner = '', repo = ''] = env.GITHUB_REPOSITORY
    ? env.GITHUB_REPOSITORY.split('/')
    : typeof fromEvent?.owner?.login === 'string' && typeof fromEvent.name === 'string'
      ? [fromEvent.owner.login, fromEvent.name]
      : []
  const pullRequest = payload.pull_request as { number?: unknown; head?: { sha?: unknown } } | undefined
  const pr = pullRequest?.number
  const headSha = pullRequest?.head?.sha
  return {
    repository: owner && repo ? `${owner}/${repo}` : '',
    repo: repo || 'local',
    prNumber: typeof pr === 'number' ? pr : undefined,
    runId: positive(env.GITHUB_RUN_ID) ?? 0,
    runAttempt: positive(env.GITHUB_RUN_ATTEMPT) ?? 1,
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    eventName: env.GITHUB_EVENT_NAME || undefined,
    workflow: env.GITHUB_WORKFLOW || undefined,
    job: env.GITHUB_JOB || undefined,
    sha: commitSha(env.GITHUB_SHA),
    headSha: commitSha(typeof headSha === 'string' ? headSha : undefined)
  }
}

export function runUrl(info: RunInfo): string | undefined {
  if (info.url !== undefined) return info.url || undefined
  if (!info.repository || !info.runId) return undefined
  return `${info.serverUrl}/${info.repository}/actions/runs/${info.runId}`
}
