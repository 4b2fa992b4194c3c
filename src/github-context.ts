// What the action needs to know about the workflow run, from @actions/github's context.
import { context } from '@actions/github'

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
}

export function runInfoFromContext(): RunInfo {
  let owner = ''
  let repo = ''
  try {
    ;({ owner, repo } = context.repo)
  } catch {
    // GITHUB_REPOSITORY is unset outside the runner; names then say "local".
  }
  const pr = context.payload?.pull_request?.number
  return {
    repository: owner && repo ? `${owner}/${repo}` : '',
    repo: repo || 'local',
    prNumber: typeof pr === 'number' ? pr : undefined,
    runId: context.runId || 0,
    runAttempt: context.runAttempt || 1,
    serverUrl: context.serverUrl || 'https://github.com',
    apiUrl: context.apiUrl || 'https://api.github.com',
    eventName: context.eventName || undefined,
    workflow: context.workflow || undefined,
    job: context.job || undefined
  }
}

export function runUrl(info: RunInfo): string | undefined {
  if (!info.repository || !info.runId) return undefined
  return `${info.serverUrl}/${info.repository}/actions/runs/${info.runId}`
}
