// Pull requests from forks get no Actions secrets, and runs started by Dependabot get only
// Dependabot secrets: the step then sees empty credentials. Say why, and what to do, instead
// of a bare "credentials are missing".
import { CREDENTIAL_ENV } from '../core/limits'
import { eventPayload } from '../core/run-info'
import type { InputSource } from '../core/inputs'

export const PWN_REQUESTS_GUIDE = 'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/'

/** The run gets no secrets by GitHub's rules, and the step needs them. */
export class SecretsWithheldError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SecretsWithheldError'
  }
}

/** What triggered the run, from the runner's environment. */
export interface Trigger {
  event: string
  actors: string[]
  payload: Record<string, unknown>
}

export function triggerFromEnv(env: NodeJS.ProcessEnv): Trigger {
  return {
    event: env.GITHUB_EVENT_NAME ?? '',
    actors: [env.GITHUB_ACTOR ?? '', env.GITHUB_TRIGGERING_ACTOR ?? ''].filter(Boolean),
    // no readable payload: then it is no pull request we can judge
    payload: eventPayload(env)
  }
}

/** Whether the chosen provider's credentials are absent from both the inputs and the environment. */
export function credentialsMissing(get: InputSource, env: NodeJS.ProcessEnv): boolean {
  const has = (input: string, envName: string): boolean => get(input) !== '' || (env[envName] ?? '').trim() !== ''
  switch (get('provider')) {
    case 'trackstar':
      return !has('trackstar-api-key', CREDENTIAL_ENV['trackstar-api-key'])
    case 'adobe':
      return !has('adobe-client-secret', CREDENTIAL_ENV['adobe-client-secret']) && !has('adobe-access-token', CREDENTIAL_ENV['adobe-access-token'])
    default:
      return false
  }
}

/**
 * The chosen provider's credential inputs that are empty, each with the environment variable
 * that could stand in for it: what a run without secrets is missing, named.
 */
export function emptyCredentials(get: InputSource, env: NodeJS.ProcessEnv): string[] {
  const empty = (input: string, envName: string): boolean => get(input) === '' && (env[envName] ?? '').trim() === ''
  const named = (pairs: [string, string][]): string[] => pairs.filter(([input, envName]) => empty(input, envName)).map(([input, envName]) => `\`${input}\` (or ${envName})`)
  switch (get('provider')) {
    case 'trackstar':
      return named([['trackstar-api-key', CREDENTIAL_ENV['trackstar-api-key']]])
    case 'adobe':
      return named([
        ['adobe-client-id', CREDENTIAL_ENV['adobe-client-id']],
        ['adobe-client-secret', CREDENTIAL_ENV['adobe-client-secret']],
        ['adobe-access-token', CREDENTIAL_ENV['adobe-access-token']]
      ])
    default:
      return []
  }
}

// Events whose runs for a fork's pull request are given no secrets (pull_request_target is).
const FORK_WITHHELD_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment'])
const DEPENDABOT = 'dependabot[bot]'

function repoName(side: unknown): string | undefined {
  const repo = (side as { repo?: { full_name?: unknown } | null } | undefined)?.repo
  return typeof repo?.full_name === 'string' ? repo.full_name : undefined
}

/** Why GitHub gives this run no secrets, in words; undefined when it does give them. */
export function withheldReason(t: Trigger): string | undefined {
  if (t.actors.includes(DEPENDABOT)) {
    return (
      `this run was started by Dependabot (${DEPENDABOT}), and GitHub gives such runs Dependabot secrets only, not Actions secrets. ` +
      'Add the credentials as Dependabot secrets with the same names (Settings → Secrets and variables → Dependabot), ' +
      `or skip the step for Dependabot (if: github.actor != '${DEPENDABOT}')`
    )
  }
  const pr = t.payload.pull_request as { head?: unknown; base?: unknown } | undefined
  if (!FORK_WITHHELD_EVENTS.has(t.event) || !pr) return undefined
  const head = repoName(pr.head)
  const base = repoName(pr.base)
  // A deleted fork leaves no head repository: still a fork.
  if (head !== undefined && head === base) return undefined
  return (
    `this run is for a pull request from a fork (${head ?? 'a deleted repository'} into ${base ?? 'this repository'}), and GitHub gives such runs no secrets. ` +
    'Skip the step for forks (if: github.event.pull_request.head.repo.full_name == github.repository), ' +
    'or run the sandbox job from a trusted trigger after review (a maintainer\'s label, workflow_run, or a push to a branch of this repository)'
  )
}

/** Throws the one clear error when credentials are missing because GitHub withheld them. */
export function assertSecretsNotWithheld(get: InputSource, env: NodeJS.ProcessEnv, trigger: Trigger = triggerFromEnv(env)): void {
  if (!credentialsMissing(get, env)) return
  const why = withheldReason(trigger)
  if (!why) return
  const names = emptyCredentials(get, env)
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]
  throw new SecretsWithheldError(
    `The ${get('provider')} credentials are empty: ${list} ${names.length > 1 ? 'are' : 'is'} not set, because ${why}. ` +
      'Do not switch to pull_request_target to get the secrets while building the pull request\'s code: that runs untrusted code with your secrets ' +
      `(see ${PWN_REQUESTS_GUIDE})`
  )
}
