// The emulator's GitHub REST stand-in answers as GitHub documents: rate-limit headers on
// every authenticated answer, 401 for a bad token, 403 for a missing permission, 404 for a
// repository the token cannot see, the primary and secondary rate limits, paged comments.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator'
import { call } from './helpers'

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator()
})
afterAll(() => emu.close())
beforeEach(async () => {
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
  emu.github.addToken({ token: 'full', repositories: ['acme/shop'] })
  emu.github.addToken({ token: 'read-only', repositories: ['acme/shop'], permissions: { pull_requests: 'read' } })
  emu.github.seedPull({ repository: 'acme/shop', number: 5, merged: true })
  emu.github.seedRun({ repository: 'acme/shop', id: 77, status: 'completed', attempt: 2 })
})

const gh = (token: string | undefined, method: string, path: string, body?: unknown) =>
  call(emu, method, `/api/v3${path}`, { headers: { ...(token ? { authorization: `token ${token}` } : {}), 'content-type': 'application/json' }, body })

describe('GitHub stand-in', () => {
  it('answers a pull request and a run, with the rate-limit headers counting down', async () => {
    const pr = await gh('full', 'GET', '/repos/acme/shop/pulls/5')
    expect(pr.status).toBe(200)
    expect(pr.body).toMatchObject({ number: 5, state: 'closed', merged: true })
    expect(pr.headers.get('x-ratelimit-limit')).toBe('5000')
    expect(pr.headers.get('x-ratelimit-remaining')).toBe('4999')
    expect(pr.headers.get('x-ratelimit-used')).toBe('1')
    expect(pr.headers.get('x-ratelimit-resource')).toBe('core')
    expect(Number(pr.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000)
    const run = await gh('full', 'GET', '/repos/acme/shop/actions/runs/77')
    expect(run.body).toMatchObject({ id: 77, status: 'completed', conclusion: 'success', run_attempt: 2 })
    expect(run.headers.get('x-ratelimit-remaining')).toBe('4998')
    // /rate_limit does not count against the limit
    const limit = await gh('full', 'GET', '/rate_limit')
    expect(limit.body.resources.core).toMatchObject({ limit: 5000, remaining: 4998, used: 2 })
    expect((await gh('full', 'GET', '/rate_limit')).body.resources.core.used).toBe(2)
  })

  it('401 without a token or with an unknown one; 404 for another repository; 403 without the permission', async () => {
    expect((await gh(undefined, 'GET', '/repos/acme/shop/pulls/5')).status).toBe(401)
    const bad = await gh('nope', 'GET', '/repos/acme/shop/pulls/5')
    expect(bad.status).toBe(401)
    expect(bad.body.message).toBe('Bad credentials')
    expect((await gh('full', 'GET', '/repos/other/repo/pulls/5')).status).toBe(404)
    expect((await gh('full', 'GET', '/repos/acme/shop/pulls/6')).status).toBe(404)
    const runs = await gh('read-only', 'GET', '/repos/acme/shop/actions/runs/77')
    expect(runs.status).toBe(403)
    expect(runs.body.message).toBe('Resource not accessible by integration')
    expect(runs.headers.get('x-accepted-github-permissions')).toBe('actions=read')
    const post = await gh('read-only', 'POST', '/repos/acme/shop/issues/5/comments', { body: 'hi' })
    expect(post.status).toBe(403)
    expect(emu.github.comments()).toEqual([])
  })

  it('the primary limit: 403 with x-ratelimit-remaining 0 until the reset', async () => {
    emu.github.setRemaining('full', 1, 60)
    expect((await gh('full', 'GET', '/repos/acme/shop/pulls/5')).headers.get('x-ratelimit-remaining')).toBe('0')
    const refused = await gh('full', 'GET', '/repos/acme/shop/pulls/5')
    expect(refused.status).toBe(403)
    expect(refused.body.message).toMatch(/^API rate limit exceeded/)
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(refused.headers.get('retry-after')).toBeNull()
    emu.github.setRemaining('full', 10, -1) // the window has passed: a fresh one starts
    expect((await gh('full', 'GET', '/repos/acme/shop/pulls/5')).status).toBe(200)
  })

  it('the secondary limit: 403 with retry-after for the next requests, then normal answers', async () => {
    emu.github.secondaryLimit(1, 7)
    const refused = await gh('full', 'GET', '/repos/acme/shop/pulls/5')
    expect(refused.status).toBe(403)
    expect(refused.headers.get('retry-after')).toBe('7')
    expect(refused.body.message).toMatch(/secondary rate limit/)
    expect((await gh('full', 'GET', '/repos/acme/shop/pulls/5')).status).toBe(200)
  })

  it('comments: create, list in pages with a Link header, update in place', async () => {
    for (let i = 0; i < 3; i++) expect((await gh('full', 'POST', '/repos/acme/shop/issues/5/comments', { body: `c${i}` })).status).toBe(201)
    const page1 = await gh('full', 'GET', '/repos/acme/shop/issues/5/comments?per_page=2&page=1')
    expect(page1.body.map((c: { body: string }) => c.body)).toEqual(['c0', 'c1'])
    expect(page1.headers.get('link')).toContain('page=2>; rel="next"')
    const page2 = await gh('full', 'GET', '/repos/acme/shop/issues/5/comments?per_page=2&page=2')
    expect(page2.body.map((c: { body: string }) => c.body)).toEqual(['c2'])
    expect(page2.headers.get('link')).toBeNull()
    const id = page1.body[0].id
    const patched = await gh('full', 'PATCH', `/repos/acme/shop/issues/comments/${id}`, { body: 'changed' })
    expect(patched.status).toBe(200)
    expect(emu.github.comments().map(c => c.body)).toEqual(['changed', 'c1', 'c2'])
    expect((await gh('full', 'PATCH', '/repos/acme/shop/issues/comments/999', { body: 'x' })).status).toBe(404)
    expect((await gh('full', 'POST', '/repos/acme/shop/issues/5/comments', { body: '' })).status).toBe(422)
  })

  it('is steered over the control API too', async () => {
    const post = (path: string, body: unknown) => fetch(`${emu.url}/_emulator/github/${path}`, { method: 'POST', body: JSON.stringify(body) })
    expect((await post('token', { token: 'cli', repositories: [] })).status).toBe(201)
    expect((await post('pull', { repository: 'x/y', number: 1, state: 'closed' })).status).toBe(201)
    expect((await gh('cli', 'GET', '/repos/x/y/pulls/1')).body.state).toBe('closed')
  })
})
