import { describe, expect, it } from 'vitest'
import { SANDBOX_NAME_PATTERN } from '../../../src/core/inputs'
import { defaultSandboxName, defaultSandboxTitle, lifetimeFor, parseSandboxTitle, randomSuffix, slug } from '../../../src/core/naming'

const run = { repository: 'Acme/My.Repo_Name', repo: 'My.Repo_Name', runId: 123, serverUrl: 'https://github.com' }

describe('default sandbox names', () => {
  it('names pull requests and runs readably', () => {
    expect(defaultSandboxName({ ...run, prNumber: 5 }, 'abc123')).toBe('gh-my-repo-name-pr-5-abc123')
    expect(defaultSandboxName(run, 'abc123')).toBe('gh-my-repo-name-run-123-abc123')
  })

  it('stays valid for very long or odd repository names', () => {
    for (const repo of ['x'.repeat(400), '___', '9-lives', 'ÜBER-repo', '-a-']) {
      const name = defaultSandboxName({ ...run, repo, prNumber: 123456 })
      expect(name).toMatch(SANDBOX_NAME_PATTERN)
      expect(name.length).toBeLessThanOrEqual(256)
      expect(name).toMatch(/-pr-123456-[a-z0-9]{6}$/)
    }
  })

  it('is unique per invocation', () => {
    const names = new Set(Array.from({ length: 200 }, () => defaultSandboxName(run)))
    expect(names.size).toBe(200)
  })

  it('random suffixes use only [a-z0-9]', () => {
    expect(randomSuffix()).toMatch(/^[a-z0-9]{6}$/)
  })

  it('slugs fold other characters into single hyphens', () => {
    expect(slug('My..Repo__Name')).toBe('my-repo-name')
  })

  it('titles name the repository, the PR and the run URL', () => {
    const title = defaultSandboxTitle({ ...run, prNumber: 5 })
    expect(title).toContain('Acme/My.Repo_Name')
    expect(title).toContain('PR #5')
    expect(title).toContain('https://github.com/Acme/My.Repo_Name/actions/runs/123')
  })
})

describe('the default title, machine-readable', () => {
  const info = { repository: 'acme/shop', repo: 'shop', runId: 9876543210, runAttempt: 2, serverUrl: 'https://github.com' }

  it('reads as docs/github.md documents it', () => {
    expect(defaultSandboxTitle({ ...info, prNumber: 12 }, 'run')).toBe(
      'CI sandbox of acme/shop PR #12 (run 9876543210 attempt 2): deleted when the run ends. https://github.com/acme/shop/actions/runs/9876543210'
    )
    expect(defaultSandboxTitle({ ...info, prNumber: 12 }, 'pr')).toBe(
      'CI sandbox of acme/shop PR #12 (run 9876543210 attempt 2): kept until the PR closes. https://github.com/acme/shop/actions/runs/9876543210'
    )
    expect(defaultSandboxTitle(info, 'kept')).toBe('CI sandbox of acme/shop (run 9876543210 attempt 2): kept after the run. https://github.com/acme/shop/actions/runs/9876543210')
  })

  it('round-trips through the parser', () => {
    expect(parseSandboxTitle(defaultSandboxTitle({ ...info, prNumber: 12 }, 'run'))).toEqual({ repository: 'acme/shop', prNumber: 12, runId: 9876543210, runAttempt: 2, lifetime: 'run' })
    expect(parseSandboxTitle(defaultSandboxTitle(info, 'kept'))).toEqual({ repository: 'acme/shop', runId: 9876543210, runAttempt: 2, lifetime: 'kept' })
  })

  it('the lifetime follows cleanup: deleted by the post step, or kept for the PR, or kept', () => {
    expect(lifetimeFor('auto', { ...info, prNumber: 1 })).toBe('run')
    expect(lifetimeFor('delete', info)).toBe('run')
    expect(lifetimeFor('none', { ...info, prNumber: 1 })).toBe('pr')
    expect(lifetimeFor('reset', info)).toBe('kept')
  })

  it('stays within 256 characters for the longest repository names, dropping the URL first', () => {
    const long = { ...info, repository: `${'o'.repeat(39)}/${'r'.repeat(100)}`, repo: 'r'.repeat(100), prNumber: 1234567890, runId: 999999999999999, runAttempt: 99 }
    const title = defaultSandboxTitle(long, 'pr')
    expect(title.length).toBeLessThanOrEqual(256)
    expect(title).not.toContain('https://')
    expect(parseSandboxTitle(title)).toMatchObject({ repository: long.repository, prNumber: 1234567890, runId: 999999999999999, lifetime: 'pr' })
  })

  it.each([
    ['a person\'s title', 'Team sandbox'],
    ['the older format', 'CI sandbox for acme/shop PR #5 (https://github.com/acme/shop/actions/runs/1)'],
    ['a PR lifetime without a PR', 'CI sandbox of acme/shop (run 1 attempt 1): kept until the PR closes.'],
    ['text after the URL', 'CI sandbox of acme/shop (run 1 attempt 1): kept after the run. https://x y'],
    ['a repository without an owner', 'CI sandbox of shop (run 1 attempt 1): kept after the run.'],
    ['a run id too long to read exactly', 'CI sandbox of acme/shop (run 12345678901234567 attempt 1): kept after the run.'],
    ['nothing', undefined]
  ])('reads nothing from %s', (_what, title) => {
    expect(parseSandboxTitle(title)).toBeUndefined()
  })
})
