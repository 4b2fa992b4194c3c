import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assertSecretsNotWithheld, credentialsMissing, emptyCredentials, SecretsWithheldError, triggerFromEnv, withheldReason, type Trigger } from '../../src/fork'

const fork: Trigger = {
  event: 'pull_request',
  actors: ['someone'],
  payload: { pull_request: { head: { repo: { full_name: 'someone/app' } }, base: { repo: { full_name: 'acme/app' } } } }
}
const inputs = (values: Record<string, string>) => (name: string): string => values[name] ?? ''

describe('withheldReason', () => {
  it('names a fork pull request with both repositories', () => {
    expect(withheldReason(fork)).toContain('someone/app into acme/app')
  })
  it.each(['pull_request_review', 'pull_request_review_comment'])('holds for %s too', event => {
    expect(withheldReason({ ...fork, event })).toBeDefined()
  })
  it('pull_request_target gets secrets: no reason', () => {
    expect(withheldReason({ ...fork, event: 'pull_request_target' })).toBeUndefined()
  })
  it('a pull request inside the repository: no reason', () => {
    const same = { pull_request: { head: { repo: { full_name: 'acme/app' } }, base: { repo: { full_name: 'acme/app' } } } }
    expect(withheldReason({ ...fork, payload: same })).toBeUndefined()
  })
  it('a push: no reason', () => {
    expect(withheldReason({ event: 'push', actors: ['someone'], payload: {} })).toBeUndefined()
  })
  it('Dependabot as actor or triggering actor, on any event', () => {
    expect(withheldReason({ event: 'push', actors: ['dependabot[bot]'], payload: {} })).toContain('Dependabot secrets')
    expect(withheldReason({ event: 'pull_request', actors: ['someone', 'dependabot[bot]'], payload: {} })).toContain('Dependabot')
  })
})

describe('credentialsMissing', () => {
  it.each([
    [{ provider: 'trackstar' }, {}, true],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k' }, {}, false],
    [{ provider: 'trackstar' }, { TRACKSTAR_API_KEY: 'k' }, false],
    [{ provider: 'adobe', 'adobe-client-id': 'id' }, {}, true],
    [{ provider: 'adobe', 'adobe-client-secret': 's' }, {}, false],
    [{ provider: 'adobe' }, { ADOBE_ACCESS_TOKEN: 't' }, false],
    [{ provider: 'adobe', 'adobe-access-token': 't' }, {}, false],
    [{ provider: 'aws' }, {}, false]
  ])('%j with env %j: %s', (values, env, missing) => {
    expect(credentialsMissing(inputs(values), env)).toBe(missing)
  })
})

describe('emptyCredentials', () => {
  it.each([
    [{ provider: 'trackstar' }, {}, ['`trackstar-api-key` (or TRACKSTAR_API_KEY)']],
    [{ provider: 'trackstar' }, { TRACKSTAR_API_KEY: ' ' }, ['`trackstar-api-key` (or TRACKSTAR_API_KEY)']],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k' }, {}, []],
    [{ provider: 'adobe' }, {}, ['`adobe-client-id` (or ADOBE_CLIENT_ID)', '`adobe-client-secret` (or ADOBE_CLIENT_SECRET)', '`adobe-access-token` (or ADOBE_ACCESS_TOKEN)']],
    [{ provider: 'adobe', 'adobe-client-id': 'id' }, {}, ['`adobe-client-secret` (or ADOBE_CLIENT_SECRET)', '`adobe-access-token` (or ADOBE_ACCESS_TOKEN)']],
    [{ provider: 'adobe' }, { ADOBE_CLIENT_ID: 'id', ADOBE_ACCESS_TOKEN: 't' }, ['`adobe-client-secret` (or ADOBE_CLIENT_SECRET)']],
    [{ provider: 'aws' }, {}, []]
  ])('%j with env %j: %j', (values, env, expected) => {
    expect(emptyCredentials(inputs(values), env)).toEqual(expected)
  })
})

describe('assertSecretsNotWithheld', () => {
  it.each([
    [{ provider: 'trackstar' }, 'The trackstar credentials are empty: `trackstar-api-key` (or TRACKSTAR_API_KEY) is not set, because this run is for a pull request from a fork'],
    [
      { provider: 'adobe', 'adobe-client-id': 'id' },
      'The adobe credentials are empty: `adobe-client-secret` (or ADOBE_CLIENT_SECRET) and `adobe-access-token` (or ADOBE_ACCESS_TOKEN) are not set, because this run'
    ],
    [
      { provider: 'adobe' },
      'The adobe credentials are empty: `adobe-client-id` (or ADOBE_CLIENT_ID), `adobe-client-secret` (or ADOBE_CLIENT_SECRET) and `adobe-access-token` (or ADOBE_ACCESS_TOKEN) are not set, because'
    ]
  ])('names the empty inputs: %j', (values, start) => {
    expect(() => assertSecretsNotWithheld(inputs(values), {}, fork)).toThrow(start)
  })

  it('throws only when credentials are missing and GitHub withheld them', () => {
    expect(() => assertSecretsNotWithheld(inputs({ provider: 'trackstar' }), {}, fork)).toThrow(SecretsWithheldError)
    expect(() => assertSecretsNotWithheld(inputs({ provider: 'trackstar', 'trackstar-api-key': 'k' }), {}, fork)).not.toThrow()
    expect(() => assertSecretsNotWithheld(inputs({ provider: 'trackstar' }), {}, { ...fork, event: 'push' })).not.toThrow()
  })
  it('reads the trigger from the runner\'s environment; an unreadable payload is no pull request', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fork-'))
    const path = join(dir, 'event.json')
    writeFileSync(path, JSON.stringify(fork.payload))
    expect(triggerFromEnv({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path, GITHUB_ACTOR: 'someone' })).toEqual(fork)
    writeFileSync(path, '{not json')
    expect(withheldReason(triggerFromEnv({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path }))).toBeUndefined()
  })
})
