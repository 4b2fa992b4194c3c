// Every input error, word for word: the message is what a user reads to fix a workflow, so the
// text is part of the contract. Each names the input, what it got and what is accepted.
import { describe, expect, it } from 'vitest'
import { InputError } from '../../../src/core/errors'
import { readInputs } from '../../../src/providers/inputs'
import { Secrets } from '../../../src/core/secrets'

const A = { provider: 'adobe', 'adobe-client-id': 'cid', 'adobe-client-secret': 'sec', 'adobe-org-id': 'ABC123@AdobeOrg' }
const T = { provider: 'trackstar', 'trackstar-api-key': 'k' }
const read = (inputs: Record<string, string>, env: Record<string, string> = {}) => readInputs(n => inputs[n] ?? '', env, new Secrets(() => undefined))

const CASES: [string, Record<string, string>, string][] = [
  ['no provider', {}, 'Input `provider`: is required'],
  ['an unknown provider', { provider: 'aws' }, 'Input `provider`: got "aws"; accepted values: trackstar, adobe'],
  ['an unknown cleanup', { ...T, cleanup: 'sometimes' }, 'Input `cleanup`: got "sometimes"; accepted values: auto, delete, reset, none'],
  ['an unknown trackstar operation', { ...T, operation: 'create' }, 'Input `operation`: got "create"; accepted values: generate, delete'],
  ['trackstar delete with cleanup reset', { ...T, operation: 'delete', cleanup: 'reset' }, 'Input `cleanup`: cannot be "reset" after operation "delete" (there is nothing left to reset); use auto or none'],
  ['trackstar without a key', { provider: 'trackstar' }, 'Input `trackstar-api-key`: is required (or set the TRACKSTAR_API_KEY environment variable)'],
  ['an unknown integration type', { ...T, 'integration-type': 'erp' }, 'Input `integration-type`: got "erp"; accepted values: wms, cart, carrier'],
  ['a boolean that is not one', { ...T, verify: 'yes' }, 'Input `verify`: got "yes"; accepted values: true, false'],
  ['a timeout of 0', { ...T, timeout: '0' }, 'Input `timeout`: got "0"; expected a duration from 1 s to 6 h: seconds (900) or with a unit (90s, 15m, 1h)'],
  ['a timeout past 6 h', { ...T, timeout: '21601' }, 'Input `timeout`: got "21601"; expected a duration from 1 s to 6 h: seconds (900) or with a unit (90s, 15m, 1h)'],
  ['a timeout with a unit it does not know', { ...T, timeout: '1d' }, 'Input `timeout`: got "1d"; expected a duration from 1 s to 6 h: seconds (900) or with a unit (90s, 15m, 1h)'],
  ['a cleanup-timeout that is not a duration', { ...T, 'cleanup-timeout': 'soon' }, 'Input `cleanup-timeout`: got "soon"; expected a duration from 1 s to 6 h: seconds (900) or with a unit (90s, 15m, 1h)'],
  ['an ftp URL', { ...T, 'trackstar-api-url': 'ftp://example.com' }, 'Input `trackstar-api-url`: "ftp://example.com" must use https:// (http:// is accepted only for localhost, 127.0.0.0/8 and [::1])'],
  ['http to a host that is not loopback', { ...T, 'trackstar-api-url': 'http://example.com' }, 'Input `trackstar-api-url`: "http://example.com" must use https:// (http:// is accepted only for localhost, 127.0.0.0/8 and [::1])'],
  ['http to 127.1.2.3000', { ...T, 'adobe-ims-url': 'http://127.1.2.3000' }, 'Input `adobe-ims-url`: "http://127.1.2.3000" is not a URL; expected for example https://example.com'],
  ['a URL with credentials', { ...T, 'adobe-platform-url': 'https://u:p@example.com' }, 'Input `adobe-platform-url`: must not contain credentials; use the key inputs'],
  ['a URL with only a user', { ...T, 'adobe-platform-url': 'https://u@example.com' }, 'Input `adobe-platform-url`: must not contain credentials; use the key inputs'],
  ['a URL with a query', { ...T, 'adobe-platform-url': 'https://example.com/?a=1' }, 'Input `adobe-platform-url`: "https://example.com/?a=1" must be a base URL without a query or fragment'],
  ['a URL with a fragment', { ...T, 'adobe-platform-url': 'https://example.com/#f' }, 'Input `adobe-platform-url`: "https://example.com/#f" must be a base URL without a query or fragment'],
  ['not a URL', { ...T, 'adobe-ims-url': 'example.com' }, 'Input `adobe-ims-url`: "example.com" is not a URL; expected for example https://example.com'],
  ['an unknown if-exists', { ...T, 'if-exists': 'replace' }, 'Input `if-exists`: got "replace"; accepted values: reuse, reset, fail'],
  ['an unknown if-full', { ...T, 'if-full': 'queue' }, 'Input `if-full`: got "queue"; accepted values: wait, fail'],
  ['a prune age of 0', { ...T, 'prune-older-than': '0' }, 'Input `prune-older-than`: got "0"; expected an age such as 90m, 24h, 7d or a number of seconds'],
  ['a prune age in weeks', { ...T, 'prune-older-than': '2w' }, 'Input `prune-older-than`: got "2w"; expected an age such as 90m, 24h, 7d or a number of seconds'],
  ['maintain without a pool', { ...A, operation: 'maintain' }, 'Input `pool`: is required for operation "maintain": comma-separated sandbox names, or a prefix ending in * (ci-pool-*)'],
  ['maintain of a prefix pool without a size', { ...A, operation: 'maintain', pool: 'ci-pool-*' }, 'Input `pool-size`: is required for operation "maintain" with a prefix pool ("ci-pool-*"): how many sandboxes it should hold, 1 to 100'],
  ['a pool size of 0', { ...A, operation: 'maintain', pool: 'ci-pool-*', 'pool-size': '0' }, 'Input `pool-size`: got "0"; expected a whole number from 1 to 100'],
  ['a pool size past 100', { ...A, operation: 'maintain', pool: 'ci-pool-*', 'pool-size': '101' }, 'Input `pool-size`: got "101"; expected a whole number from 1 to 100'],
  ['a pool size that is not a number', { ...A, operation: 'maintain', pool: 'ci-pool-*', 'pool-size': '3.5' }, 'Input `pool-size`: got "3.5"; expected a whole number from 1 to 100'],
  ['a pool size past the listed names', { ...A, operation: 'maintain', pool: 'a-1,a-2', 'pool-size': '3' }, 'Input `pool-size`: is 3, but the pool lists 2 names: list more names, use a prefix pool (ci-pool-*), or leave pool-size empty'],
  ['a pool size with lease', { ...A, operation: 'lease', pool: 'ci-pool-*', 'pool-size': '3' }, 'Input `pool-size`: applies to operation "maintain" only, not "lease"'],
  ['maintain with cleanup delete', { ...A, operation: 'maintain', pool: 'ci-pool-*', 'pool-size': '3', cleanup: 'delete' }, 'Input `cleanup`: cannot be "delete" with operation "maintain" (it keeps the pool, and holds no member when it ends); use auto or none'],
  ['reseed-on-release without a package', { ...A, operation: 'lease', pool: 'ci-pool-*', 'reseed-on-release': 'true' }, 'Input `reseed-on-release`: needs adobe-package-id: it imports that package again after the release reset'],
  ['reseed-on-release with create', { ...A, 'reseed-on-release': 'true', 'adobe-package-id': 'p1' }, 'Input `reseed-on-release`: applies to operation "lease" only, not "create"'],
  ['a heartbeat that is not a boolean', { ...A, operation: 'lease', pool: 'ci-pool-*', heartbeat: 'on' }, 'Input `heartbeat`: got "on"; accepted values: true, false'],
  ['an unknown adobe operation', { ...A, operation: 'copy' }, 'Input `operation`: got "copy"; accepted values: create, reset, delete, prune, lease, get, maintain'],
  ['delete with cleanup reset', { ...A, operation: 'delete', 'sandbox-name': 'x', cleanup: 'reset' }, 'Input `cleanup`: cannot be "reset" after operation "delete"; use auto or none'],
  ['prune with cleanup reset', { ...A, operation: 'prune', 'prune-prefix': 'gh-', cleanup: 'reset' }, 'Input `cleanup`: cannot be "reset" after operation "prune"; use auto or none'],
  ['prune with cleanup delete', { ...A, operation: 'prune', 'prune-prefix': 'gh-', cleanup: 'delete' }, 'Input `cleanup`: cannot be "delete" with operation "prune" (prune deletes already); use auto or none'],
  ['lease with cleanup delete', { ...A, operation: 'lease', pool: 'ci-*', cleanup: 'delete' }, 'Input `cleanup`: cannot be "delete" with operation "lease" (pool sandboxes are kept: the post step releases them); use auto, reset or none'],
  ['get with cleanup delete', { ...A, operation: 'get', 'sandbox-name': 'x', cleanup: 'delete' }, 'Input `cleanup`: cannot be "delete" with operation "get" (get changes nothing and leaves nothing to undo); use auto or none'],
  ['get with cleanup reset', { ...A, operation: 'get', 'sandbox-name': 'x', cleanup: 'reset' }, 'Input `cleanup`: cannot be "reset" with operation "get" (get changes nothing and leaves nothing to undo); use auto or none'],
  ['no Adobe credentials', { provider: 'adobe', 'adobe-org-id': 'ABC123@AdobeOrg' }, 'Input `adobe-client-id`: Adobe credentials are missing: set adobe-client-id and adobe-client-secret (or ADOBE_CLIENT_ID and ADOBE_CLIENT_SECRET), or adobe-access-token (or ADOBE_ACCESS_TOKEN)'],
  ['a client id without a secret', { provider: 'adobe', 'adobe-client-id': 'cid', 'adobe-org-id': 'ABC123@AdobeOrg' }, 'Input `adobe-client-secret`: is required (or set the ADOBE_CLIENT_SECRET environment variable)'],
  ['a secret without a client id', { provider: 'adobe', 'adobe-client-secret': 'sec', 'adobe-org-id': 'ABC123@AdobeOrg' }, 'Input `adobe-client-id`: is required (or set the ADOBE_CLIENT_ID environment variable)'],
  ['a scope with a space', { ...A, 'adobe-scopes': 'openid,bad scope' }, 'Input `adobe-scopes`: "bad scope" is not a scope; expected a comma-separated list such as openid,session,AdobeID,read_organizations,additional_info.projectedProductContext'],
  ['scopes that are all commas', { ...A, 'adobe-scopes': ',, ,' }, 'Input `adobe-scopes`: is empty; expected a comma-separated list such as openid,session,AdobeID,read_organizations,additional_info.projectedProductContext'],
  ['a token without an API key', { provider: 'adobe', 'adobe-access-token': 'tok', 'adobe-org-id': 'ABC123@AdobeOrg' }, 'Input `adobe-api-key`: is required with adobe-access-token (or set ADOBE_API_KEY, or adobe-client-id, which is the API key by default)'],
  ['no org id', { provider: 'adobe', 'adobe-client-id': 'cid', 'adobe-client-secret': 'sec' }, 'Input `adobe-org-id`: is required (or set the ADOBE_ORG_ID environment variable)'],
  ['an org id without @AdobeOrg', { ...A, 'adobe-org-id': 'ABC123' }, 'Input `adobe-org-id`: got "ABC123"; expected an IMS organization id such as 0123456789ABCDEF01234567@AdobeOrg'],
  ['an org id with a prefix', { ...A, 'adobe-org-id': 'x ABC123@AdobeOrg' }, 'Input `adobe-org-id`: got "x ABC123@AdobeOrg"; expected an IMS organization id such as 0123456789ABCDEF01234567@AdobeOrg'],
  ['an org id with a suffix', { ...A, 'adobe-org-id': 'ABC123@AdobeOrgs' }, 'Input `adobe-org-id`: got "ABC123@AdobeOrgs"; expected an IMS organization id such as 0123456789ABCDEF01234567@AdobeOrg'],
  ['a sandbox name with capitals and underscores', { ...A, 'sandbox-name': 'gh-Shop_API-pr-1' }, 'Input `sandbox-name`: "gh-Shop_API-pr-1" is not a valid sandbox name; it must start with a lowercase letter and hold only lowercase letters, digits and hyphens, at most 256 characters; did you mean "gh-shop-api-pr-1"?'],
  ['a sandbox name with a slash', { ...A, 'sandbox-name': 'a/b' }, 'Input `sandbox-name`: "a/b" is not a valid sandbox name; it must start with a lowercase letter and hold only lowercase letters, digits and hyphens, at most 256 characters'],
  ['reset without a sandbox name', { ...A, operation: 'reset' }, 'Input `sandbox-name`: is required for operation "reset" (name the sandbox to reset)'],
  ['delete without a sandbox name', { ...A, operation: 'delete' }, 'Input `sandbox-name`: is required for operation "delete" (name the sandbox to delete)'],
  ['get without a sandbox name', { ...A, operation: 'get' }, 'Input `sandbox-name`: is required for operation "get" (name the sandbox to read)'],
  ['a title of 257 characters', { ...A, 'sandbox-title': 'x'.repeat(257) }, 'Input `sandbox-title`: is longer than 256 characters'],
  ['a role with delete', { ...A, operation: 'delete', 'sandbox-name': 'x', 'adobe-role-id': 'r1' }, 'Input `adobe-role-id`: applies to operations create, reset, lease and maintain only, not "delete"'],
  ['a package with prune', { ...A, operation: 'prune', 'prune-prefix': 'gh-', 'adobe-package-id': 'p1' }, 'Input `adobe-package-id`: applies to operations create, reset, lease and maintain only, not "prune"'],
  ['a role without waiting', { ...A, wait: 'false', 'adobe-role-id': 'r1' }, 'Input `adobe-role-id`: needs wait: true (the sandbox must be active before it can be granted or seeded)'],
  ['a package without waiting', { ...A, wait: 'false', 'adobe-package-id': 'p1' }, 'Input `adobe-package-id`: needs wait: true (the sandbox must be active before it can be granted or seeded)'],
  ['prune-closed with create', { ...A, 'prune-closed': 'true', 'github-token': 'ghs_x' }, 'Input `prune-closed`: applies to operation "prune" only, not "create"; remove it or set operation: prune'],
  ['prune-closed without a token', { ...A, operation: 'prune', 'prune-prefix': 'gh-', 'prune-closed': 'true' }, 'Input `github-token`: is required with prune-closed: true; the default ${{ github.token }} works when the job has permissions pull-requests: read and actions: read'],
  ['prune-closed with the unevaluated default token', { ...A, operation: 'prune', 'prune-prefix': 'gh-', 'prune-closed': 'true', 'github-token': '${{ github.token }}' }, 'Input `github-token`: is required with prune-closed: true; the default ${{ github.token }} works when the job has permissions pull-requests: read and actions: read'],
  ['a lease-ttl under a minute', { ...A, 'lease-ttl': '59s' }, 'Input `lease-ttl`: got "59s"; a lease shorter than a minute would expire while its job still uses the sandbox (at least 60s)'],
  ['a lease-ttl past 6 h', { ...A, 'lease-ttl': '7h' }, 'Input `lease-ttl`: got "7h"; a lease cannot outlive the job that holds it (at most 6h)'],
  ['a lease without a pool', { ...A, operation: 'lease' }, 'Input `pool`: is required for operation "lease": comma-separated sandbox names, or a prefix ending in * (ci-pool-*)'],
]

describe('input errors, word for word', () => {
  it.each(CASES)('%s', (_what, inputs, message) => {
    let thrown: unknown
    try {
      read(inputs)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(InputError)
    expect((thrown as Error).message).toBe(message)
  })
})

describe('what is accepted, at the edges', () => {
  it.each([
    ['1', 1],
    ['21600', 21_600],
    ['6h', 21_600],
    ['90s', 90],
    ['15m', 900],
    ['5 m', 300]
  ])('timeout %s is %i s', (value, seconds) => expect(read({ ...T, timeout: value }).timeoutSeconds).toBe(seconds))

  it.each([
    ['True', true],
    ['TRUE', true],
    ['true', true],
    ['False', false],
    ['FALSE', false],
    ['false', false],
    ['', false]
  ])('export-env %j is %s', (value, on) => expect(read({ ...T, 'export-env': value }).exportEnv).toBe(on))

  it.each([
    ['https://example.com/', 'https://example.com'],
    ['https://example.com/api///', 'https://example.com/api'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000'],
    ['http://127.255.0.9', 'http://127.255.0.9'],
    ['http://[::1]:3000', 'http://[::1]:3000']
  ])('the URL %s is kept as %s', (value, url) => {
    const r = read({ ...T, 'trackstar-api-url': value })
    expect(r.provider === 'trackstar' && r.apiUrl).toBe(url)
  })

  it('defaults: every optional input has the value action.yml documents', () => {
    const r = read(A)
    expect(r).toMatchObject({ cleanup: 'auto', timeoutSeconds: 900, cleanupTimeoutSeconds: 600, wait: true, summary: true, exportEnv: false, operation: 'create' })
    if (r.provider !== 'adobe') throw new Error('adobe expected')
    expect(r).toMatchObject({
      imsUrl: 'https://ims-na1.adobelogin.com',
      platformUrl: 'https://platform.adobe.io',
      ifExists: 'reuse',
      ignoreWarnings: false,
      allowProduction: false,
      pruneOlderThanSeconds: 86_400,
      dryRun: false,
      ifFull: 'wait',
      roleIds: [],
      pruneClosed: false,
      prComment: false,
      githubToken: '',
      apiKey: 'cid'
    })
    expect(r.auth).toEqual({ kind: 'client', clientId: 'cid', clientSecret: 'sec', scopes: ['openid', 'session', 'AdobeID', 'read_organizations', 'additional_info.projectedProductContext'] })
    const t = read(T)
    expect(t).toMatchObject({ operation: 'generate', integrationType: 'wms', verify: true, apiUrl: 'https://production.trackstarhq.com' })
  })

  it('a title of exactly 256 characters is taken', () => {
    const r = read({ ...A, 'sandbox-title': 'x'.repeat(256) })
    expect(r.provider === 'adobe' && r.sandboxTitle?.length).toBe(256)
  })

  it('scopes are trimmed and empty items dropped', () => {
    const r = read({ ...A, 'adobe-scopes': ' openid , ,AdobeID ' })
    expect(r.provider === 'adobe' && r.auth.kind === 'client' && r.auth.scopes).toEqual(['openid', 'AdobeID'])
  })

  it('credentials: inputs win over the environment, a given token over client credentials', () => {
    const env = { ADOBE_ACCESS_TOKEN: 'env-token', ADOBE_CLIENT_ID: 'env-id', ADOBE_CLIENT_SECRET: 'env-sec', ADOBE_ORG_ID: 'ENV1@AdobeOrg', ADOBE_API_KEY: 'env-key' }
    const base = { provider: 'adobe' }
    // the environment alone: the token (it wins over client credentials from the environment)
    const fromEnv = read(base, env)
    expect(fromEnv.provider === 'adobe' && fromEnv.auth).toEqual({ kind: 'token', token: 'env-token' })
    expect(fromEnv.provider === 'adobe' && [fromEnv.apiKey, fromEnv.orgId]).toEqual(['env-key', 'ENV1@AdobeOrg'])
    // a client id given as an input: client credentials, the secret from the environment
    const withId = read({ ...base, 'adobe-client-id': 'in-id' }, env)
    expect(withId.provider === 'adobe' && withId.auth).toMatchObject({ kind: 'client', clientId: 'in-id', clientSecret: 'env-sec' })
    // a secret given as an input: client credentials too
    const withSecret = read({ ...base, 'adobe-client-secret': 'in-sec' }, env)
    expect(withSecret.provider === 'adobe' && withSecret.auth).toMatchObject({ kind: 'client', clientId: 'env-id', clientSecret: 'in-sec' })
    // a token input wins over everything
    const withToken = read({ ...base, 'adobe-client-id': 'in-id', 'adobe-client-secret': 'in-sec', 'adobe-access-token': 'in-token' }, env)
    expect(withToken.provider === 'adobe' && withToken.auth).toEqual({ kind: 'token', token: 'in-token' })
    // the API key defaults to the client id when neither input nor environment names one
    const noKey = read({ ...A })
    expect(noKey.provider === 'adobe' && noKey.apiKey).toBe('cid')
    const trackstar = read({ provider: 'trackstar' }, { TRACKSTAR_API_KEY: ' env-key ', TRACKSTAR_ACCESS_TOKEN: 'env-tok' })
    expect(trackstar.provider === 'trackstar' && [trackstar.apiKey, trackstar.accessToken]).toEqual(['env-key', 'env-tok'])
  })

  it('every secret is registered as it is read, from inputs and environment alike', () => {
    const seen: string[] = []
    const secrets = new Secrets(v => void seen.push(v))
    readInputs(n => ({ ...A, 'github-token': 'ghs_abcdefgh', 'adobe-access-token': '' } as Record<string, string>)[n] ?? '', { ADOBE_ACCESS_TOKEN: 'envtokenvalue', TRACKSTAR_API_KEY: 'tskeyvalue' }, secrets)
    for (const v of ['sec', 'ghs_abcdefgh', 'envtokenvalue', 'tskeyvalue']) expect(secrets.has(v), v).toBe(true)
    expect(secrets.has('cid')).toBe(false)
  })
})
