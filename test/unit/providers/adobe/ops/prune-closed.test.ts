// prune-closed's choice in process, against the emulator's GitHub stand-in: which sandboxes
// GitHub dooms (closed or merged PRs, finished runs and older attempts), which it keeps (open
// PRs, running runs), which fall back to the age rule (titles it cannot read, another
// repository's, kept after a run), what a refusal does (asked once per kind, the sandbox kept
// and reported), and the token check before any Adobe request.
import { describe, expect, it as plainIt } from 'vitest'
import type { Emulator } from '../../../../../emulator/index'
import { ActionError, ProviderError } from '../../../../../src/core/errors'
import { githubClientFor } from '../../../../../src/github/client'
import { checkPruneClosed, formatAge, pickForPrune } from '../../../../../src/providers/adobe/ops/prune-closed'
import { defaultSandboxTitle, type Lifetime } from '../../../../../src/core/naming'
import type { Sandbox } from '../../../../../src/providers/adobe/api'
import { emulatorPerTest } from '../../../../harness/per-test'
import { inProcessStep } from '../../../../harness/lease'

const { emu, it } = emulatorPerTest()
const REPO = 'acme/shop'
const TOKEN = 'ghs_pruneUnit0123456789abcdef'

function step(e: Emulator, over: Record<string, string> = {}, run: Record<string, unknown> = {}) {
  const s = inProcessStep(e, { operation: 'prune', 'prune-prefix': 'gh-', 'prune-closed': 'true', 'github-token': TOKEN, 'prune-older-than': '24h', ...over }, { runId: 1 })
  Object.assign(s.ctx.run, { repository: REPO, apiUrl: `${e.url}/api/v3`, ...run })
  return s
}
const title = (lifetime: Lifetime, runId: number, prNumber?: number, repository = REPO, runAttempt = 1): string =>
  defaultSandboxTitle({ repository, repo: repository.split('/')[1], runId, runAttempt, prNumber, serverUrl: 'https://github.com' }, lifetime)
const box = (name: string, t: string, old = false): Sandbox => ({ name, title: t, state: 'active', type: 'development', isDefault: false, lastModifiedDate: old ? '2000-01-01 00:00:00' : undefined })
/** the age rule of prune, simplified: named old-… are past the age; -Infinity asks "may it be touched" */
const stale = (s: Sandbox, olderThanMs: number): boolean => s.name.startsWith('gh-') && (olderThanMs === Number.NEGATIVE_INFINITY || s.lastModifiedDate !== undefined)
const token = (permissions: Record<string, string> = { pull_requests: 'read', actions: 'read' }): void =>
  emu.github.addToken({ token: TOKEN, repositories: [REPO], permissions: permissions as never })

describe('formatAge', () => {
  plainIt.each([
    [172_800, '2d'],
    [86_400, '24h'],
    [90_000, '25h'],
    [5400, '90m'],
    [3600, '1h'],
    [60, '1m'],
    [61, '61s']
  ])('%i s → %s', (s, text) => expect(formatAge(s)).toBe(text))
})

describe('what GitHub decides', () => {
  it('closed and merged PRs and finished runs go, open PRs and running runs stay, the rest by age, one lookup per PR or run', async () => {
    token()
    emu.github.seedPull({ repository: REPO, number: 1, state: 'closed' })
    emu.github.seedPull({ repository: REPO, number: 2, merged: true })
    emu.github.seedPull({ repository: REPO, number: 3, state: 'open' })
    emu.github.seedRun({ repository: REPO, id: 10, status: 'completed' })
    emu.github.seedRun({ repository: REPO, id: 11, status: 'in_progress' })
    emu.github.seedRun({ repository: REPO, id: 12, status: 'queued', attempt: 3 })
    const all = [
      box('gh-closed', title('pr', 100, 1)),
      box('gh-closed-too', title('pr', 101, 1)),
      box('gh-merged', title('pr', 102, 2)),
      box('gh-open', title('pr', 103, 3), true),
      box('gh-run-done', title('run', 10, 3)),
      box('gh-run-going', title('run', 11), true),
      box('gh-run-old-attempt', title('run', 12, undefined, REPO, 2)),
      box('gh-kept-old', title('kept', 13), true),
      box('gh-kept-young', title('kept', 14)),
      box('gh-other-repo-old', title('pr', 1, 1, 'else/where'), true),
      box('gh-team-old', 'Team sandbox', true),
      box('gh-team-young', 'Team sandbox'),
      box('not-ours', title('pr', 100, 1))
    ]
    const s = step(emu)
    const picked = await pickForPrune(s.ctx, all, stale)
    expect(picked.picked).toEqual([
      { name: 'gh-closed', reason: 'closed PR #1' },
      { name: 'gh-closed-too', reason: 'closed PR #1' },
      { name: 'gh-merged', reason: 'merged PR #2' },
      { name: 'gh-run-done', reason: 'run 10 finished' },
      { name: 'gh-run-old-attempt', reason: 'run 12 attempt 2 finished' },
      { name: 'gh-kept-old', reason: 'older than 24h (kept after its run)' },
      { name: 'gh-other-repo-old', reason: 'older than 24h (title names else/where)' },
      { name: 'gh-team-old', reason: 'older than 24h (title not readable)' }
    ])
    expect(picked.problems).toEqual([])
    expect(picked.summary).toEqual([
      ['Closed PRs and finished runs', `3 pull request(s) and 3 run(s) looked up with ${picked.githubRequests} GitHub request(s)`],
      ['Kept (PR open or run in progress)', '2']
    ])
    // one request per PR and per run: 3 + 3
    expect(emu.requests.filter(r => r.path.startsWith('/api/v3/repos/')).length).toBe(6)
    expect(picked.githubRequests).toBe(6)
    expect(s.lines[0]).toBe('prune-closed: 7 of 12 sandboxes with the prefix name a pull request or run of acme/shop: looking up 3 pull request(s) and 3 run(s)')
  })

  it('without prune-closed: the age rule alone, no GitHub request', async () => {
    const s = step(emu, { 'prune-closed': 'false' })
    const picked = await pickForPrune(s.ctx, [box('gh-a', 'x', true), box('gh-b', 'x'), box('c', 'x', true)], stale)
    expect(picked).toEqual({ picked: [{ name: 'gh-a', reason: 'older than 24h' }], problems: [], summary: [], githubRequests: 0 })
    expect(emu.requests).toEqual([])
  })

  it('a repository named in another case is the same repository', async () => {
    token()
    emu.github.seedPull({ repository: REPO, number: 1, state: 'closed' })
    const s = step(emu, {}, { repository: 'Acme/Shop' })
    const picked = await pickForPrune(s.ctx, [box('gh-a', title('pr', 1, 1))], stale)
    expect(picked.picked).toEqual([{ name: 'gh-a', reason: 'closed PR #1' }])
  })

  it('a refusal keeps what it would decide, is asked once per kind, and is reported; the other kind still decides', async () => {
    token({ pull_requests: 'read' })
    emu.github.seedPull({ repository: REPO, number: 1, state: 'closed' })
    emu.github.seedRun({ repository: REPO, id: 10, status: 'completed' })
    emu.github.seedRun({ repository: REPO, id: 11, status: 'completed' })
    const s = step(emu)
    const picked = await pickForPrune(s.ctx, [box('gh-pr', title('pr', 5, 1)), box('gh-r1', title('run', 10)), box('gh-r2', title('run', 11), true)], stale)
    expect(picked.picked).toEqual([{ name: 'gh-pr', reason: 'closed PR #1' }])
    expect(picked.problems).toHaveLength(1)
    expect(picked.problems[0]).toMatch(/^GitHub: look up workflow run 10 of acme\/shop failed: HTTP 403/)
    expect(picked.summary).toContainEqual(['Kept (GitHub did not answer)', '2'])
    expect(emu.requests.filter(r => r.path.includes('/actions/runs/'))).toHaveLength(1)
    expect(s.lines).toContain(`Keeping sandbox "gh-r2": GitHub did not say whether it may go (run 11: ${picked.problems[0]})`)
  })

  it('a 404 for a pull request keeps its sandboxes: never a delete on an unknown', async () => {
    token()
    const s = step(emu)
    const picked = await pickForPrune(s.ctx, [box('gh-pr', title('pr', 5, 99), true)], stale)
    expect(picked.picked).toEqual([])
    expect(picked.problems[0]).toMatch(/HTTP 404/)
  })
})

describe('the token check', () => {
  it('a token GitHub accepts passes with one request', async () => {
    token()
    const s = step(emu)
    await checkPruneClosed(s.ctx)
    expect(emu.requests.map(r => r.path)).toEqual(['/api/v3/rate_limit'])
  })

  it('a token GitHub refuses is an error naming github-token', async () => {
    const s = step(emu)
    const err = await checkPruneClosed(s.ctx).catch(e => e)
    expect(err).toBeInstanceOf(ProviderError)
    expect(err.message).toMatch(/^GitHub: check `github-token` for prune-closed failed: HTTP 401.*Input `github-token` is not usable: GitHub answered 401\. Pass a valid token \(the default \$\{\{ github.token \}\} works\) or turn prune-closed off$/)
  })

  it('anything else (a server without rate limiting) goes on, saying so', async () => {
    token()
    emu.faults.add({ method: 'GET', path: '/api/v3/rate_limit', faults: [{ kind: 'status', status: 404, body: { message: 'Rate limiting is not enabled.' } }] })
    const s = step(emu)
    await checkPruneClosed(s.ctx)
    expect(s.lines).toHaveLength(1)
    expect(s.lines[0]).toMatch(/^Could not check github-token \(GitHub: check github-token failed: HTTP 404.*\): going on$/)
  })

  it('outside a repository it names what it needs', async () => {
    const s = step(emu, {}, { repository: '' })
    const err = await checkPruneClosed(s.ctx).catch(e => e)
    expect(err).toBeInstanceOf(ActionError)
    expect(err.message).toBe('prune-closed needs GITHUB_REPOSITORY, which the runner sets: it judges the sandboxes of that repository')
  })

  it('one client per step: the check and the lookups share it', async () => {
    const s = step(emu)
    expect(githubClientFor(s.ctx)).toBe(githubClientFor(s.ctx))
    expect(githubClientFor(step(emu).ctx)).not.toBe(githubClientFor(s.ctx))
  })
})
