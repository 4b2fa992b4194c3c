import { describe, expect, it } from 'vitest'
import { formatProviderError } from '../../src/errors'
import { retryAfterMs } from '../../src/http'
import { parseErrorBody } from '../../src/provider-errors'
import { Secrets } from '../../src/secrets'

describe('parseErrorBody', () => {
  it.each([
    ['trackstar', '{"error":"Unauthorized","origin":"trackstar"}', { message: 'Unauthorized' }],
    ['trackstar 404', '{"error":"Integration type not found","id":"erp"}', { message: 'Integration type not found (id erp)' }],
    ['trackstar 422', '{"error":"Validation error","detail":{"path":{"integration_type":["bad value"]}}}', { message: 'Validation error (path.integration_type: bad value)' }],
    ['sandbox service', '{"type":"http://ns.adobe.com/aep/errors/SMS-2077-400","status":400,"title":"Warning: shared"}', { code: 'SMS-2077-400', message: 'Warning: shared' }],
    ['gateway', '{"error_code":"401013","message":"Oauth token is not valid"}', { code: '401013', message: 'Oauth token is not valid' }],
    ['ims', '{"error":"invalid_client","error_description":"invalid client_secret parameter"}', { code: 'invalid_client', message: 'invalid client_secret parameter' }],
    ['html', '<html><body><h1>502 Bad Gateway</h1></body></html>', { message: '502 Bad Gateway' }],
    ['empty', '', {}],
    ['plain text', 'upstream timed out', { message: 'upstream timed out' }]
  ])('reads a %s body', (_kind, body, expected) => {
    expect(parseErrorBody(body)).toEqual(expected)
  })
})

describe('formatProviderError', () => {
  it('names the provider, the action, the status, the text, the request id and the hint', () => {
    const msg = formatProviderError({ provider: 'Trackstar', action: 'generate wms sandbox', status: 401, providerMessage: 'Unauthorized', requestId: 'req-1', hint: 'Check trackstar-api-key' })
    expect(msg).toBe('Trackstar: generate wms sandbox failed: HTTP 401: Unauthorized (request id req-1). Check trackstar-api-key')
  })
})

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }, 7000],
    [{ 'x-rate-limit-retry-after': '2' }, 2000],
    [{ 'x-ratelimit-reset': String(now / 1000 + 4) }, 4000],
    [{}, undefined]
  ])('%j → %s ms', (headers, ms) => expect(retryAfterMs(headers, now)).toBe(ms))
})

describe('Secrets', () => {
  it('masks each secret once, skips empty values, and redacts every encoding', () => {
    const masked: string[] = []
    const s = new Secrets(v => masked.push(v))
    s.add('p@ss word/"x"')
    s.add('p@ss word/"x"')
    s.add('')
    s.add('   ')
    expect(masked.filter(m => m === 'p@ss word/"x"')).toHaveLength(1)
    const text = `raw p@ss word/"x" json ${JSON.stringify('p@ss word/"x"')} url ${encodeURIComponent('p@ss word/"x"')} form ${new URLSearchParams({ a: 'p@ss word/"x"' })} b64 ${Buffer.from('p@ss word/"x"').toString('base64')}`
    const out = s.redact(text)
    expect(out).not.toContain('p@ss')
    expect(out).not.toContain(Buffer.from('p@ss word/"x"').toString('base64'))
  })
})
