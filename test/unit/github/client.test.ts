// The GitHub pieces that need no network: ages in words, the PR comment's text, the HTTP
// layer's reading of GitHub's 403 rate-limit answers, the API URL check.
import { describe, expect, it } from 'vitest'
import { GITHUB, GitHubClient, githubApiUrl } from '../../../src/github/client'
import { Deadline } from '../../../src/core/deadline'
import { Http, rateLimited403, type Transport } from '../../../src/core/http'
import { listLogger, virtualClock } from '../../harness/virtual-time'
import { commentMarker, renderComment } from '../../../src/github/comment'
import { formatAge } from '../../../src/providers/adobe/ops/prune-closed'

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

describe('the rate-limit gate', () => {
  // A runner whose clock is 90 s behind GitHub's: the reset is a time on GitHub's clock.
  const SKEW_MS = 90_000
  function client() {
    const clock = virtualClock(1_700_000_000_000)
    const log = listLogger()
    const deadline = new Deadline(600_000, clock)
    const sent: number[] = []
    const transport: Transport = async req => {
      const github = clock.now() + SKEW_MS
      sent.push(clock.now())
      const body = req.url.includes('/pulls/') ? { number: 1, state: 'open', merged: false, head: { repo: { full_name: 'acme/shop' } } } : {}
      return {
        status: 200,
        headers: { 'content-type': 'application/json', date: new Date(github).toUTCString(), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil((github + 10_000) / 1000)) },
        text: JSON.stringify(body)
      }
    }
    const http = new Http({ provider: GITHUB, deadline, log, transport })
    return { github: new GitHubClient(http, 'ghs_token', 'https://api.github.com', deadline, log), log, sent }
  }

  it('waits for the reset by GitHub\'s clock (its Date header), not the runner\'s, and says so', async () => {
    const { github, log, sent } = client()
    await github.pull('acme/shop', 1)
    await github.pull('acme/shop', 2)
    expect(sent).toHaveLength(2)
    const waited = sent[1] - sent[0]
    // about the 10 s GitHub asked for (whole seconds on both headers), never the 100 s the
    // runner's own clock would make of it
    expect(waited).toBeGreaterThanOrEqual(9_000)
    expect(waited).toBeLessThanOrEqual(12_000)
    expect(log.lines.join('\n')).toMatch(/GitHub: rate limit used up \(x-ratelimit-remaining: 0\); waiting 1\d s for its reset/)
  })
})
