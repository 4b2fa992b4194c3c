// Error bodies from a server that validates requests against an OpenAPI file (as a validating
// mock of Adobe's access-control.yaml or sandbox.yaml answers): the `validation` list says what
// was wrong and where, and the message must show it, redacted and on one command-free line.
// Also the pieces of the roles and tooling clients that read such errors.
import { describe, expect, it } from 'vitest'
import { ProviderError } from '../../../src/core/errors'
import { parseErrorBody } from '../../../src/core/provider-errors'
import { importable } from '../../../src/providers/adobe/ready/packages'
import { shapeRefusal } from '../../../src/providers/adobe/ready/roles'
import { Secrets } from '../../../src/core/secrets'

const problem = (validation: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'https://mock.example/errors#UNPROCESSABLE_ENTITY', title: 'Invalid request', status: 422, detail: 'Your request is not valid.', validation, ...extra })

describe('parseErrorBody, validation lists', () => {
  it.each([
    ['one body problem', [{ location: ['body'], severity: 'Error', code: 'required', message: "must have required property 'op'" }], "Invalid request: body: must have required property 'op'"],
    ['a nested location', [{ location: ['body', 'value'], message: 'must be string' }], 'Invalid request: body.value: must be string'],
    ['a header', [{ location: ['header'], message: "must have required property 'content-type'" }], "Invalid request: header: must have required property 'content-type'"],
    ['a query parameter', [{ location: ['query', 'requestType'], message: 'must be equal to one of the allowed values' }], 'Invalid request: query.requestType: must be equal to one of the allowed values'],
    ['several, in order', [{ location: ['body'], message: 'a' }, { location: ['body', 'op'], message: 'b' }], 'Invalid request: body: a; body.op: b'],
    ['an array index in the location', [{ location: ['body', 0, 'op'], message: 'm' }], 'Invalid request: body.0.op: m'],
    ['a location as text', [{ location: 'body', message: 'm' }], 'Invalid request: body: m'],
    ['no location', [{ message: 'm' }], 'Invalid request: m'],
    ['items without text are skipped', [{ location: ['body'] }, null, 'x', { location: ['body'], message: '  ' }, { location: ['query'], message: 'q' }], 'Invalid request: query: q']
  ])('%s', (_kind, validation, message) => {
    expect(parseErrorBody(problem(validation))).toStrictEqual({ message })
  })

  it('keeps an Adobe code in `type`, and goes without a title', () => {
    const body = JSON.stringify({ type: 'http://ns.adobe.com/aep/errors/ACS-1422-422', status: 422, validation: [{ location: ['body'], message: 'must be object' }] })
    expect(parseErrorBody(body)).toStrictEqual({ code: 'ACS-1422-422', message: 'body: must be object' })
  })

  it.each([
    ['an empty list', []],
    ['a list without messages', [{ location: ['body'] }]],
    ['not a list', { location: ['body'], message: 'm' }]
  ])('reads the body as before when the validation holds nothing: %s', (_kind, validation) => {
    expect(parseErrorBody(problem(validation))).toStrictEqual({ message: 'Invalid request' })
  })

  it('redacts secrets in the validation text, whatever escapes they came in, and cuts after redaction', () => {
    const SECRET = 'tok/"é"+1 2'
    const secrets = new Secrets(() => undefined)
    secrets.add(SECRET)
    const text = `{"title":"Invalid request","validation":[{"location":["header"],"message":"bad ${JSON.stringify(SECRET).slice(1, -1).replace(/\//g, '\\/')}"}]}`
    expect(parseErrorBody(text, t => secrets.redact(t))).toStrictEqual({ message: 'Invalid request: header: bad ***' })
    const long = parseErrorBody(problem([{ location: ['body'], message: 'x'.repeat(500) }]))
    expect(long.message?.endsWith('…')).toBe(true)
    expect(long.message?.length).toBeLessThan(210)
  })

  it('puts the text on one line that cannot start a workflow command', () => {
    const out = parseErrorBody(problem([{ location: ['body'], message: 'a\n::error::injected' }], { title: '::warning::t' })).message
    expect(out).toBe(': :warning::t: body: a ::error::injected')
    expect(out?.split('\n')).toHaveLength(1)
  })
})

describe('a role PATCH refused for its shape', () => {
  const err = (status: number, providerMessage?: string) => new ProviderError({ provider: 'Adobe Access Control API', action: 'x', status, providerMessage })
  it.each([
    [422, "Invalid request: body: must have required property 'op'", true],
    [422, 'Invalid request: body.value: must be string', true],
    [400, 'Request body must be an object with an `operations` array of {op, path, value}.', true],
    [400, 'Payload does not match the schema', true],
    [400, 'Sandbox `x` not found.', false],
    [400, 'Path `/permissionSets` cannot be patched.', false],
    [422, undefined, false],
    [403, 'body: not allowed', false],
    [404, 'Request body refers to an unknown role', false],
    [500, 'body shape', false]
  ])('HTTP %i %j: %s', (status, message, refused) => {
    expect(shapeRefusal(err(status, message))).toBe(refused)
  })

  it('is never an error of another kind', () => {
    expect(shapeRefusal(new Error('body'))).toBe(false)
  })
})

describe('whether a package can be imported', () => {
  it.each([
    ['PUBLISHED', 'ready'],
    ['PUBLISH_IN_PROGRESS', 'publishing']
  ])('%s is %s', (status, expected) => {
    expect(importable('pkg-1', status)).toBe(expected)
  })

  it.each([
    [undefined, 'Package "pkg-1" (adobe-package-id) was not found by Adobe sandbox tooling (HTTP 404)'],
    ['DRAFT', 'Package "pkg-1" (adobe-package-id) is DRAFT: only a PUBLISHED package can be imported (publish it first)'],
    ['PUBLISH_FAILED', 'Package "pkg-1" (adobe-package-id) is PUBLISH_FAILED: its publication failed'],
    ['ARCHIVED', 'Package "pkg-1" (adobe-package-id) is ARCHIVED'],
    ['\n::error::x', 'Package "pkg-1" (adobe-package-id) is : :error: :x']
  ])('%j is an error naming the input and the status', (status, message) => {
    expect(() => importable('pkg-1', status)).toThrow(message)
  })
})
