// pr-comment end to end: the bundled main and post steps keep one comment on the pull
// request (found by its hidden marker, updated in place, never a second one across runs),
// with the sandbox, its state, type, title, the run that made it and what cleanup does; a
// token that may not comment is a notice; outside a pull request it is a notice too.
import { describe, expect } from 'vitest'
import { type GithubToken } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob, runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs, githubEnv } from '../../scripts/emulator-inputs'
import { bearerTokens, expectOnlyLive } from '../harness/adobe'
import { expectMaskedEverywhere } from '../harness/secrets'

const REPO = 'acme/Shop_API'
const TOKEN = 'ghs_commentToken0123456789abcdefXYZ'
const PR = 7
const { emu, it } = emulatorPerTest({ adobe: { createMs: 200, deleteMs: 100 } })

const prEvent = (head = REPO) => ({
  name: 'pull_request',
  payload: { action: 'synchronize', number: PR, pull_request: { number: PR, head: { repo: { full_name: head } }, base: { repo: { full_name: REPO } } } }
})

function token(over: Partial<GithubToken> = {}): void {
  emu.github.addToken({ token: TOKEN, repositories: [REPO], permissions: { pull_requests: 'write' }, ...over })
}

const inputs = (extra: Record<string, string> = {}) => adobeInputs(emu, { 'pr-comment': 'true', 'github-token': TOKEN, ...extra })
const githubCalls = () => emu.requests.filter(r => r.path.startsWith('/api/v3/'))
const notices = (run: StepRun) => run.stdout.split('\n').filter(l => l.startsWith('::notice'))


describe('pr-comment', () => {
  it('one comment across the main step, the post step and a second run, updated in place', async () => {
    token()
    const first = await runJob({ inputs: inputs(), event: prEvent(), env: githubEnv(emu) })
    expect(first.main.exitCode, first.main.stdout).toBe(0)
    const name = first.main.outputs.sandbox_name

    // After the main step: the comment says what the job has and what cleanup will do.
    const afterMain = emu.requests.filter(r => r.path.startsWith('/api/v3/') && r.method === 'POST')
    expect(afterMain).toHaveLength(1)
    const [comment] = emu.github.comments()
    expect(comment.issue).toBe(PR)
    expect(comment.body.split('\n')[0]).toBe('<!-- ephemeral-sandbox pr-comment: CI / job test -->')

    // After the post step: the same comment, now saying what cleanup did.
    expect(first.post.exitCode, first.post.stdout).toBe(0)
    expect(emu.github.comments()).toHaveLength(1)
    const afterPost = emu.github.comments()[0].body
    expect(afterPost).toContain(`| Sandbox | \`${name}\` |`)
    expect(afterPost).toContain('| State | `deleted` |')
    expect(afterPost).toContain('| Type | `development` |')
    expect(afterPost).toContain(`| Title | \`${first.main.outputs.sandbox_title}\` |`)
    expect(afterPost).toContain(`[run 9876543210 attempt 1](https://github.com/${REPO}/actions/runs/9876543210/attempts/1)`)
    expect(afterPost).toMatch(/\| Cleanup \| the post step: Deleted sandbox "gh-shop-api-pr-7-[a-z0-9]{6}" \|/)
    expect(afterPost).toContain('Updated by the post step')
    expectOnlyLive(emu)

    // A second run (a re-run, attempt 2) finds the comment by its marker and rewrites it.
    const second = await runJob({ inputs: inputs(), event: prEvent(), env: githubEnv(emu, { GITHUB_RUN_ATTEMPT: '2' }) })
    expect(second.main.exitCode, second.main.stdout).toBe(0)
    const all = emu.github.comments()
    expect(all).toHaveLength(1)
    expect(all[0].id).toBe(comment.id)
    expect(all[0].body).toContain(`\`${second.main.outputs.sandbox_name}\``)
    expect(all[0].body).toContain('run 9876543210 attempt 2')
    expect(githubCalls().filter(r => r.method === 'POST')).toHaveLength(1)
    // The post step used the id the main step saved: no second listing.
    expect(githubCalls().filter(r => r.method === 'GET')).toHaveLength(2)

    // No secret anywhere: not the GitHub token, not the Adobe secret or bearer tokens.
    const secrets = [TOKEN, 'emulator-client-secret', ...bearerTokens(emu)]
    for (const run of [first.main, first.post, second.main, second.post]) expectMaskedEverywhere(run, secrets)
    for (const s of secrets) expect(all[0].body.includes(s)).toBe(false)
    for (const s of secrets) expect(JSON.stringify(emu.github.comments())).not.toContain(s)
  })

  it('finds its comment past the first page of a busy pull request, and edits nobody else\'s', async () => {
    token()
    const first = await runStep({ inputs: inputs(), event: prEvent(), env: githubEnv(emu) })
    expect(first.exitCode, first.stdout).toBe(0)
    const ours = emu.github.comments()[0]
    // 150 comments by people after ours, one of them quoting the marker mid-text.
    const post = (body: string) =>
      fetch(`${emu.url}/api/v3/repos/${REPO}/issues/${PR}/comments`, { method: 'POST', headers: { authorization: `token ${TOKEN}` }, body: JSON.stringify({ body }) })
    for (let i = 0; i < 150; i++) expect((await post(i === 120 ? `see ${ours.body.split('\n')[0]}` : `comment ${i}`)).status).toBe(201)
    emu.clearLog()

    const again = await runStep({ inputs: inputs(), event: prEvent(), env: githubEnv(emu, { GITHUB_RUN_ATTEMPT: '3' }) })
    expect(again.exitCode, again.stdout).toBe(0)
    const lists = githubCalls().filter(r => r.method === 'GET')
    expect(lists.map(r => r.query.page ?? '1')).toEqual(['1', '2'])
    expect(githubCalls().filter(r => r.method === 'POST')).toEqual([])
    const all = emu.github.comments()
    expect(all).toHaveLength(151)
    expect(all.find(c => c.id === ours.id)?.body).toContain('run 9876543210 attempt 3')
    expect(all.filter(c => c.body.includes('attempt 3'))).toHaveLength(1)
  })

  it('main step of the comment: state, and what the post step will do', async () => {
    token()
    const main = await runStep({ inputs: inputs({ cleanup: 'none' }), event: prEvent(), env: githubEnv(emu) })
    expect(main.exitCode, main.stdout).toBe(0)
    const body = emu.github.comments()[0].body
    expect(body).toContain('| State | `active` |')
    expect(body).toContain('| Cleanup | when the job ends, the post step will leave it as it is |')
    expect(body).toContain('Updated by the main step')
    // cleanup: none with a pull request: the title says the sandbox is kept until the PR closes
    expect(main.outputs.sandbox_title).toContain(`PR #${PR} (run 9876543210 attempt 1): kept until the PR closes.`)
  })

  it('a fork whose token may not comment: a notice, the job passes, cleanup still runs', async () => {
    token({ permissions: { pull_requests: 'read' } })
    const job = await runJob({ inputs: inputs(), event: prEvent('someone/Shop_API'), env: githubEnv(emu) })
    expect(job.main.exitCode, job.main.stdout).toBe(0)
    expect(errors(job.main)).toEqual([])
    expect(notices(job.main).join('\n')).toContain('pr-comment: github-token may not comment on pull request #7 (GitHub answered 403)')
    expect(emu.github.comments()).toEqual([])
    // The post step does not ask again, and cleans up.
    expect(job.post.exitCode).toBe(0)
    expect(githubCalls().filter(r => r.method === 'POST')).toHaveLength(1)
    expect(notices(job.post)).toEqual([])
    expectOnlyLive(emu)
    expectMaskedEverywhere(job.main, [TOKEN])
  })

  it('outside a pull request it is a notice, not a failure, and asks GitHub nothing', async () => {
    token()
    const job = await runJob({ inputs: inputs(), env: githubEnv(emu) })
    expect(job.main.exitCode, job.main.stdout).toBe(0)
    expect(notices(job.main).join('\n')).toContain('pr-comment: this run is not for a pull request (event push)')
    expect(githubCalls()).toEqual([])
    expect(job.post.exitCode).toBe(0)
    expectOnlyLive(emu)
  })
})
