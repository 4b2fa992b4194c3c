// The run a command-line invocation belongs to, for default sandbox names and titles and the
// lease record: a GitHub Actions run when the runner's variables are there, else GitLab CI's
// or Jenkins's own variables, else the user and the host. `source` says which, so the log can
// tell where a default name came from.
import { hostname, userInfo } from 'node:os'
import { runInfoFromContext, type RunInfo } from '../core/run-info'
import { slug } from '../core/naming'

export interface CliRun {
  info: RunInfo
  /** where the names come from, for the log */
  source: string
}

const positive = (value: string | undefined): number | undefined => {
  const n = Number.parseInt(value ?? '', 10)
  return Number.isFinite(n) && n > 0 && String(n) === (value ?? '').trim() ? n : undefined
}

function user(env: NodeJS.ProcessEnv): string {
  if (env.USER || env.USERNAME) return (env.USER || env.USERNAME) as string
  try {
    return userInfo().username
  } catch {
    return 'user'
  }
}

export function cliRunInfo(env: NodeJS.ProcessEnv, host: () => string = hostname): CliRun {
  if (env.GITHUB_ACTIONS === 'true' || env.GITHUB_REPOSITORY) {
    const info = runInfoFromContext(env)
    return { info, source: `GitHub Actions (GITHUB_REPOSITORY=${env.GITHUB_REPOSITORY ?? ''}, GITHUB_RUN_ID=${env.GITHUB_RUN_ID ?? ''})` }
  }
  if (env.GITLAB_CI === 'true' || env.CI_PROJECT_PATH) {
    const path = env.CI_PROJECT_PATH ?? ''
    const mr = positive(env.CI_MERGE_REQUEST_IID)
    const info: RunInfo = {
      repository: path,
      repo: env.CI_PROJECT_NAME || path.split('/').pop() || 'gitlab',
      prNumber: mr,
      runId: positive(env.CI_PIPELINE_ID) ?? 0,
      runAttempt: 1,
      serverUrl: env.CI_SERVER_URL || 'https://gitlab.com',
      apiUrl: undefined,
      eventName: env.CI_PIPELINE_SOURCE || undefined,
      workflow: 'GitLab CI',
      job: env.CI_JOB_NAME || undefined,
      url: env.CI_PIPELINE_URL ?? ''
    }
    const named = ['CI_PROJECT_PATH', 'CI_PIPELINE_ID', ...(mr ? ['CI_MERGE_REQUEST_IID'] : []), 'CI_JOB_NAME']
    return { info, source: `GitLab CI (${named.map(n => `${n}=${env[n] ?? ''}`).join(', ')})` }
  }
  if (env.JENKINS_URL || (env.BUILD_NUMBER && env.JOB_NAME)) {
    const job = env.JOB_NAME ?? ''
    const change = positive(env.CHANGE_ID)
    // A multibranch job is "<pipeline>/<branch or PR-n>": the pipeline names the project.
    const project = change ? job.split('/').slice(0, -1).join('/') || job : job
    const info: RunInfo = {
      repository: project,
      repo: slug(project) || 'jenkins',
      prNumber: change,
      runId: positive(env.BUILD_NUMBER) ?? 0,
      runAttempt: 1,
      serverUrl: env.JENKINS_URL || '',
      apiUrl: undefined,
      workflow: 'Jenkins',
      job: job || undefined,
      url: env.BUILD_URL ?? ''
    }
    const named = ['JOB_NAME', 'BUILD_NUMBER', ...(change ? ['CHANGE_ID'] : [])]
    return { info, source: `Jenkins (${named.map(n => `${n}=${env[n] ?? ''}`).join(', ')})` }
  }
  const who = user(env)
  let machine = 'host'
  try {
    machine = host() || machine
  } catch {
    // no host name: the user alone
  }
  const info: RunInfo = {
    repository: `${who}@${machine}`,
    repo: slug(`${who}-${machine.split('.')[0]}`) || 'local',
    // No run number here: the time in seconds tells one invocation from the next.
    runId: Math.floor(Date.now() / 1000),
    runAttempt: 1,
    serverUrl: '',
    apiUrl: undefined,
    workflow: 'command line',
    job: 'local',
    url: ''
  }
  return { info, source: `no CI variables found: the user and host (${who}@${machine})` }
}
