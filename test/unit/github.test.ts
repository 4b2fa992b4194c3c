// The GitHub pieces that need no network: ages in words, the PR comment's text, the HTTP
// layer's reading of GitHub's 403 rate-limit answers, the API URL check.
import { describe, expect, it } from 'vitest'
import { githubApiUrl } from '../../src/github/client'
import { commentMarker, renderComment } from '../../src/github/comment'
import { formatAge } from '../../src/github/prune-closed'
import { rateLimited403 } from '../../src/http'

const run = { repository: 'acme/shop', repo: 'shop', runId: 42, runAttempt: 1, serverUrl: 'https://github.com', workflow: 'CI', job: 'aep' }

describe('formatAge', () => {
  it.each([
    [86_400, '24h'],
    [5400, '90m'],
    [7 * 86_400, '7d'],
    [3600, '1h'],
    [45, '45s']
  ])('%i s → %s', (s, text) => expect(formatAge(s)).toBe(text))
})

describe('the PR comment', () => {
  const view = { name: 'gh-shop-pr-1-abc123', title: 'x | y\n<!-- z --> `@team`', state: 'active', type: 'development', madeBy: 'run 42', cleanup: 'the post step will delete it' }

  it('starts with its hidden marker: one per workflow and job, or per named sandbox', () => {
    expect(commentMarker(run)).toBe('<!-- ephemeral-sandbox pr-comment: CI / job aep -->')
    expect(commentMarker(run, 'gh-shop-pr-1')).toBe('<!-- ephemeral-sandbox pr-comment: CI / sandbox gh-shop-pr-1 -->')
    expect(commentMarker({ ...run, workflow: 'a --> b' })).toBe('<!-- ephemeral-sandbox pr-comment: a --_ b / job aep -->')
    expect(renderComment(run, view, 'main').split('\n')[0]).toBe(commentMarker(run))
  })

  it('keeps provider text from breaking the table, opening HTML or pinging anyone', () => {
    const body = renderComment(run, view, 'main')
    const titleRow = body.split('\n').find(l => l.startsWith('| Title |')) as string
    expect(titleRow.split('|')).toHaveLength(4)
    expect(titleRow).not.toContain('<!--')
    expect(titleRow).toMatch(/^\| Title \| `[^`]*@team[^`]*` \|$/)
    expect(body.match(/<!--/g)).toHaveLength(1)
  })
})

describe('rateLimited403', () => {
  it('is a 403 that says it is a rate limit', () => {
    expect(rateLimited403(403, { 'retry-after': '60' })).toBe(true)
    expect(rateLimited403(403, { 'x-ratelimit-remaining': '0' })).toBe(true)
    expect(rateLimited403(403, { 'x-ratelimit-remaining': '12' })).toBe(false)
    expect(rateLimited403(404, { 'retry-after': '60' })).toBe(false)
  })
})

describe('githubApiUrl', () => {
  it('takes https and loopback http, refuses http elsewhere (the token would travel in clear text)', () => {
    expect(githubApiUrl('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com/api/v3')
    expect(githubApiUrl('http://127.0.0.1:4010/api/v3')).toBe('http://127.0.0.1:4010/api/v3')
    expect(githubApiUrl('')).toBe('https://api.github.com')
    expect(() => githubApiUrl('http://ghe.example.com/api/v3')).toThrow(/GITHUB_API_URL is not usable: .*must use https/)
  })
})
