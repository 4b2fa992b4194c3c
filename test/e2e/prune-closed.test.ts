// prune-closed end to end: the bundled prune step asks the emulator's GitHub stand-in about
// the pull request or run each default title names, deletes what GitHub says is over, keeps
// open PRs and running runs whatever their age, falls back to the age rule for titles it
// cannot read, makes one request per PR or run, and keeps what GitHub does not answer for.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { parse } from 'yaml'
import { isLive, type GithubToken } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { defaultSandboxTitle, type Lifetime } from '../../src/core/naming'
import { errors, ROOT, runStep } from '../../scripts/local-runner'
import { adobeInputs, githubEnv } from '../../scripts/emulator-inputs'
import { bearerTokens } from '../harness/adobe'
import { expectMaskedEverywhere } from '../harness/secrets'

const REPO = 'acme/Shop_API' // GITHUB_REPOSITORY in scripts/local-runner.ts
const TOKEN = 'ghs_emulatorToken0123456789abcdefXYZ'
const HOUR = 3600
const DAY = 86_400
const { emu, it } = emulatorPerTest({ adobe: { licenseLimit: 100, deleteMs: 100 } })

const title = (lifetime: Lifetime, runId: number, prNumber?: number, repository = REPO, runAttempt = 1): string =>
  defaultSandboxTitle({ repository, repo: repository.split('/')[1], runId, runAttempt, prNumber, serverUrl: 'https://github.com' }, lifetime)

function seed(name: string, sandboxTitle: string, ageSeconds: number, extra: { type?: 'production' } = {}): void {
  emu.adobe.seed({ name, title: sandboxTitle, ageSeconds, type: extra.type ?? 'development', state: 'active' })
}

function token(over: Partial<GithubToken> = {}): void {
  emu.github.addToken({ token: TOKEN, repositories: [REPO], permissions: { pull_requests: 'read', actions: 'read' }, ...over })
}

/** A mix of every case; `expected` is what must go, and why. */
function seedMix(): Record<string, string> {
  emu.github.seedPull({ repository: REPO, number: 11, state: 'closed' })
  emu.github.seedPull({ repository: REPO, number: 12, merged: true })
  emu.github.seedPull({ repository: REPO, number: 13, state: 'open' })
  emu.github.seedPull({ repository: REPO, number: 14, state: 'open' })
  emu.github.seedPull({ repository: 'other/repo', number: 1, state: 'closed' })
  emu.github.seedRun({ repository: REPO, id: 501, status: 'completed' })
  emu.github.seedRun({ repository: REPO, id: 502, status: 'in_progress' })
  emu.github.seedRun({ repository: REPO, id: 503, status: 'in_progress', attempt: 2 })

  seed('gh-shop-closed', title('pr', 400, 11), HOUR)
  seed('gh-shop-merged', title('pr', 401, 12), HOUR)
  seed('gh-shop-open-old', title('pr', 402, 13), 10 * DAY)
  seed('gh-shop-open-young', title('pr', 403, 13), HOUR)
  seed('gh-shop-job-done', title('run', 501, 14), HOUR)
  seed('gh-shop-job-done-2', title('run', 501, 14), HOUR)
  seed('gh-shop-job-running', title('run', 502, 14), 2 * DAY)
  seed('gh-shop-job-rerun', title('run', 503, undefined, REPO, 1), HOUR)
  seed('gh-shop-push-kept-old', title('kept', 504), 2 * DAY)
  seed('gh-shop-push-kept-young', title('kept', 505), HOUR)
  seed('gh-shop-team-old', 'Team sandbox', 3 * DAY)
  seed('gh-shop-team-young', 'Team sandbox', HOUR)
  seed('gh-shop-other-old', title('pr', 1, 1, 'other/repo'), 2 * DAY)
  seed('gh-shop-other-young', title('pr', 1, 1, 'other/repo'), HOUR)
  seed('team-closed', title('pr', 400, 11), 3 * DAY)
  seed('gh-shop-production', title('pr', 400, 11), 3 * DAY, { type: 'production' })
  return {
    'gh-shop-closed': 'closed PR #11',
    'gh-shop-merged': 'merged PR #12',
    'gh-shop-job-done': 'run 501 finished',
    'gh-shop-job-done-2': 'run 501 finished',
    'gh-shop-job-rerun': 'run 503 finished',
    'gh-shop-push-kept-old': 'older than 24h (kept after its run)',
    'gh-shop-team-old': 'older than 24h (title not readable)',
    'gh-shop-other-old': 'older than 24h (title names other/repo)'
  }
}

const inputs = (extra: Record<string, string> = {}): Record<string, string> =>
  adobeInputs(emu, { operation: 'prune', 'prune-prefix': 'gh-shop-', 'prune-closed': 'true', 'github-token': TOKEN, ...extra })

const githubRequests = () => emu.requests.filter(r => r.path.startsWith('/api/v3/'))
const adobeRequests = () => emu.requests.filter(r => !r.path.startsWith('/api/v3/'))
const live = (name: string) => isLive(emu.adobe.get(name))


describe('prune-closed', () => {
  it('deletes closed and merged PRs and finished runs whatever their age, keeps open PRs and running runs, ages the rest', async () => {
    token()
    const expected = seedMix()
    const main = await runStep({ inputs: inputs(), env: githubEnv(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(JSON.parse(main.outputs.pruned)).toEqual(Object.keys(expected).sort())
    for (const [name, reason] of Object.entries(expected)) {
      expect(main.stdout, name).toContain(`Deleted sandbox "${name}": ${reason}`)
      expect(live(name), name).toBe(false)
    }
    for (const name of ['gh-shop-open-old', 'gh-shop-open-young', 'gh-shop-job-running', 'gh-shop-push-kept-young', 'gh-shop-team-young', 'gh-shop-other-young', 'team-closed', 'gh-shop-production']) {
      expect(live(name), name).toBe(true)
    }

    // One request per distinct PR or run (after the token check), one at a time; none for
    // another repository's PR or a title without one.
    const paths = githubRequests().map(r => r.path)
    expect(paths[0]).toBe('/api/v3/rate_limit')
    expect(paths.slice(1).sort()).toEqual(
      [11, 12, 13].map(n => `/api/v3/repos/${REPO}/pulls/${n}`).concat([501, 502, 503].map(id => `/api/v3/repos/${REPO}/actions/runs/${id}`)).sort()
    )
    expect(emu.stats.maxInFlightByRoute['GET /repos/{owner}/{repo}/pulls/{number}']).toBe(1)
    // The token check comes before any Adobe request.
    expect(emu.requests[0].path).toBe('/api/v3/rate_limit')
    for (const r of githubRequests()) expect(r.headers.authorization).toBe(`token ${TOKEN}`)

    expect(main.summary).toContain('3 pull request(s) and 3 run(s) looked up with 7 GitHub request(s)')
    expectMaskedEverywhere(main, [TOKEN, 'emulator-client-secret', ...bearerTokens(emu)])
  })

  it('dry-run lists what would go and why, and deletes nothing', async () => {
    token()
    const expected = seedMix()
    const main = await runStep({ inputs: inputs({ 'dry-run': 'true' }), env: githubEnv(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(JSON.parse(main.outputs.pruned)).toEqual(Object.keys(expected).sort())
    for (const [name, reason] of Object.entries(expected)) expect(main.stdout).toContain(`Would delete sandbox "${name}": ${reason} (dry run)`)
    expect(adobeRequests().filter(r => r.method !== 'GET' && !r.path.startsWith('/ims'))).toEqual([])
    for (const name of Object.keys(expected)) expect(live(name), name).toBe(true)
  })

  it('a token without actions: read keeps every run-bound sandbox, still decides by PR, asks about runs once, and fails naming the permission', async () => {
    token({ permissions: { pull_requests: 'read' } })
    seedMix()
    const main = await runStep({ inputs: inputs(), env: githubEnv(emu) })
    expect(main.exitCode).toBe(1)
    const pruned = JSON.parse(main.outputs.pruned) as string[]
    expect(pruned).toContain('gh-shop-closed')
    expect(pruned).toContain('gh-shop-merged')
    for (const name of ['gh-shop-job-done', 'gh-shop-job-done-2', 'gh-shop-job-rerun']) expect(live(name), name).toBe(true)
    const runLookups = githubRequests().filter(r => r.path.includes('/actions/runs/'))
    expect(runLookups).toHaveLength(1)
    expect(runLookups[0].status).toBe(403)
    const [error] = errors(main)
    expect(error).toContain('prune-closed kept the sandboxes GitHub did not answer for')
    expect(error).toContain('HTTP 403')
    expect(error).toContain('actions: read')
    expectMaskedEverywhere(main, [TOKEN])
  })

  it('a token GitHub refuses stops the step before any Adobe request, naming github-token', async () => {
    seedMix() // no token registered: GitHub answers 401 Bad credentials
    const main = await runStep({ inputs: inputs(), env: githubEnv(emu) })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    expect(error).toContain('Input `github-token` is not usable')
    expect(error).toContain('401')
    expect(adobeRequests()).toEqual([])
    expectMaskedEverywhere(main, [TOKEN])
  })

  it('a GitHub Enterprise Server without rate limiting (404 on /rate_limit) still decides', async () => {
    token()
    const expected = seedMix()
    emu.faults.add({ method: 'GET', path: '/api/v3/rate_limit', faults: [{ kind: 'status', status: 404, body: { message: 'Rate limiting is not enabled.' } }] })
    const main = await runStep({ inputs: inputs(), env: githubEnv(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(JSON.parse(main.outputs.pruned)).toEqual(Object.keys(expected).sort())
    expect(main.stdout).toContain('Could not check github-token')
  })

  it('waits out a secondary rate limit (403 with retry-after) and decides as usual', async () => {
    token()
    const expected = seedMix()
    emu.github.secondaryLimit(2, 1)
    const main = await runStep({ inputs: inputs(), env: githubEnv(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(JSON.parse(main.outputs.pruned)).toEqual(Object.keys(expected).sort())
    expect(githubRequests().filter(r => r.status === 403)).toHaveLength(2)
    expect(main.stdout).toMatch(/GitHub: look up .*: HTTP 403 You have exceeded a secondary rate limit.*retrying in 1\.0 s/)
  })

  it('honours x-ratelimit-remaining: with one request left it waits for the reset instead of being refused', async () => {
    token()
    const expected = seedMix()
    // One request left; the window resets 3 s after it is used, however slowly the step gets there.
    emu.github.setRemaining(TOKEN, 1, 3, { from: 'exhausted' })
    const main = await runStep({ inputs: inputs(), env: githubEnv(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(JSON.parse(main.outputs.pruned)).toEqual(Object.keys(expected).sort())
    // Never refused: no request was spent while the limit was used up.
    const sent = githubRequests()
    expect(sent.filter(r => r.status !== 200)).toEqual([])
    const resetMs = (emu.github.exhaustedUntil(TOKEN) ?? Number.NaN) * 1000
    const counted = sent.filter(r => !r.path.endsWith('/rate_limit'))
    expect(counted.length).toBeGreaterThan(1)
    // Every request after the one that used the limit up came once it had reset (the step
    // waits for it; the unit tests of the client check the line it logs then).
    for (const r of counted.slice(1)) expect(r.time).toBeGreaterThanOrEqual(resetMs)
  })

  it('a rate limit that resets after the timeout keeps what GitHub would decide and fails, while the age rule still applies', async () => {
    token()
    seedMix()
    emu.github.setRemaining(TOKEN, 0, 3600)
    const main = await runStep({ inputs: inputs(), env: githubEnv(emu) })
    expect(main.exitCode).toBe(1)
    const pruned = JSON.parse(main.outputs.pruned) as string[]
    expect(pruned.sort()).toEqual(['gh-shop-other-old', 'gh-shop-push-kept-old', 'gh-shop-team-old'])
    for (const name of ['gh-shop-closed', 'gh-shop-merged', 'gh-shop-job-done', 'gh-shop-open-old']) expect(live(name), name).toBe(true)
    // Refused once per kind of lookup, not once per sandbox.
    expect(githubRequests().filter(r => r.status === 403).length).toBeLessThanOrEqual(2)
    expect(errors(main)[0]).toContain('rate limit')
  })
})

describe('the 30-minute sweep frees a leaked slot within the hour', () => {
  it('a sandbox whose job died is deleted by the next sweep once GitHub says its run finished', async () => {
    // The recipe's schedule: every 30 minutes.
    const recipe = parse(readFileSync(join(ROOT, 'examples/adobe-prune-closed.yml'), 'utf8')) as { on: { schedule: { cron: string }[] } }
    const crons = recipe.on.schedule.map(s => s.cron)
    expect(crons).toContain('*/30 * * * *')
    const sweepMinutes = [0, 30]
    const worstGapMinutes = Math.max(...Array.from({ length: 60 }, (_, m) => Math.min(...sweepMinutes.map(s => (s - m + 60) % 60 || 60))))
    expect(worstGapMinutes).toBe(30)

    // The licence is full: one sandbox of another team, and the one a per-job run leaked
    // (its main step ran; its post step never did: the runner died).
    // Three slots in all: the default sandbox, another team's, and the leaked one.
    emu.adobe.setLicenseLimit(3)
    emu.adobe.seed({ name: 'team-fixed', title: 'Team sandbox', type: 'development' })
    const leaked = await runStep({ inputs: adobeInputs(emu) })
    expect(leaked.exitCode, leaked.stdout).toBe(0)
    const name = leaked.outputs.sandbox_name
    expect(name).toMatch(/^gh-shop-api-run-9876543210-/)
    const blocked = await runStep({ inputs: adobeInputs(emu, { 'if-full': 'fail' }) })
    expect(blocked.exitCode).toBe(1)
    expect(errors(blocked)[0]).toContain('licence is full')

    // The nightly age rule alone would keep it for a day...
    token()
    emu.github.seedRun({ repository: REPO, id: 9876543210, status: 'completed', conclusion: 'failure' })
    const ageOnly = await runStep({ inputs: adobeInputs(emu, { operation: 'prune', 'prune-prefix': 'gh-', 'dry-run': 'true' }) })
    expect(JSON.parse(ageOnly.outputs.pruned)).toEqual([])

    // ...the sweep deletes it as soon as it runs, and the slot is free again.
    const sweep = await runStep({ inputs: adobeInputs(emu, { operation: 'prune', 'prune-prefix': 'gh-', 'prune-closed': 'true', 'github-token': TOKEN }), env: githubEnv(emu) })
    expect(sweep.exitCode, sweep.stdout).toBe(0)
    expect(JSON.parse(sweep.outputs.pruned)).toEqual([name])
    expect(sweep.stdout).toContain(`Deleted sandbox "${name}": run 9876543210 finished`)
    await new Promise(r => setTimeout(r, 300)) // the emulator's deleteMs
    const next = await runStep({ inputs: adobeInputs(emu) })
    expect(next.exitCode, next.stdout).toBe(0)

    // Worst case: the run finishes just after a sweep, waits 30 minutes for the next one,
    // which takes seconds. GitHub may start a scheduled run late under load; that delay
    // must stay under the half hour left.
    // The sweep's own work, on the emulator's clock: from its first request to its last.
    const during = emu.requests.filter(r => r.time >= sweep.startedAt && r.time <= sweep.endedAt)
    const sweepMs = during.length ? during[during.length - 1].time - during[0].time : 0
    const freedWithinMs = worstGapMinutes * 60_000 + sweepMs + 300
    expect(freedWithinMs).toBeLessThan(60 * 60_000)
  })
})
