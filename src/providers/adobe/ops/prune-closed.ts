// Which sandboxes prune takes, and why. Without prune-closed: those older than
// prune-older-than. With it, GitHub decides for each sandbox whose default title it can read
// (src/core/naming.ts) and that belongs to this repository:
//   - a sandbox meant to live for its run (the post step deletes it) goes once that run has
//     finished: its post step has run, or never will (a runner that died);
//   - a sandbox kept for its pull request goes once the PR is closed or merged, and stays
//     while it is open, whatever its age;
//   - anything else (a title it cannot read, another repository's, one kept after a run
//     without a PR) is judged by age, as without prune-closed.
// A lookup GitHub does not answer keeps the sandbox (fail closed) and is reported.
import { ActionError, errorMessage, ProviderError } from '../../../core/errors'
import type { AdobeInputs } from '../../../core/inputs'
import { parseSandboxTitle, type TitleFacts } from '../../../core/naming'
import type { StepContext, SummaryRow } from '../../../core/provider'
import type { Sandbox } from '../api'
import { githubClientFor, GitHubClient } from '../../../github/client'

export interface PrunePick {
  name: string
  /** "closed PR #12", "run 345 finished", "older than 24h" */
  reason: string
}

export interface PruneSelection {
  picked: PrunePick[]
  /** lookups GitHub did not answer: their sandboxes were kept */
  problems: string[]
  summary: SummaryRow[]
  /** GitHub requests made, the token check included */
  githubRequests: number
}

/**
 * Whether a sandbox may be pruned, given the age it must pass (ms); `-Infinity` asks whether
 * prune may touch it at all (development, not default, the prefix, not already going).
 */
export type StaleTest = (s: Sandbox, olderThanMs: number) => boolean

/** 86400 → "24h", 5400 → "90m", 604800 → "7d". */
export function formatAge(seconds: number): string {
  if (seconds % 86_400 === 0 && seconds >= 2 * 86_400) return `${seconds / 86_400}d`
  if (seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds % 60 === 0) return `${seconds / 60}m`
  return `${seconds}s`
}

/**
 * Before any Adobe request: prune-closed needs a token GitHub accepts and a repository to
 * ask about. A token GitHub refuses is an error naming `github-token`.
 */
export async function checkPruneClosed(ctx: StepContext<AdobeInputs>, client = githubClientFor(ctx)): Promise<GitHubClient> {
  if (!ctx.run.repository) throw new ActionError('prune-closed needs GITHUB_REPOSITORY, which the runner sets: it judges the sandboxes of that repository')
  try {
    await client.checkToken()
  } catch (err) {
    if (err instanceof ProviderError && err.status === 401) {
      throw new ProviderError({ ...err.details, action: 'check `github-token` for prune-closed', hint: 'Input `github-token` is not usable: GitHub answered 401. Pass a valid token (the default ${{ github.token }} works) or turn prune-closed off' })
    }
    if (!(err instanceof ProviderError)) throw err
    // Anything else (GitHub Enterprise Server without rate limiting answers 404 here, an
    // outage): the lookups will tell, and what they cannot decide is kept.
    ctx.log.info(`Could not check github-token (${errorMessage(err)}): going on`)
  }
  return client
}

type Verdict = { go: string } | { keep: string } | { byAge: string } | { unknown: string }

export async function pickForPrune(ctx: StepContext<AdobeInputs>, all: Sandbox[], stale: StaleTest, client?: GitHubClient): Promise<PruneSelection> {
  const { pruneOlderThanSeconds, pruneClosed } = ctx.inputs
  const olderThan = `older than ${formatAge(pruneOlderThanSeconds)}`
  const aged = (s: Sandbox): boolean => stale(s, pruneOlderThanSeconds * 1000)
  const mayTouch = all.filter(s => stale(s, Number.NEGATIVE_INFINITY))
  if (!pruneClosed) {
    return { picked: mayTouch.filter(aged).map(s => ({ name: s.name, reason: olderThan })), problems: [], summary: [], githubRequests: 0 }
  }

  const github = client ?? githubClientFor(ctx)
  const here = ctx.run.repository.toLowerCase()
  const judged = new Map<string, TitleFacts>()
  for (const s of mayTouch) {
    const facts = parseSandboxTitle(s.title)
    if (facts && facts.repository.toLowerCase() === here && facts.lifetime !== 'kept') judged.set(s.name, facts)
  }
  const prs = new Set([...judged.values()].filter(f => f.lifetime === 'pr').map(f => f.prNumber))
  const runs = new Set([...judged.values()].filter(f => f.lifetime === 'run').map(f => f.runId))
  ctx.log.info(
    `prune-closed: ${judged.size} of ${mayTouch.length} sandboxes with the prefix name a pull request or run of ${ctx.run.repository}: looking up ${prs.size} pull request(s) and ${runs.size} run(s)`
  )

  // After GitHub refuses the token or a permission, the same question is not asked again.
  const refused = new Map<'pull' | 'run', string>()
  const problems = new Set<string>()
  const ask = async <T>(kind: 'pull' | 'run', f: () => Promise<T>): Promise<T | { failed: string }> => {
    const known = refused.get(kind)
    if (known) return { failed: known }
    try {
      return await f()
    } catch (err) {
      ctx.deadline.check('looking up pull requests and runs on GitHub')
      const message = errorMessage(err)
      if (err instanceof ProviderError && (err.status === 401 || err.status === 403)) refused.set(kind, message)
      problems.add(message)
      return { failed: message }
    }
  }

  const verdict = async (s: Sandbox): Promise<Verdict> => {
    const facts = judged.get(s.name)
    if (!facts) {
      const read = parseSandboxTitle(s.title)
      return { byAge: !read ? 'title not readable' : read.lifetime === 'kept' ? 'kept after its run' : `title names ${read.repository}` }
    }
    if (facts.lifetime === 'pr') {
      const pr = await ask('pull', () => github.pull(facts.repository, facts.prNumber as number))
      if ('failed' in pr) return { unknown: `PR #${facts.prNumber}: ${pr.failed}` }
      if (pr.state === 'closed') return { go: `${pr.merged ? 'merged' : 'closed'} PR #${pr.number}` }
      return { keep: `PR #${pr.number} is open` }
    }
    const run = await ask('run', () => github.run(facts.repository, facts.runId))
    const label = facts.runAttempt > 1 ? `run ${facts.runId} attempt ${facts.runAttempt}` : `run ${facts.runId}`
    if ('failed' in run) return { unknown: `${label}: ${run.failed}` }
    // A re-run starts only after the run has completed, so an older attempt has finished.
    if (run.status === 'completed' || run.attempt > facts.runAttempt) return { go: `${label} finished` }
    return { keep: `${label} is ${run.status.replace(/_/g, ' ')}` }
  }

  const picked: PrunePick[] = []
  let kept = 0
  let unknown = 0
  // One at a time: GitHub asks integrations not to send requests in parallel, and the cache
  // makes every later sandbox of the same PR or run free.
  for (const s of mayTouch) {
    const v = await verdict(s)
    if ('go' in v) picked.push({ name: s.name, reason: v.go })
    else if ('byAge' in v) {
      if (aged(s)) picked.push({ name: s.name, reason: `${olderThan} (${v.byAge})` })
    } else if ('keep' in v) {
      kept += 1
      ctx.log.debug(`Keeping sandbox "${s.name}": ${v.keep}`)
    } else {
      unknown += 1
      ctx.log.info(`Keeping sandbox "${s.name}": GitHub did not say whether it may go (${v.unknown})`)
    }
  }
  return {
    picked,
    problems: [...problems],
    githubRequests: github.requests,
    summary: [
      ['Closed PRs and finished runs', `${prs.size} pull request(s) and ${runs.size} run(s) looked up with ${github.requests} GitHub request(s)`],
      ['Kept (PR open or run in progress)', String(kept)],
      ...(unknown ? ([['Kept (GitHub did not answer)', String(unknown)]] as SummaryRow[]) : [])
    ]
  }
}
