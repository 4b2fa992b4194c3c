// pr-comment under GitHub's faults and with hostile GitHub data: a comment deleted between the
// main and the post step, every comment call failing once in each transient way or for good,
// and workflow, job, repository and branch names that try to start a workflow command or break
// the comment's table. The comment is never worth failing the job for, and never written twice.
import { describe, expect } from 'vitest'
import { type Fault } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { runJob, runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs, githubEnv } from '../../scripts/emulator-inputs'
import { expectOnlyLive } from '../harness/adobe'
import { expectMaskedEverywhere } from '../harness/secrets'

const REPO = 'acme/Shop_API'
const TOKEN = 'ghs_commentToken0123456789abcdefXYZ'
const PR = 7
const { emu, it } = emulatorPerTest({ adobe: { createMs: 200, deleteMs: 100 } })

const prEvent = (extra: Record<string, unknown> = {}) => ({
  name: 'pull_request',
  payload: { action: 'synchronize', number: PR, pull_request: { number: PR, head: { repo: { full_name: REPO } }, base: { repo: { full_name: REPO } }, ...extra } }
})
const token = (): void => emu.github.addToken({ token: TOKEN, repositories: [REPO], permissions: { pull_requests: 'write' } })
const inputs = (extra: Record<string, string> = {}) => adobeInputs(emu, { 'pr-comment': 'true', 'github-token': TOKEN, ...extra })
const COMMENTS = `/api/v3/repos/${REPO}/issues/${PR}/comments`
const ONE_COMMENT = new RegExp(`^/api/v3/repos/${REPO}/issues/comments/\\d+$`)

/** The lines of a step's stdout that start a workflow command the action does not write itself. */
function foreignCommands(run: StepRun): string[] {
  const ours = /^::(add-mask|debug|notice|warning|error|group|endgroup)(::| )/
  return run.stdout.split('\n').filter(l => /^\s*::/.test(l) && !ours.test(l))
}

describe('pr-comment under faults', () => {
  it('a comment deleted between the main and the post step is written anew once, not twice', async () => {
    token()
    const main = await runStep({ inputs: inputs(), event: prEvent(), env: githubEnv(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    const [first] = emu.github.comments()
    const gone = await fetch(`${emu.url}/api/v3/repos/${REPO}/issues/comments/${first.id}`, { method: 'DELETE', headers: { authorization: `token ${TOKEN}` } })
    expect(gone.status).toBe(204)
    const post = await runStep({ inputs: inputs(), event: prEvent(), env: githubEnv(emu), state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).not.toContain('::warning::pr-comment')
    const all = emu.github.comments()
    expect(all).toHaveLength(1)
    expect(all[0].id).not.toBe(first.id)
    expect(all[0].body).toContain('Updated by the post step')
    expectOnlyLive(emu)
  })

  // [call, method, path]: every kind of comment call the steps make
  const CALLS = [
    ['listing the comments', 'GET', COMMENTS],
    ['writing the comment', 'POST', COMMENTS],
    ['updating the comment', 'PATCH', ONE_COMMENT]
  ] as const
  const TRANSIENT: [string, Fault][] = [
    ['503', { kind: 'status', status: 503 }],
    ['a dropped connection', { kind: 'drop-before' }],
    ['429 with retry-after', { kind: 'rate-limit', header: 'retry-after', seconds: 1 }],
    ['a secondary limit (403 with retry-after)', { kind: 'status', status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit.' } }]
  ]
  const once = CALLS.flatMap(([call, method, path]) => TRANSIENT.map(([fault, f]) => [fault, call, method, path, f] as const))
  it.each(once)('%s once while %s: asked again, one comment, no warning, the job passes', async (_fault, _call, method, path, fault) => {
    token()
    // a comment of ours already there, so that every kind of call is made
    const earlier = await runStep({ inputs: inputs({ cleanup: 'none' }), event: prEvent(), env: githubEnv(emu, { GITHUB_RUN_ATTEMPT: '1' }) })
    expect(earlier.exitCode, earlier.stdout).toBe(0)
    if (method === 'POST') {
      // a fresh pull request: the first step writes rather than updates
      const del = await fetch(`${emu.url}/api/v3/repos/${REPO}/issues/comments/${emu.github.comments()[0].id}`, { method: 'DELETE', headers: { authorization: `token ${TOKEN}` } })
      expect(del.status).toBe(204)
    }
    emu.faults.add({ method, path, faults: [fault] })
    const job = await runJob({ inputs: inputs(), event: prEvent(), env: githubEnv(emu, { GITHUB_RUN_ATTEMPT: '2' }) })
    expect(job.main.exitCode, job.main.stdout).toBe(0)
    expect(emu.faults.pending(), 'the fault was met').toBe(0)
    for (const run of [job.main, job.post]) expect(run.stdout).not.toContain('::warning::pr-comment')
    expect(emu.github.comments()).toHaveLength(1)
    expect(emu.github.comments()[0].body).toContain('Updated by the post step of [run 9876543210 attempt 2]')
    expectMaskedEverywhere(job.main, [TOKEN])
  })

  it.each(CALLS)('%s failing for good: a warning at most, the job passes and cleans up', async (_call, method, path) => {
    token()
    emu.faults.add({ method, path, faults: [{ kind: 'status', status: 500, body: { message: 'Server Error' } }], repeatLast: true })
    const job = await runJob({ inputs: inputs(), event: prEvent(), env: githubEnv(emu) })
    emu.faults.clear()
    expect(job.main.exitCode, job.main.stdout).toBe(0)
    expect(job.post.exitCode).toBe(0)
    expect(job.main.stdout.split('\n').filter(l => l.startsWith('::error'))).toEqual([])
    expect(emu.github.comments().length).toBeLessThanOrEqual(1)
    expectOnlyLive(emu)
  })
})

describe('GitHub data cannot start a workflow command or break the comment', () => {
  const INJECTIONS = [
    '\n::error::pwned',
    '::set-output name=x::y',
    '  ::add-mask::public',
    'a\r\n::warning file=x::y',
    '##[error]pwned',
    'x | y\n<script>alert(1)</script> `@everyone`',
    'a\u2028::error::pwned'
  ]
  // where GitHub data reaches the action: the runner's variables and the event payload
  const PLACES: [string, (bad: string) => { env: Record<string, string>; event: ReturnType<typeof prEvent> }][] = [
    ['the workflow name', bad => ({ env: { GITHUB_WORKFLOW: bad }, event: prEvent() })],
    ['the job id', bad => ({ env: { GITHUB_JOB: bad }, event: prEvent() })],
    ['the branch names', bad => ({ env: { GITHUB_HEAD_REF: bad, GITHUB_REF_NAME: bad }, event: prEvent({ head: { ref: bad, repo: { full_name: REPO } }, base: { ref: bad, repo: { full_name: REPO } } }) })],
    ['the pull request title and body', bad => ({ env: {}, event: prEvent({ title: bad, body: bad }) })],
    ['the actor', bad => ({ env: { GITHUB_ACTOR: bad, GITHUB_TRIGGERING_ACTOR: bad }, event: prEvent() })]
  ]
  const cases = PLACES.flatMap(([place, at]) => INJECTIONS.map(bad => [place, JSON.stringify(bad), at, bad] as const))
  it.each(cases)('%s holding %s', async (_place, _shown, at, bad) => {
    token()
    const { env, event } = at(bad)
    const job = await runJob({ inputs: inputs(), event, env: githubEnv(emu, env) })
    expect(job.main.exitCode, job.main.stdout).toBe(0)
    for (const run of [job.main, job.post]) {
      expect(foreignCommands(run)).toEqual([])
      expect(run.stdout).not.toMatch(/##\[(error|warning|group)/)
    }
    for (const c of emu.github.comments()) {
      // every table row still has its two cells, and nothing opens HTML or pings anyone
      for (const row of c.body.split('\n').filter(l => l.startsWith('| ') && !l.startsWith('|---'))) expect(row.split(/(?<!\\)\|/)).toHaveLength(4)
      expect(c.body).not.toContain('<script')
      expect(c.body.match(/<!--/g)).toHaveLength(1)
    }
    expectOnlyLive(emu)
  })
})
