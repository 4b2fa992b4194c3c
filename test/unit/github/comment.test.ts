// The PR comment in process, against the emulator's GitHub stand-in: when it is written at all,
// what it says after the main step and after the post step, how it finds itself again (saved
// id, marker, a new one), and what a refusal or an error does (a notice or a warning, never a
// failure). The end-to-end tests cover the same through the bundle; these see every branch.
import { changed } from '../../../src/core/provider'
import { describe, expect } from 'vitest'
import type { Emulator } from '../../../emulator/index'
import { commentAfterCleanup, commentAfterMain, commentMarker, renderComment } from '../../../src/github/comment'
import type { StepResult } from '../../../src/core/provider'
import type { StateStore } from '../../../src/core/handoff'
import { emulatorPerTest } from '../../harness/per-test'
import { inProcessStep } from '../../harness/lease'

const { emu, it } = emulatorPerTest()
const REPO = 'acme/shop'
const TOKEN = 'ghs_commentUnit0123456789abcdef'
const PR = 7

function store(): StateStore & { map: Map<string, string> } {
  const map = new Map<string, string>()
  return { map, get: k => map.get(k) ?? '', save: (k, v) => void map.set(k, v) }
}

/** A step of a pull-request job; `over` changes its inputs, `run` its run info. */
function step(e: Emulator, over: Record<string, string> = {}, run: Record<string, unknown> = {}) {
  const s = inProcessStep(e, { 'pr-comment': 'true', 'github-token': TOKEN, ...over }, { runId: 42 })
  Object.assign(s.ctx.run, { repository: REPO, prNumber: PR, apiUrl: `${e.url}/api/v3`, workflow: 'CI', job: 'aep', serverUrl: 'https://github.com', eventName: 'pull_request', ...run })
  return s
}

const token = (permissions: Record<string, string> = { pull_requests: 'write' }): void =>
  emu.github.addToken({ token: TOKEN, repositories: [REPO], permissions: permissions as never })

function result(out: Record<string, string>, postWill = 'delete sandbox `box`'): StepResult {
  return {
    outputs: { sandbox_name: 'box', sandbox_title: 'made by hand', sandbox_state: 'active', sandbox_type: 'development', created: 'true', ...out },
    env: {},
    summary: [['Post step will', postWill]]
  }
}

const calls = (method?: string) => emu.requests.filter(r => r.path.startsWith('/api/v3/') && (!method || r.method === method))

describe('when the comment is written', () => {
  it('not for Trackstar, not without pr-comment: nothing is asked and nothing said', async () => {
    token()
    const off = step(emu, { 'pr-comment': 'false' })
    await commentAfterMain(off.ctx, store(), result({}))
    expect(calls()).toEqual([])
    expect(off.lines).toEqual([])
  })

  it('outside a pull request: a notice from the main step only', async () => {
    token()
    const main = step(emu, {}, { prNumber: undefined, eventName: 'push' })
    await commentAfterMain(main.ctx, store(), result({}))
    expect(main.lines).toEqual(['pr-comment: this run is not for a pull request (event push), so there is nothing to comment on'])
    const unknown = step(emu, {}, { prNumber: undefined, eventName: undefined })
    await commentAfterMain(unknown.ctx, store(), result({}))
    expect(unknown.lines).toEqual(['pr-comment: this run is not for a pull request (event unknown), so there is nothing to comment on'])
    const post = step(emu, {}, { prNumber: undefined })
    await commentAfterCleanup(post.ctx, store(), { provider: 'adobe', sandbox: 'box', action: 'delete', created: true, confirmed: true }, changed('Deleted sandbox "box"'))
    expect(post.lines).toEqual([])
    expect(calls()).toEqual([])
  })

  it('without a repository there is nothing to comment on either', async () => {
    token()
    const s = step(emu, {}, { repository: '' })
    await commentAfterMain(s.ctx, store(), result({}))
    expect(calls()).toEqual([])
  })

  it('with an empty token: a notice from the main step only', async () => {
    const main = step(emu, { 'github-token': '' })
    await commentAfterMain(main.ctx, store(), result({}))
    expect(main.lines).toEqual(['pr-comment: github-token is empty, so the action cannot comment; leave it at its default ${{ github.token }}'])
    const post = step(emu, { 'github-token': '' })
    await commentAfterCleanup(post.ctx, store(), { provider: 'adobe', sandbox: 'box', action: 'delete', created: true, confirmed: true }, changed('x'))
    expect(post.lines).toEqual([])
  })

  it('a result without a sandbox (prune) writes nothing', async () => {
    token()
    const s = step(emu)
    await commentAfterMain(s.ctx, store(), { outputs: { pruned: '[]' }, env: {}, summary: [] })
    expect(calls()).toEqual([])
  })

  it('a Trackstar handoff is not commented on in the post step', async () => {
    token()
    const s = step(emu)
    await commentAfterCleanup(s.ctx, store(), { provider: 'trackstar', integrationType: 'wms', action: 'reset', confirmed: true }, changed('Reset'))
    expect(calls()).toEqual([])
  })
})

describe('what it says, and where it goes', () => {
  it('the main step writes one comment with the sandbox, who made it and what cleanup will do, and saves its id', async () => {
    token()
    const state = store()
    const s = step(emu)
    await commentAfterMain(s.ctx, state, result({}))
    const [c] = emu.github.comments()
    expect(c.body).toBe(
      [
        commentMarker(s.ctx.run),
        '### Adobe sandbox for this pull request',
        '',
        '| | |',
        '|---|---|',
        '| Sandbox | `box` |',
        '| Title | `made by hand` |',
        '| State | `active` |',
        '| Type | `development` |',
        '| Made by | [run 42 attempt 1](https://github.com/acme/shop/actions/runs/42/attempts/1) (workflow `CI`, job `aep`) |',
        '| Cleanup | when the job ends, the post step will delete sandbox `box` |',
        '',
        '<sub>Updated by the main step of [run 42 attempt 1](https://github.com/acme/shop/actions/runs/42/attempts/1). This comment is kept up to date in place.</sub>',
        ''
      ].join('\n')
    )
    expect(s.lines).toEqual(['pr-comment: wrote a comment on pull request #7'])
    expect(JSON.parse(state.map.get('prComment') ?? '{}')).toMatchObject({ id: c.id, view: { name: 'box', state: 'active' } })
  })

  it('a reused sandbox names the run its title names; one whose title it cannot read, an earlier run', async () => {
    token()
    const title = 'CI sandbox of acme/shop PR #7 (run 5 attempt 2): kept until the PR closes. https://github.com/acme/shop/actions/runs/5'
    const s = step(emu)
    await commentAfterMain(s.ctx, store(), result({ created: 'false', sandbox_title: title }, 'leave it as it is'))
    expect(emu.github.comments()[0].body).toContain('| Made by | [run 5 attempt 2](https://github.com/acme/shop/actions/runs/5/attempts/2) (reused by this run) (workflow `CI`, job `aep`) |')
    expect(emu.github.comments()[0].body).toContain('| Cleanup | when the job ends, the post step will leave it as it is |')
    const other = step(emu, { 'sandbox-name': 'named' })
    await commentAfterMain(other.ctx, store(), result({ created: 'false', sandbox_title: 'by hand' }))
    const named = emu.github.comments().find(c => c.body.startsWith(commentMarker(other.ctx.run, 'named')))
    expect(named?.body).toContain('| Made by | an earlier run (reused by this run)')
  })

  it('without a "Post step will" row it says the post step will do nothing; a run without a repository is named without a link', async () => {
    token()
    const s = step(emu, {}, { workflow: undefined, job: undefined })
    await commentAfterMain(s.ctx, store(), { outputs: { sandbox_name: 'box', created: 'true' }, env: {}, summary: [] })
    const body = emu.github.comments()[0].body
    expect(body).toContain('| Cleanup | when the job ends, the post step will do nothing |')
    expect(body).toContain('| Title | — |')
    expect(body).toContain('| Made by | [run 42 attempt 1](https://github.com/acme/shop/actions/runs/42/attempts/1) |')
    expect(renderComment({ ...s.ctx.run, repository: '' }, { name: 'b', title: '', state: '', type: '', madeBy: 'x', cleanup: 'y' }, 'post')).toContain('Updated by the post step of run 42 attempt 1.')
  })

  it('the post step updates the saved comment in place with what cleanup did: deleted, resetting, or failed', async () => {
    token()
    const state = store()
    await commentAfterMain(step(emu).ctx, state, result({}))
    const id = emu.github.comments()[0].id
    const handoff = { provider: 'adobe' as const, sandbox: 'box', action: 'delete' as const, created: true, confirmed: true }
    await commentAfterCleanup(step(emu).ctx, state, handoff, changed('Deleted sandbox "box"'))
    let [c] = emu.github.comments()
    expect(c.id).toBe(id)
    expect(c.body).toContain('| State | `deleted` |')
    expect(c.body).toContain('| Cleanup | the post step: Deleted sandbox "box" |')
    expect(c.body).toContain('Updated by the post step')
    await commentAfterCleanup(step(emu).ctx, state, { ...handoff, action: 'reset' }, changed('Reset sandbox "box"'))
    ;[c] = emu.github.comments()
    expect(c.body).toContain('| State | `resetting` |')
    await commentAfterCleanup(step(emu).ctx, state, handoff, { kind: 'failed', text: 'Cleanup failed: could not delete the Adobe sandbox "box": boom | <b>' })
    ;[c] = emu.github.comments()
    expect(c.body).toContain('| State | `resetting (cleanup failed)` |')
    expect(c.body).toContain('| Cleanup | the post step: Cleanup failed: could not delete the Adobe sandbox "box": boom   ‹b> |')
    // the saved id was used each time: the main step's one listing, never a second comment
    expect(calls('GET')).toHaveLength(1)
    expect(emu.github.comments()).toHaveLength(1)
  })

  it('a post step without the main step\'s view writes one from the handoff', async () => {
    token()
    await commentAfterCleanup(step(emu).ctx, store(), { provider: 'adobe', sandbox: 'box', action: 'release', lease: 'abcdef0123456789', confirmed: true }, changed('Released sandbox "box"'))
    const body = emu.github.comments()[0].body
    expect(body).toContain('| Sandbox | `box` |')
    expect(body).toContain('| State | `resetting` |')
    expect(body).toContain('| Made by | [run 42 attempt 1]')
  })

  it('unreadable saved state counts as none', async () => {
    token()
    const state = store()
    state.save('prComment', '{not json')
    await commentAfterCleanup(step(emu).ctx, state, { provider: 'adobe', sandbox: 'box', action: 'delete', created: true, confirmed: true }, changed('Deleted sandbox "box"'))
    expect(emu.github.comments()).toHaveLength(1)
    state.save('prComment', JSON.stringify({ id: 1, view: { name: 5 } }))
    await commentAfterCleanup(step(emu).ctx, state, { provider: 'adobe', sandbox: 'box', action: 'delete', created: true, confirmed: true }, changed('Deleted sandbox "box"'))
    expect(emu.github.comments()).toHaveLength(1)
  })

  it('a saved comment deleted meanwhile: the one with the marker is updated, else a new one written', async () => {
    token()
    const state = store()
    await commentAfterMain(step(emu).ctx, state, result({}))
    const first = emu.github.comments()[0]
    // the saved id no longer exists, but a comment with the marker does (another job wrote it)
    state.save('prComment', JSON.stringify({ id: 999_999, view: JSON.parse(state.map.get('prComment') ?? '{}').view }))
    const again = step(emu)
    await commentAfterCleanup(again.ctx, state, { provider: 'adobe', sandbox: 'box', action: 'delete', created: true, confirmed: true }, changed('Deleted sandbox "box"'))
    expect(again.lines).toEqual(['pr-comment: updated the comment on pull request #7'])
    expect(emu.github.comments().map(c => c.id)).toEqual([first.id])
    expect(JSON.parse(state.map.get('prComment') ?? '{}').id).toBe(first.id)
  })

  it('a token that may not comment: a notice naming the permission, saved so that the post step does not ask again', async () => {
    token({ pull_requests: 'read' })
    const state = store()
    const main = step(emu)
    await commentAfterMain(main.ctx, state, result({}))
    expect(main.lines).toEqual([
      'pr-comment: github-token may not comment on pull request #7 (GitHub answered 403). A pull request from a fork gets a read-only token; otherwise give the job permissions: pull-requests: write'
    ])
    expect(JSON.parse(state.map.get('prComment') ?? '{}')).toMatchObject({ forbidden: true })
    const before = calls().length
    const post = step(emu)
    await commentAfterCleanup(post.ctx, state, { provider: 'adobe', sandbox: 'box', action: 'delete', created: true, confirmed: true }, changed('Deleted'))
    expect(calls()).toHaveLength(before)
    expect(post.lines).toEqual([])
  })

  it('any other failure is a warning that names the pull request and the error, and the state is still saved', async () => {
    token()
    emu.faults.add({ method: 'GET', path: `/api/v3/repos/${REPO}/issues/${PR}/comments`, faults: [{ kind: 'status', status: 422, body: { message: 'Validation Failed' } }] })
    const state = store()
    const s = step(emu)
    await commentAfterMain(s.ctx, state, result({}))
    expect(s.lines).toHaveLength(1)
    expect(s.lines[0]).toMatch(/^warning: pr-comment: could not write the comment on pull request #7: GitHub: list the comments of pull request acme\/shop#7 failed: HTTP 422/)
    expect(JSON.parse(state.map.get('prComment') ?? '{}')).toMatchObject({ view: { name: 'box' } })
    expect(JSON.parse(state.map.get('prComment') ?? '{}').id).toBeUndefined()
  })

  it('a 403 that is a rate limit is no permission problem: a warning, and the post step tries again', async () => {
    token()
    emu.faults.add({ method: 'GET', path: `/api/v3/repos/${REPO}/issues/${PR}/comments`, faults: [{ kind: 'status', status: 403, body: { message: 'API rate limit exceeded for installation.' } }] })
    const state = store()
    const s = step(emu, { timeout: '1' })
    await commentAfterMain(s.ctx, state, result({}))
    expect(JSON.parse(state.map.get('prComment') ?? '{}').forbidden).toBeUndefined()
  })
})

describe('edges of what it shows', () => {
  it('the marker keeps only plain characters of the workflow and job, and at most 100 of each', () => {
    const run = { repository: REPO, repo: 'shop', runId: 1, serverUrl: 'https://github.com', workflow: `CI <x> "y" ${'w'.repeat(150)}`, job: 'a|b' }
    expect(commentMarker(run)).toBe(`<!-- ephemeral-sandbox pr-comment: ${`CI _x_ _y_ ${'w'.repeat(150)}`.slice(0, 100)} / job a_b -->`)
    expect(commentMarker({ ...run, workflow: undefined, job: undefined })).toBe('<!-- ephemeral-sandbox pr-comment:  / job  -->')
  })

  it('provider text in a cell: no backticks, line breaks, pipes or HTML, trimmed, and a dash when empty', () => {
    const run = { repository: REPO, repo: 'shop', runId: 1, serverUrl: 'https://github.com' }
    const body = renderComment(run, { name: ' a`b\r\nc|d<e> ', title: '   ', state: '', type: 'x', madeBy: 'm', cleanup: 'c' }, 'main')
    expect(body).toContain('| Sandbox | `a b  c d‹e>` |')
    expect(body).toContain('| Title | — |')
    expect(body).toContain('| State | — |')
    expect(body).toContain('[run 1 attempt 1](https://github.com/acme/shop/actions/runs/1/attempts/1)')
  })

  it('a failed cleanup without the main step\'s view says the state is unknown', async () => {
    token()
    await commentAfterCleanup(step(emu).ctx, store(), { provider: 'adobe', sandbox: 'box', action: 'delete', created: true, confirmed: true }, { kind: 'failed', text: 'Cleanup failed: could not delete' })
    const body = emu.github.comments()[0].body
    expect(body).toContain('| State | `unknown (cleanup failed)` |')
    expect(body).toContain('| Title | — |')
    expect(body).toContain('| Type | — |')
  })

  it('a Trackstar step with pr-comment writes nothing', async () => {
    token()
    const s = inProcessStep(emu, { 'pr-comment': 'true', 'github-token': TOKEN }, { runId: 42 })
    Object.assign(s.ctx.run, { repository: REPO, prNumber: PR, apiUrl: `${emu.url}/api/v3` })
    Object.assign(s.ctx.inputs, { provider: 'trackstar' })
    await commentAfterMain(s.ctx, store(), result({}))
    expect(calls()).toEqual([])
  })

  it('a saved comment that fails to update for another reason is a warning, not a second comment', async () => {
    token()
    const state = store()
    await commentAfterMain(step(emu).ctx, state, result({}))
    emu.faults.add({ method: 'PATCH', path: new RegExp(`^/api/v3/repos/${REPO}/issues/comments/\\d+$`), faults: [{ kind: 'status', status: 422, body: { message: 'Validation Failed' } }] })
    const post = step(emu)
    await commentAfterCleanup(post.ctx, state, { provider: 'adobe', sandbox: 'box', action: 'delete', created: true, confirmed: true }, changed('Deleted sandbox "box"'))
    expect(post.lines).toHaveLength(1)
    expect(post.lines[0]).toMatch(/^warning: pr-comment: could not write the comment on pull request #7: .*HTTP 422/)
    expect(emu.github.comments()).toHaveLength(1)
    expect(calls('GET')).toHaveLength(1)
  })

  it('a reused sandbox without state or type shows dashes; the post step keeps the saved view', async () => {
    token()
    const state = store()
    await commentAfterMain(step(emu).ctx, state, { outputs: { sandbox_name: 'box', created: 'false', sandbox_title: 'CI sandbox of acme/shop (run 9 attempt 1): kept after the run.' }, env: {}, summary: [] })
    const body = emu.github.comments()[0].body
    expect(body).toContain('| State | — |')
    expect(body).toContain('| Type | — |')
    expect(body).toContain('| Made by | [run 9 attempt 1](https://github.com/acme/shop/actions/runs/9/attempts/1) (reused by this run)')
    await commentAfterCleanup(step(emu).ctx, state, { provider: 'adobe', sandbox: 'box', action: 'reset', created: false, confirmed: true }, changed('Reset sandbox "box"'))
    expect(emu.github.comments()[0].body).toContain('| Title | `CI sandbox of acme/shop (run 9 attempt 1): kept after the run.` |')
  })
})
