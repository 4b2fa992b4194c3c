import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assertSecretsNotWithheld, credentialsMissing, emptyCredentials, SecretsWithheldError, triggerFromEnv, withheldReason, type Trigger } from '../../../src/runner/fork'

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

describe('the messages, word for word', () => {
  const payload = (head: unknown, base: unknown) => ({ pull_request: { head, base } })
  it('Dependabot', () => {
    expect(withheldReason({ event: 'push', actors: ['dependabot[bot]'], payload: {} })).toBe(
      "this run was started by Dependabot (dependabot[bot]), and GitHub gives such runs Dependabot secrets only, not Actions secrets. Add the credentials as Dependabot secrets with the same names (Settings → Secrets and variables → Dependabot), or skip the step for Dependabot (if: github.actor != 'dependabot[bot]')"
    )
  })

  it('a fork, and a deleted fork, and a pull request whose repositories cannot be read', () => {
    const tail = ", and GitHub gives such runs no secrets. Skip the step for forks (if: github.event.pull_request.head.repo.full_name == github.repository), or run the sandbox job from a trusted trigger after review (a maintainer's label, workflow_run, or a push to a branch of this repository)"
    expect(withheldReason({ event: 'pull_request', actors: [], payload: payload({ repo: { full_name: 'me/x' } }, { repo: { full_name: 'acme/x' } }) })).toBe(`this run is for a pull request from a fork (me/x into acme/x)${tail}`)
    expect(withheldReason({ event: 'pull_request', actors: [], payload: payload({ repo: null }, { repo: { full_name: 'acme/x' } }) })).toBe(`this run is for a pull request from a fork (a deleted repository into acme/x)${tail}`)
    expect(withheldReason({ event: 'pull_request', actors: [], payload: payload(undefined, undefined) })).toBe(`this run is for a pull request from a fork (a deleted repository into this repository)${tail}`)
    expect(withheldReason({ event: 'pull_request', actors: [], payload: payload({ repo: { full_name: 5 } }, { repo: { full_name: 5 } }) })).toBe(`this run is for a pull request from a fork (a deleted repository into this repository)${tail}`)
  })

  it('the error names the empty inputs, the reason and the guide', () => {
    const env = { GITHUB_EVENT_NAME: 'push', GITHUB_ACTOR: 'dependabot[bot]' }
    const get = (n: string): string => ({ provider: 'adobe' })[n as 'provider'] ?? ''
    let err: unknown
    try {
      assertSecretsNotWithheld(get, env)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SecretsWithheldError)
    expect((err as Error).name).toBe('SecretsWithheldError')
    expect((err as Error).message).toBe(
      'The adobe credentials are empty: `adobe-client-id` (or ADOBE_CLIENT_ID), `adobe-client-secret` (or ADOBE_CLIENT_SECRET) and `adobe-access-token` (or ADOBE_ACCESS_TOKEN) are not set, because ' +
        withheldReason(triggerFromEnv(env)) +
        ". Do not switch to pull_request_target to get the secrets while building the pull request's code: that runs untrusted code with your secrets (see https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/)"
    )
    const ts = (n: string): string => ({ provider: 'trackstar' })[n as 'provider'] ?? ''
    expect(() => assertSecretsNotWithheld(ts, env)).toThrow(/^The trackstar credentials are empty: `trackstar-api-key` \(or TRACKSTAR_API_KEY\) is not set, because this run was started by Dependabot/)
  })

  it('the trigger: event and actors from the environment, empty ones left out', () => {
    expect(triggerFromEnv({})).toMatchObject({ event: '', actors: [] })
    expect(triggerFromEnv({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_TRIGGERING_ACTOR: 'dependabot[bot]' })).toMatchObject({ event: 'pull_request', actors: ['dependabot[bot]'] })
    expect(triggerFromEnv({ GITHUB_ACTOR: 'a', GITHUB_TRIGGERING_ACTOR: 'b' }).actors).toEqual(['a', 'b'])
  })

  it('credentials present only in the environment, blank or not', () => {
    const get = (n: string): string => ({ provider: 'adobe' })[n as 'provider'] ?? ''
    expect(credentialsMissing(get, { ADOBE_CLIENT_SECRET: '  ' })).toBe(true)
    expect(credentialsMissing(get, { ADOBE_CLIENT_SECRET: 's' })).toBe(false)
    expect(credentialsMissing(get, { ADOBE_ACCESS_TOKEN: 't' })).toBe(false)
    expect(credentialsMissing(get, {})).toBe(true)
  })
})
