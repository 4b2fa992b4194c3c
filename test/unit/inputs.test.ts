import { describe, expect, it } from 'vitest'
import { InputError } from '../../src/errors'
import { parseAge, parseBaseUrl, parseTimeout, readInputs, type AdobeInputs, type TrackstarInputs } from '../../src/inputs'
import { Secrets } from '../../src/secrets'

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
