import { describe, expect, it } from 'vitest'
import { SANDBOX_NAME_PATTERN } from '../../src/inputs'
import { defaultSandboxName, defaultSandboxTitle, randomSuffix, slug } from '../../src/naming'

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
