// The run as the runner describes it: its variables and the event file, read without Octokit.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { eventPayload, runInfoFromContext, runUrl } from '../../../src/core/run-info'

function eventFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json')
  writeFileSync(path, content)
  return path
}

const RUNNER = {
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_RUN_ID: '9876543210',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SERVER_URL: 'https://ghe.example.com',
  GITHUB_API_URL: 'https://ghe.example.com/api/v3',
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_WORKFLOW: 'CI',
  GITHUB_JOB: 'test'
}

describe('runInfoFromContext', () => {
  it('reads every field from the runner variables and the pull request from the event', () => {
    const info = runInfoFromContext({ ...RUNNER, GITHUB_EVENT_PATH: eventFile(JSON.stringify({ pull_request: { number: 42 } })) })
    expect(info).toEqual({
      repository: 'acme/shop',
      repo: 'shop',
      prNumber: 42,
      runId: 9876543210,
      runAttempt: 2,
      serverUrl: 'https://ghe.example.com',
      apiUrl: 'https://ghe.example.com/api/v3',
      eventName: 'pull_request',
      workflow: 'CI',
      job: 'test'
    })
    expect(runUrl(info)).toBe('https://ghe.example.com/acme/shop/actions/runs/9876543210')
  })

  it('outside the runner: a local name, github.com, run 0, attempt 1, no URL', () => {
    const info = runInfoFromContext({})
    expect(info).toEqual({ repository: '', repo: 'local', prNumber: undefined, runId: 0, runAttempt: 1, serverUrl: 'https://github.com', apiUrl: 'https://api.github.com', eventName: undefined, workflow: undefined, job: undefined })
    expect(runUrl(info)).toBeUndefined()
  })

  it("takes the repository from the event when GITHUB_REPOSITORY is unset", () => {
    const path = eventFile(JSON.stringify({ repository: { name: 'api', owner: { login: 'octo' } } }))
    expect(runInfoFromContext({ GITHUB_EVENT_PATH: path })).toMatchObject({ repository: 'octo/api', repo: 'api' })
  })

  it.each([
    ['not a number', 'abc'],
    ['zero', '0'],
    ['negative', '-3']
  ])('a run id or attempt that is %s counts as unknown', (_what, value) => {
    expect(runInfoFromContext({ GITHUB_RUN_ID: value, GITHUB_RUN_ATTEMPT: value })).toMatchObject({ runId: 0, runAttempt: 1 })
  })

  it('a pull request number that is not a number is no pull request', () => {
    const path = eventFile(JSON.stringify({ pull_request: { number: '42' } }))
    expect(runInfoFromContext({ ...RUNNER, GITHUB_EVENT_PATH: path }).prNumber).toBeUndefined()
  })
})

describe('eventPayload', () => {
  it.each([
    ['no event file', undefined],
    ['a missing file', '/nonexistent/event.json'],
    ['text that is not JSON', 'not json'],
    ['JSON that is not an object', '[1, 2]'],
    ['null', 'null']
  ])('is empty for %s', (what, content) => {
    const path = content === undefined ? undefined : what === 'a missing file' ? content : eventFile(content)
    expect(eventPayload({ GITHUB_EVENT_PATH: path })).toEqual({})
  })

  it('is the event object when it can be read', () => {
    expect(eventPayload({ GITHUB_EVENT_PATH: eventFile('{"action":"opened","number":7}') })).toEqual({ action: 'opened', number: 7 })
  })
})
