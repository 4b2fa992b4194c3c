// The default Adobe sandbox name and title: unique per invocation, valid for the Sandbox
// API, and readable enough that a person can tell which PR or run left it behind. The title
// is also machine-readable: prune-closed reads the repository, PR, run and lifetime back.
import { randomInt } from 'node:crypto'
import { MAX_SANDBOX_NAME, MAX_TITLE } from './limits'
import { runUrl, type RunInfo } from './run-info'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

export function randomSuffix(length = 6, pick: (n: number) => number = randomInt): string {
  let out = ''
  for (let i = 0; i < length; i++) out += ALPHABET[pick(ALPHABET.length)]
  return out
}

/** Lower-case, every other character a hyphen, runs of hyphens folded, no hyphen at the ends. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

export function defaultSandboxName(info: RunInfo, suffix: string = randomSuffix()): string {
  const tail = info.prNumber !== undefined ? `-pr-${info.prNumber}-${suffix}` : `-run-${info.runId}-${suffix}`
  const room = MAX_SANDBOX_NAME - 'gh-'.length - tail.length
  const repo = slug(info.repo).slice(0, room).replace(/-+$/, '') || 'repo'
  return `gh-${repo}${tail}`
}

/**
 * How long a sandbox is meant to live, decided when it is created: `run` when the post step
 * deletes it (so once its run has finished it is a leak), `pr` when it is kept for its pull
 * request (cleanup none or reset on a PR event), `kept` when it outlives a run without a PR.
 */
export type Lifetime = 'run' | 'pr' | 'kept'

const LIFETIME_WORDS: Record<Lifetime, string> = {
  run: 'deleted when the run ends',
  pr: 'kept until the PR closes',
  kept: 'kept after the run'
}

/** The lifetime of a sandbox that a create makes with this `cleanup`. */
export function lifetimeFor(cleanup: string, info: RunInfo): Lifetime {
  if (cleanup === 'auto' || cleanup === 'delete') return 'run'
  return info.prNumber !== undefined ? 'pr' : 'kept'
}

/** What a default title says, read back. */
export interface TitleFacts {
  /** owner/name */
  repository: string
  prNumber?: number
  runId: number
  runAttempt: number
  lifetime: Lifetime
}

/**
 * `CI sandbox of <owner>/<repo>[ PR #<n>] (run <id> attempt <a>): <lifetime>.[ <run url>]`
 * The run URL is left out when the title would pass 256 characters.
 */
export function defaultSandboxTitle(info: RunInfo, lifetime: Lifetime = info.prNumber !== undefined ? 'pr' : 'kept'): string {
  const where = info.repository || info.repo
  const pr = info.prNumber !== undefined ? ` PR #${info.prNumber}` : ''
  const title = `CI sandbox of ${where}${pr} (run ${info.runId} attempt ${info.runAttempt ?? 1}): ${LIFETIME_WORDS[lifetime]}.`
  const url = runUrl(info)
  return url && title.length + 1 + url.length <= MAX_TITLE ? `${title} ${url}` : title
}

const TITLE_PATTERN =
  /^CI sandbox of ([A-Za-z0-9-]+\/[A-Za-z0-9_.-]+)(?: PR #([1-9]\d{0,9}))? \(run ([1-9]\d{0,14}) attempt ([1-9]\d{0,3})\): (deleted when the run ends|kept until the PR closes|kept after the run)\.(?: \S+)?$/

/** The facts in a default title; undefined for any other title (a user's own, an older format). */
export function parseSandboxTitle(title: string | undefined): TitleFacts | undefined {
  const m = TITLE_PATTERN.exec(title ?? '')
  if (!m) return undefined
  const lifetime = (Object.keys(LIFETIME_WORDS) as Lifetime[]).find(k => LIFETIME_WORDS[k] === m[5]) as Lifetime
  const facts: TitleFacts = { repository: m[1], runId: Number(m[3]), runAttempt: Number(m[4]), lifetime }
  if (m[2] !== undefined) facts.prNumber = Number(m[2])
  // A lifetime bound to a PR needs a PR to be bound to.
  if (lifetime === 'pr' && facts.prNumber === undefined) return undefined
  return facts
}
