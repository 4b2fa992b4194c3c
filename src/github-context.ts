// What the action needs to know about the workflow run, from @actions/github's context.
import { context } from '@actions/github'

export interface RunInfo {
  /** owner/name */
  repository: string
  /** the repository name alone */
  repo: string
  prNumber?: number
  runId: number
  serverUrl: string
  /** which attempt of the run (re-runs count up); for lease holders */
  runAttempt?: number
  /** the job's id in the workflow; for lease holders */
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
    serverUrl: context.serverUrl || 'https://github.com',
    runAttempt: context.runAttempt || undefined,
    job: context.job || undefined
  }
}

export function runUrl(info: RunInfo): string | undefined {
  if (!info.repository || !info.runId) return undefined
  return `${info.serverUrl}/${info.repository}/actions/runs/${info.runId}`
}
