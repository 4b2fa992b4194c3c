// The post step's own settings from the environment: the grace period for a create of unknown
// outcome. Absent or unreadable values fall back to the default, never to zero. And which
// input set the URL a request goes to, for the message of a network failure.
import { describe, expect, it } from 'vitest'
import type { RunInfo } from '../../../src/core/run-info'
import { readInputs } from '../../../src/providers/inputs'
import { Secrets } from '../../../src/core/secrets'
import { createGraceMs, urlSources } from '../../../src/core/context'

describe('createGraceMs', () => {
  // At least the 60 s Adobe's gateway may hold a request before it answers.
  it('defaults to longer than the gateway holds a request', () => {
    expect(createGraceMs({})).toBeGreaterThanOrEqual(60_000)
    expect(createGraceMs({})).toBeLessThanOrEqual(600_000)
  })
  it.each([['0', 0], ['1500', 1500], ['90000', 90_000]])('EPHEMERAL_SANDBOX_CREATE_GRACE_MS=%s sets it', (v, ms) => {
    expect(createGraceMs({ EPHEMERAL_SANDBOX_CREATE_GRACE_MS: v })).toBe(ms)
  })
  it.each(['', 'soon', '-5', 'Infinity'])('an unreadable value (%j) keeps the default', v => {
    expect(createGraceMs({ EPHEMERAL_SANDBOX_CREATE_GRACE_MS: v })).toBe(createGraceMs({}))
  })
})

describe('urlSources: the input behind a request URL, for network-failure messages', () => {
  const secrets = new Secrets(() => undefined)
  const adobe = (extra: Record<string, string> = {}) =>
    readInputs(
      name => ({ provider: 'adobe', 'adobe-client-id': 'cid', 'adobe-client-secret': 'cs', 'adobe-org-id': 'ABC@AdobeOrg', ...extra })[name] ?? '',
      {},
      secrets
    )
  const trackstar = (extra: Record<string, string> = {}) => readInputs(name => ({ provider: 'trackstar', 'trackstar-api-key': 'k', ...extra })[name] ?? '', {}, secrets)
  const run = (apiUrl?: string): RunInfo => ({ repository: 'acme/app', repo: 'app', runId: 1, serverUrl: 'https://github.com', apiUrl })

  it.each([
    ['the default IMS', adobe(), 'https://ims-na1.adobelogin.com/ims/token/v3', 'the `adobe-ims-url` input'],
    ['the default Platform', adobe(), 'https://platform.adobe.io/data/foundation/sandbox-management/sandboxes?limit=50', 'the `adobe-platform-url` input'],
    ['a Platform URL with a path', adobe({ 'adobe-platform-url': 'https://gw.example/aep/' }), 'https://gw.example/aep/data/foundation/x', 'the `adobe-platform-url` input'],
    ['a path that only starts the same', adobe({ 'adobe-platform-url': 'https://gw.example/aep' }), 'https://gw.example/aep2/data', undefined],
    ['the scheme\'s own port written out', adobe({ 'adobe-ims-url': 'https://ims.example:443' }), 'https://ims.example/ims/token/v3', 'the `adobe-ims-url` input'],
    ['another port', adobe({ 'adobe-ims-url': 'http://127.0.0.1:4010' }), 'http://127.0.0.1:4011/ims/token/v3', undefined],
    ['the longest base wins', adobe({ 'adobe-ims-url': 'http://127.0.0.1:4010', 'adobe-platform-url': 'http://127.0.0.1:4010/platform' }), 'http://127.0.0.1:4010/platform/data', 'the `adobe-platform-url` input'],
    ['one base set by two inputs names both', adobe({ 'adobe-ims-url': 'http://127.0.0.1:4010', 'adobe-platform-url': 'http://127.0.0.1:4010' }), 'http://127.0.0.1:4010/data', 'the `adobe-ims-url` input and the `adobe-platform-url` input'],
    ['Trackstar', trackstar({ 'trackstar-api-url': 'http://localhost:9000' }), 'http://localhost:9000/sandbox/generate-sandbox/wms', 'the `trackstar-api-url` input'],
    ['the Adobe inputs are not Trackstar\'s', trackstar(), 'https://platform.adobe.io/data', undefined],
    ['GitHub', adobe(), 'https://api.github.com/repos/acme/app/pulls/1', "the runner's `GITHUB_API_URL` variable"],
    ['GitHub Enterprise Server', adobe(), 'https://ghe.example/api/v3/repos/acme/app', "the runner's `GITHUB_API_URL` variable", 'https://ghe.example/api/v3/'],
    ['a host in another case', trackstar({ 'trackstar-api-url': 'https://API.example' }), 'https://api.example/x', 'the `trackstar-api-url` input'],
    ['not a URL', trackstar(), 'nonsense', undefined]
  ])('%s', (_case, inputs, url, expected, apiUrl = 'https://api.github.com') => {
    expect(urlSources(inputs, run(apiUrl))(url)).toBe(expected)
  })

  it('without GITHUB_API_URL, no GitHub source', () => {
    expect(urlSources(adobe(), run(undefined))('https://api.github.com/x')).toBeUndefined()
  })
})
