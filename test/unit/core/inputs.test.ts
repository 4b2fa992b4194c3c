import { describe, expect, it } from 'vitest'
import { InputError } from '../../../src/core/errors'
import { parseAge, parseBaseUrl, parseTimeout, shown, suggestedName, type AdobeInputs, type TrackstarInputs } from '../../../src/core/inputs'
import { readInputs } from '../../../src/providers/inputs'
import { Secrets } from '../../../src/core/secrets'

function read(inputs: Record<string, string>, env: Record<string, string> = {}) {
  const masked: string[] = []
  const secrets = new Secrets(v => masked.push(v))
  const result = readInputs(name => inputs[name] ?? '', env, secrets)
  return { result, masked }
}

function inputError(inputs: Record<string, string>, env: Record<string, string> = {}): InputError {
  try {
    read(inputs, env)
  } catch (err) {
    if (err instanceof InputError) return err
    throw err
  }
  throw new Error('expected an InputError')
}

const ADOBE = { provider: 'adobe', 'adobe-client-id': 'cid', 'adobe-client-secret': 'csecret', 'adobe-org-id': 'ABC123@AdobeOrg' }

describe('readInputs', () => {
  it('applies the documented defaults for trackstar', () => {
    const { result } = read({ provider: 'trackstar', 'trackstar-api-key': 'k' })
    const t = result as TrackstarInputs
    expect(t).toMatchObject({ operation: 'generate', cleanup: 'auto', timeoutSeconds: 900, wait: true, summary: true, exportEnv: false, integrationType: 'wms', verify: true, apiUrl: 'https://production.trackstarhq.com' })
  })

  it('falls back to the environment for keys, and masks them', () => {
    const { result, masked } = read({ provider: 'trackstar' }, { TRACKSTAR_API_KEY: 'env-key-value', TRACKSTAR_ACCESS_TOKEN: 'env-token-value' })
    expect((result as TrackstarInputs).apiKey).toBe('env-key-value')
    expect((result as TrackstarInputs).accessToken).toBe('env-token-value')
    expect(masked).toContain('env-key-value')
    expect(masked).toContain('env-token-value')
  })

  it('masks the Adobe client secret and a token from ADOBE_ACCESS_TOKEN, but not empty values', () => {
    const { masked } = read({ ...ADOBE }, { ADOBE_ACCESS_TOKEN: 'env-adobe-token' })
    expect(masked).toContain('csecret')
    expect(masked).toContain('env-adobe-token')
    expect(masked).not.toContain('')
  })

  it('prefers client credentials given as inputs over a token from the environment', () => {
    const { result } = read({ ...ADOBE }, { ADOBE_ACCESS_TOKEN: 'env-adobe-token' })
    expect((result as AdobeInputs).auth.kind).toBe('client')
  })

  it('uses a token input, with the client id as api key by default and ADOBE_API_KEY when set', () => {
    const a = read({ provider: 'adobe', 'adobe-access-token': 'tok', 'adobe-client-id': 'cid', 'adobe-org-id': 'ABC@AdobeOrg' }).result as AdobeInputs
    expect(a.auth).toEqual({ kind: 'token', token: 'tok' })
    expect(a.apiKey).toBe('cid')
    const b = read({ provider: 'adobe', 'adobe-access-token': 'tok', 'adobe-org-id': 'ABC@AdobeOrg' }, { ADOBE_API_KEY: 'envkey' }).result as AdobeInputs
    expect(b.apiKey).toBe('envkey')
  })

  it('splits scopes', () => {
    const a = read({ ...ADOBE, 'adobe-scopes': 'openid, AdobeID' }).result as AdobeInputs
    expect(a.auth).toMatchObject({ scopes: ['openid', 'AdobeID'] })
  })

  it.each([
    [{}, 'provider'],
    [{ provider: 'aws' }, 'provider'],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k', operation: 'create' }, 'operation'],
    [{ provider: 'trackstar' }, 'trackstar-api-key'],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k', 'integration-type': 'erp' }, 'integration-type'],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k', 'trackstar-api-url': 'http://api.example.com' }, 'trackstar-api-url'],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k', cleanup: 'always' }, 'cleanup'],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k', timeout: '0' }, 'timeout'],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k', timeout: '10x' }, 'timeout'],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k', timeout: '7h' }, 'timeout'],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k', 'cleanup-timeout': '1d' }, 'cleanup-timeout'],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k', verify: 'yes' }, 'verify'],
    [{ provider: 'trackstar', 'trackstar-api-key': 'k', operation: 'delete', cleanup: 'reset' }, 'cleanup'],
    [{ ...ADOBE, 'adobe-org-id': 'not-an-org' }, 'adobe-org-id'],
    [{ ...ADOBE, 'sandbox-name': '9lives' }, 'sandbox-name'],
    [{ ...ADOBE, operation: 'reset' }, 'sandbox-name'],
    [{ ...ADOBE, operation: 'prune' }, 'prune-prefix'],
    [{ ...ADOBE, operation: 'prune', 'prune-prefix': 'gh-', 'prune-older-than': 'yesterday' }, 'prune-older-than'],
    [{ ...ADOBE, 'if-exists': 'replace' }, 'if-exists'],
    [{ ...ADOBE, 'adobe-scopes': 'openid,bad scope' }, 'adobe-scopes'],
    [{ provider: 'adobe', 'adobe-org-id': 'ABC@AdobeOrg' }, 'adobe-client-id'],
    [{ provider: 'adobe', 'adobe-client-id': 'cid', 'adobe-org-id': 'ABC@AdobeOrg' }, 'adobe-client-secret'],
    [{ provider: 'adobe', 'adobe-access-token': 'tok', 'adobe-org-id': 'ABC@AdobeOrg' }, 'adobe-api-key']
  ])('rejects %j naming `%s`', (inputs, name) => {
    const err = inputError(inputs as Record<string, string>)
    expect(err.input).toBe(name)
    expect(err.message).toContain(`\`${name}\``)
  })

  it('never puts a secret value in an input error', () => {
    const err = inputError({ provider: 'trackstar', 'trackstar-api-key': 'super-secret-key', 'integration-type': 'nope' })
    expect(err.message).not.toContain('super-secret-key')
  })
})

describe('parseBaseUrl', () => {
  it.each(['http://localhost:8080', 'http://127.0.0.5:1/', 'http://[::1]:9', 'https://api.example.com/'])('accepts %s', url => {
    expect(parseBaseUrl('x', url)).not.toMatch(/\/$/)
  })
  it.each(['http://10.0.0.1', 'ftp://example.com', 'https://user:pw@example.com', 'https://example.com?x=1', 'not a url', 'http://localhost.evil.com'])('rejects %s', url => {
    expect(() => parseBaseUrl('x', url)).toThrow(InputError)
  })
})

describe('parseAge', () => {
  it.each([
    ['90m', 5400],
    ['24h', 86400],
    ['7d', 604800],
    ['30s', 30],
    ['3600', 3600]
  ])('%s is %i seconds', (text, seconds) => expect(parseAge('a', text)).toBe(seconds))
  it.each(['0', '-1h', '1w', 'h'])('rejects %s', text => expect(() => parseAge('a', text)).toThrow(InputError))
})

describe('parseTimeout', () => {
  it.each([
    ['900', 900],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['6h', 21600],
    ['360m', 21600]
  ])('%s is %i seconds', (text, seconds) => expect(parseTimeout('timeout', text, 1)).toBe(seconds))
  it('falls back when empty', () => expect(parseTimeout('timeout', '', 600)).toBe(600))
  it.each(['0', '0m', '1.5', '-5', '10x', '1d', '7h', '21601', 'm', '15 minutes'])('rejects %s, naming the input', text => {
    expect(() => parseTimeout('cleanup-timeout', text, 1)).toThrow(/Input `cleanup-timeout`: .*15m/)
  })
  it('reads both timeouts in duration form', () => {
    const t = read({ provider: 'trackstar', 'trackstar-api-key': 'k', timeout: '15m', 'cleanup-timeout': '1h' }).result
    expect(t).toMatchObject({ timeoutSeconds: 900, cleanupTimeoutSeconds: 3600 })
  })
})

// Inputs added since the first release, each with values that must never reach a request:
// ids that would change a request's path (`/roles/{id}`, `/packages/{id}`), separators,
// empty items, whitespace and lengths past any real value.
describe('bad values of the newer inputs fail before any request, naming the input', () => {
  const LONG = 'x'.repeat(5000)
  const PATHLIKE = ['.', '..', '/', '%2F', '%2e%2e', '?', '#', '\\', 'a/b', '../a', 'a/..', 'a%2Fb', 'a?b=c', 'a#b', 'a\\b', 'a b', 'a\u00a0b', 'a,,b', ',', 'a,', LONG]
  // [input, the inputs it is read with, values beyond PATHLIKE]
  const NEWER: [string, Record<string, string>, string[]][] = [
    ['pool', { ...ADOBE, operation: 'lease' }, ['ci-*-pool', 'ci-pool-1,ci-*', 'CI_Pool', `${'a'.repeat(256)}*`, 'a'.repeat(257), '*']],
    ['lease-ttl', ADOBE, ['forever', '0', '59s', '7h', '2d', '1.5h', '-1h']],
    ['if-full', ADOBE, ['queue', 'WAIT', 'fail ']],
    ['cleanup-timeout', ADOBE, ['0', '1d', 'soon', '7h', '1.5']],
    ['adobe-role-id', ADOBE, ['-role', '_role', ':role', 'role one', 'a'.repeat(129), 'a,b,a'.replace(/b/, 'b c')]],
    ['adobe-package-id', ADOBE, ['pkg one', 'pkg-a,pkg-b', 'pkg/../x', '.pkg', 'a'.repeat(129)]],
    ['github-token', ADOBE, ['ghs_abc def', 'ghs_abc=def', 'ghs+abc', 'ghs~abc', '---', '._.', 'x'.repeat(4097), 'gh\u00e9']],
    ['prune-closed', ADOBE, ['yes', 'closed', '1']],
    ['pr-comment', ADOBE, ['on', 'True ']]
  ]
  const cases = NEWER.flatMap(([input, base, more]) => [...PATHLIKE, ...more].map(value => [input, value, base] as const))

  it.each(cases)('%s = %j', (input, value, base) => {
    const err = inputError({ ...base, [input]: value })
    expect(err.input).toBe(input)
    expect(err.message).toMatch(new RegExp(`^Input \`${input}\`: `))
    // A value is quoted whole only when short; a token never.
    expect(err.message.length).toBeLessThan(500)
    if (input === 'github-token' && value.length > 2) expect(err.message).not.toContain(value)
  })

  // Valid values stay valid: the checks are about form, not about guessing.
  it.each([
    ['adobe-role-id', '3dfa045d-de58-4dfd-8ea9-e4e2c1b6d809', { roleIds: ['3dfa045d-de58-4dfd-8ea9-e4e2c1b6d809'] }],
    ['adobe-role-id', 'role-a, role.b ,x:y,role-a', { roleIds: ['role-a', 'role.b', 'x:y'] }],
    ['adobe-role-id', 'a..b', { roleIds: ['a..b'] }],
    ['adobe-role-id', 'a'.repeat(128), { roleIds: ['a'.repeat(128)] }],
    ['adobe-package-id', '8f585fad94d042cd82dbcba594108a41', { packageId: '8f585fad94d042cd82dbcba594108a41' }],
    ['adobe-package-id', 'A'.repeat(128), { packageId: 'A'.repeat(128) }],
    ['github-token', `ghs_${'A1b2'.repeat(9)}`, { githubToken: `ghs_${'A1b2'.repeat(9)}` }],
    ['github-token', `github_pat_${'a'.repeat(22)}_${'B'.repeat(59)}`, { githubToken: `github_pat_${'a'.repeat(22)}_${'B'.repeat(59)}` }],
    ['github-token', 'ghs_stateless.part-two_three', { githubToken: 'ghs_stateless.part-two_three' }],
    ['github-token', 'f'.repeat(40), { githubToken: 'f'.repeat(40) }],
    ['github-token', 'x'.repeat(4096), { githubToken: 'x'.repeat(4096) }],
    ['lease-ttl', '60s', { leaseTtlSeconds: 60 }],
    ['if-full', 'fail', { ifFull: 'fail' }],
    ['pr-comment', 'TRUE', { prComment: true }]
  ])('%s = %j is accepted', (input, value, expected) => {
    expect(read({ ...ADOBE, [input]: value }).result).toMatchObject(expected)
  })

  it('an unevaluated `${{ github.token }}` (a tool that passes the default as written) is no token', () => {
    expect(read({ ...ADOBE, 'github-token': '${{ github.token }}' }).result).toMatchObject({ githubToken: '' })
    expect(inputError({ ...ADOBE, operation: 'prune', 'prune-prefix': 'gh-', 'prune-closed': 'true', 'github-token': '${{ github.token }}' }).message).toContain('Input `github-token`: is required with prune-closed')
    expect(inputError({ ...ADOBE, 'github-token': 'ghs_${{ x }}' }).input).toBe('github-token')
  })

  it.each([
    ['ci-pool-*', { kind: 'prefix', prefix: 'ci-pool-' }],
    [`${'a'.repeat(255)}*`, { kind: 'prefix', prefix: 'a'.repeat(255) }],
    [' ci-pool-1 ,ci-pool-2,ci-pool-1', { kind: 'names', names: ['ci-pool-1', 'ci-pool-2'] }],
    ['a'.repeat(256), { kind: 'names', names: ['a'.repeat(256)] }]
  ])('pool %j is accepted', (value, pool) => {
    expect(read({ ...ADOBE, operation: 'lease', pool: value }).result).toMatchObject({ pool })
  })
})

describe('a name that differs from a valid one in case or separators gets the valid one suggested', () => {
  it.each([
    ['gh-Shop_API-pr-1', false, 'gh-shop-api-pr-1'],
    ['CI Pool 1', false, 'ci-pool-1'],
    ['Dev.Box', false, 'dev-box'],
    ['DEV', false, 'dev'],
    ['dev__box--1', false, 'dev-box-1'],
    ['-dev-', false, 'dev'],
    ['dev-box', false, undefined],
    ['1dev', false, undefined],
    ['Ünï', false, undefined],
    ['dev/box', false, undefined],
    ['dev%2Fbox', false, undefined],
    ['..', false, undefined],
    ['_', false, undefined],
    [`A${'b'.repeat(256)}`, false, undefined],
    ['GH_', true, 'gh-'],
    ['Gh-Shop', true, 'gh-shop'],
    ['CI_Pool ', true, 'ci-pool-'],
    ['gh-', true, undefined],
    ['9gh_', true, undefined],
    [`${'A'.repeat(255)}_`, true, undefined]
  ])('%j (prefix %s) → %j', (value, prefix, expected) => {
    expect(suggestedName(value, prefix)).toBe(expected)
  })

  it.each([
    [{ 'sandbox-name': 'gh-Shop_API-pr-1' }, 'sandbox-name', '"gh-Shop_API-pr-1" is not a valid sandbox name', 'did you mean "gh-shop-api-pr-1"?'],
    [{ 'sandbox-name': 'CI Pool 1' }, 'sandbox-name', '"CI Pool 1" is not a valid sandbox name', 'did you mean "ci-pool-1"?'],
    [{ operation: 'lease', pool: 'ci-pool-1,CI_Pool_2' }, 'pool', '"CI_Pool_2" is not a valid sandbox name', 'did you mean "ci-pool-2"?'],
    [{ operation: 'lease', pool: 'CI Pool 1' }, 'pool', '"CI Pool 1" is not a valid sandbox name', 'did you mean "ci-pool-1"?'],
    [{ operation: 'lease', pool: 'CI_Pool_*' }, 'pool', '"CI_Pool_*" is not a valid prefix', 'did you mean "ci-pool-*"?'],
    [{ operation: 'prune', 'prune-prefix': 'GH_' }, 'prune-prefix', '"GH_" cannot start a sandbox name', 'did you mean "gh-"?'],
    [{ operation: 'prune', 'prune-prefix': 'Gh-Shop' }, 'prune-prefix', '"Gh-Shop" cannot start a sandbox name', 'did you mean "gh-shop"?']
  ])('%j', (extra, input, start, suggestion) => {
    const err = inputError({ ...ADOBE, ...extra })
    expect(err.input).toBe(input)
    expect(err.message).toContain(`Input \`${input}\`: ${start}`)
    expect(err.message.endsWith(`; ${suggestion}`)).toBe(true)
  })

  it.each([
    [{ 'sandbox-name': '1dev' }],
    [{ 'sandbox-name': 'dev/box' }],
    [{ operation: 'lease', pool: 'ci/pool' }],
    [{ operation: 'prune', 'prune-prefix': '9-' }]
  ])('no suggestion where none differs only in case or separators: %j', extra => {
    expect(inputError({ ...ADOBE, ...extra }).message).not.toContain('did you mean')
  })

  it('quotes a long value by its start and its length', () => {
    const err = inputError({ ...ADOBE, 'sandbox-name': `A${'b'.repeat(300)}` })
    expect(err.message).toContain(`"A${'b'.repeat(59)}…" (301 characters) is not a valid sandbox name`)
    expect(shown('short')).toBe('"short"')
    expect(shown('x'.repeat(80))).toBe(`"${'x'.repeat(80)}"`)
  })
})

describe('prune-prefix', () => {
  it('says for which operation it is required, and gives an example', () => {
    expect(inputError({ ...ADOBE, operation: 'prune' }).message).toBe(
      'Input `prune-prefix`: is required for operation "prune": only development sandboxes whose name starts with it are pruned (for example prune-prefix: gh-, which default names start with)'
    )
  })
  it.each(['gh-', 'ci-pool-', 'a'.repeat(255)])('accepts %j', value => {
    expect(read({ ...ADOBE, operation: 'prune', 'prune-prefix': value }).result).toMatchObject({ prunePrefix: value })
  })
  it.each(['.', '..', '/', '%2F', 'gh/', 'gh ', '-gh', 'a'.repeat(256)])('rejects %j', value => {
    expect(inputError({ ...ADOBE, operation: 'prune', 'prune-prefix': value }).input).toBe('prune-prefix')
  })
  it('is not read for other operations', () => {
    expect(read({ ...ADOBE, 'prune-prefix': '..' }).result).toMatchObject({ prunePrefix: undefined })
  })
})
