import { describe, expect, it } from 'vitest'
import { formatProviderError } from '../../../src/core/errors'
import { EXCERPT_CHARS, parseErrorBody } from '../../../src/core/provider-errors'
import { Secrets } from '../../../src/core/secrets'

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
    ['plain text', 'upstream timed out', { message: 'upstream timed out' }],
    ['blank', '  \n ', {}],
    ['html whose tags separate words', '<p>bad</p><p>gateway</p>', { message: 'bad gateway' }],
    ['sandbox service, detail only', '{"type":"http://ns.adobe.com/aep/errors/SMS-2074-400","detail":"in use"}', { code: 'SMS-2074-400', message: 'in use' }],
    ['sandbox service, blank title', '{"type":"x/SMS-2074-400","title":"  ","detail":"in use"}', { code: 'SMS-2074-400', message: 'in use' }],
    ['sandbox service, code then space', '{"type":"x/SMS-2075-400 ","title":"t"}', { code: 'SMS-2075-400', message: 't' }],
    ['sandbox service, the last code', '{"type":"urn:SMS-1-2:x/SMS-2076-400","title":"t"}', { code: 'SMS-2076-400', message: 't' }],
    ['sandbox service, no code', '{"type":"about:blank","title":"t"}', { message: 't' }],
    ['a type without a title or detail', '{"type":"about:blank","message":"m"}', { message: 'm' }],
    ['trackstar detail as text', '{"error":"Validation error","detail":"bad type"}', { message: 'Validation error (bad type)' }],
    ['trackstar detail with fields of every kind', '{"error":"Validation error","detail":{"path":{"t":["a","b"],"u":"c"},"body":"missing","q":null}}', { message: 'Validation error (path.t: a; b, path.u: c, body: missing, q: null)' }],
    ['trackstar empty detail', '{"error":"e","detail":{}}', { message: 'e' }],
    ['trackstar id that is not text', '{"error":"e","id":5}', { message: 'e' }],
    ['trackstar empty id', '{"error":"e","id":""}', { message: 'e' }],
    ['an error that is an object', '{"error":{"reason":"x"},"error_description":"d"}', { message: '{"reason":"x"}' }],
    ['a blank error', '{"error":"  "}', { message: '" "' }]
  ])('reads a %s body', (_kind, body, expected) => {
    expect(parseErrorBody(body)).toStrictEqual(expected)
  })
})

describe('formatProviderError', () => {
  it('names the provider, the action, the status, the text, the request id and the hint', () => {
    const msg = formatProviderError({ provider: 'Trackstar', action: 'generate wms sandbox', status: 401, providerMessage: 'Unauthorized', requestId: 'req-1', hint: 'Check trackstar-api-key' })
    expect(msg).toBe('Trackstar: generate wms sandbox failed: HTTP 401: Unauthorized (request id req-1). Check trackstar-api-key')
  })
})

describe('parseErrorBody with the step\'s secrets', () => {
  const SECRET = 'tok/"é"+1 2'
  const secrets = new Secrets(() => undefined)
  secrets.add(SECRET)
  const redact = (t: string): string => secrets.redact(t)
  const jsonEscaped = JSON.stringify(SECRET).slice(1, -1)

  it.each([
    ['Trackstar error, \\/ escaped', `{"error":"bad ${jsonEscaped.replace(/\//g, '\\/')}","origin":"trackstar"}`, { message: 'bad ***' }],
    ['IMS error, \\u escaped', `{"error":"invalid_client","error_description":"bad ${[...SECRET].map(c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"}`, { code: 'invalid_client', message: 'bad ***' }],
    ['gateway error, URL-encoded', `{"error_code":"401013","message":"bad ${encodeURIComponent(SECRET)}"}`, { code: '401013', message: 'bad ***' }],
    ['sandbox service, base64', `{"type":"x/SMS-2077-400","title":"bad ${Buffer.from(SECRET).toString('base64')}"}`, { code: 'SMS-2077-400', message: 'bad ***' }],
    ['Trackstar 422 detail', `{"error":"Validation error","detail":{"header":{"key":["bad ${jsonEscaped}"]}}}`, { message: 'Validation error (header.key: bad ***)' }],
    ['Trackstar id', `{"error":"not found","id":"${jsonEscaped}"}`, { message: 'not found (id ***)' }],
    ['message only', `{"message":"bad ${jsonEscaped}"}`, { message: 'bad ***' }],
    ['unknown shape', `{"oops":{"${jsonEscaped}":["${jsonEscaped}"]}}`, { message: '{"oops":{"***":["***"]}}' }],
    ['a JSON string', JSON.stringify(`bad ${SECRET}`), { message: 'bad ***' }],
    ['form-encoded text', `bad=${new URLSearchParams({ k: SECRET }).toString().slice(2)}`, { message: 'bad=***' }],
    ['HTML', `<html><body><b>bad</b> ${SECRET.replace(/"/g, '&quot;')}</body></html>`, { message: 'bad ***' }]
  ])('%s: the decoded text is redacted', (_kind, body, expected) => {
    expect(parseErrorBody(body, redact)).toStrictEqual(expected)
  })

  it('redacts the decoded strings of a body of unknown shape, keys and nested values too', () => {
    // A plain redaction that knows no escapes: only decoding first can find these.
    const plain = (t: string): string => t.split('a"b\\c').join('***')
    expect(parseErrorBody('{"x":{"a\\"b\\\\c":["a\\u0022b\\\\c",1,null]}}', plain)).toStrictEqual({ message: '{"x":{"***":["***",1,null]}}' })
  })

  it('redacts a secret split by tags before the tags are dropped', () => {
    const { secrets: s } = { secrets: new Secrets(() => undefined) }
    s.add('abcd<i>efgh')
    expect(parseErrorBody('<p>key abcd<i>efgh</p>', t => s.redact(t))).toEqual({ message: 'key ***' })
  })

  it('cuts long text after redaction, never inside a secret', () => {
    const pad = 'y'.repeat(EXCERPT_CHARS - 5)
    const out = parseErrorBody(`{"message":"${pad} ${jsonEscaped} more"}`, redact)
    expect(out.message).toBe(`${pad} *** …`)
    const plain = parseErrorBody(`${pad}1234567890`, redact)
    expect(plain.message).toBe(`${pad}12345…`)
    expect(parseErrorBody(`${pad}12345`, redact).message).toBe(`${pad}12345`)
  })

  it('puts provider text on one line that cannot start a workflow command', () => {
    expect(parseErrorBody('{"error":"busy\\n::stop-commands::x"}').message).toBe('busy ::stop-commands::x')
    expect(parseErrorBody('{"message":"::add-mask::y"}').message).toBe(': :add-mask::y')
    expect(parseErrorBody('{"error_code":"::x\\n","message":"m"}').code).toBe(': :x')
    expect(parseErrorBody('::warning::a\r\n::error::b').message).toBe(': :warning::a ::error::b')
    expect(parseErrorBody('{"message":"a ##[add-mask]b"}').message).toBe('a ## [add-mask]b')
  })

  it('leaves out text that is blank once cleaned', () => {
    expect(parseErrorBody('<p> </p>')).toStrictEqual({})
    expect(parseErrorBody('{"message":"  "}')).toStrictEqual({})
    expect(parseErrorBody('null')).toStrictEqual({})
    expect(parseErrorBody('42')).toStrictEqual({ message: '42' })
  })
})

describe('formatProviderError', () => {
  it('keeps the provider\'s words on one command-free line', () => {
    const msg = formatProviderError({ provider: 'P', action: 'act', status: 500, code: '::c\n', providerMessage: 'x\n::stop-commands::y', requestId: 'r\r\n::z' })
    expect(msg).toBe('P: act failed: HTTP 500 : :c : x ::stop-commands::y (request id r  ::z)')
  })

  it('says "no answer" without a status', () => {
    expect(formatProviderError({ provider: 'P', action: 'act', status: 0, providerMessage: 'ECONNRESET' })).toBe('P: act failed: no answer: ECONNRESET')
  })
})

describe('Secrets', () => {
  const SECRET = 'p@ss word/"x"é'
  const forms: [string, string][] = [
    ['raw', SECRET],
    ['JSON', JSON.stringify(SECRET).slice(1, -1)],
    ['JSON with \\/', JSON.stringify(SECRET).slice(1, -1).replace(/\//g, '\\/')],
    ['URL', encodeURIComponent(SECRET)],
    ['form', new URLSearchParams({ a: SECRET }).toString().slice(2)],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64url', Buffer.from(SECRET).toString('base64url')]
  ]

  it('masks each secret once and skips empty values', () => {
    const masked: string[] = []
    const s = new Secrets(v => masked.push(v))
    s.add(SECRET)
    s.add(SECRET)
    s.add('')
    s.add('   ')
    expect(masked.filter(m => m === SECRET)).toHaveLength(1)
    expect(masked).not.toContain('')
  })

  it.each(forms)('redacts the %s form, which the text holds and then no longer does', (_how, form) => {
    const s = new Secrets(() => undefined)
    s.add(SECRET)
    const text = `before ${form} after`
    expect(text).toContain(form)
    const out = s.redact(text)
    expect(out).toBe('before *** after')
    expect(out).not.toContain(form)
  })
})
