// Credentials that can never be sent (a control character, or a character a header cannot
// carry) are input errors naming the input, and its environment variable when it came from one.
import { describe, expect, it } from 'vitest'
import { InputError } from '../../../src/core/errors'
import { checkCredential } from '../../../src/core/inputs'
import { readInputs } from '../../../src/providers/inputs'
import { Secrets } from '../../../src/core/secrets'

function readError(inputs: Record<string, string>, env: Record<string, string> = {}): InputError {
  try {
    readInputs(name => inputs[name] ?? '', env, new Secrets(() => undefined))
  } catch (err) {
    if (err instanceof InputError) return err
    throw err
  }
  throw new Error('expected an InputError')
}

const ADOBE = { provider: 'adobe', 'adobe-client-id': 'cid', 'adobe-client-secret': 'csecret', 'adobe-org-id': 'ABC123@AdobeOrg' }

describe('checkCredential', () => {
  it('passes an ordinary credential through', () => {
    expect(checkCredential('trackstar-api-key', 'ts_live-AZaz09/+=.~')).toBe('ts_live-AZaz09/+=.~')
    expect(checkCredential('adobe-api-key', 'caf\u00e9')).toBe('caf\u00e9')
    expect(checkCredential('adobe-client-secret', 'p\u20acss \u4e00')).toBe('p\u20acss \u4e00')
  })

  it.each(['a\nb', 'a\rb', 'a\tb', 'a\u0000b', 'a\u001fb', 'a\u007fb'])('rejects %j, giving the position and never the value', value => {
    const err = (() => {
      try {
        checkCredential('github-token', value)
      } catch (e) {
        return e as InputError
      }
    })()
    expect(err).toBeInstanceOf(InputError)
    expect(err?.message).toBe("Input `github-token`: holds a control character (a line break or tab, say) at position 2; a credential cannot contain one: check the secret's value")
  })

  it('rejects a character above U+00FF in a header credential, not in the client secret', () => {
    expect(() => checkCredential('adobe-api-key', 'k\u0100')).toThrow("Input `adobe-api-key`: holds a character an HTTP header cannot carry at position 2: check the secret's value")
    expect(() => checkCredential('adobe-api-key', 'k\u00ff')).not.toThrow()
    expect(checkCredential('adobe-client-secret', 'k\u0100')).toBe('k\u0100')
  })
})

describe('readInputs rejects credentials that can never be sent, before anything else', () => {
  it.each([
    ['trackstar-api-key', { provider: 'trackstar', 'trackstar-api-key': 'k\ney' }, {}, 'position 2'],
    ['trackstar-api-key', { provider: 'trackstar' }, { TRACKSTAR_API_KEY: 'ke\ny' }, 'position 3 (from the TRACKSTAR_API_KEY environment variable)'],
    ['trackstar-access-token', { provider: 'trackstar', 'trackstar-api-key': 'k' }, { TRACKSTAR_ACCESS_TOKEN: 't\u0007' }, 'from the TRACKSTAR_ACCESS_TOKEN environment variable'],
    ['adobe-client-secret', { ...ADOBE, 'adobe-client-secret': '' }, { ADOBE_CLIENT_SECRET: 's\rt' }, 'from the ADOBE_CLIENT_SECRET environment variable'],
    ['adobe-access-token', ADOBE, { ADOBE_ACCESS_TOKEN: 'to\nken' }, 'from the ADOBE_ACCESS_TOKEN environment variable'],
    ['adobe-access-token', { ...ADOBE, 'adobe-access-token': 'tok\u20ac' }, {}, 'header cannot carry'],
    ['adobe-client-id', { ...ADOBE, 'adobe-client-id': '' }, { ADOBE_CLIENT_ID: 'c\nid' }, 'from the ADOBE_CLIENT_ID environment variable'],
    ['adobe-client-id', { ...ADOBE, 'adobe-client-id': 'c\u20acid' }, {}, 'header cannot carry at position 2: '],
    ['adobe-api-key', ADOBE, { ADOBE_API_KEY: 'api\tkey' }, 'from the ADOBE_API_KEY environment variable'],
    ['adobe-api-key', { ...ADOBE, 'adobe-api-key': 'api\u20ac' }, {}, 'at position 4: '],
    ['github-token', { ...ADOBE, 'github-token': 'ghs_\n1' }, {}, 'position 5; ']
  ])('%s', (input, inputs, env, says) => {
    const err = readError(inputs, env)
    expect(err.input).toBe(input)
    expect(err.message).toContain(says)
  })

  it('names the input, not the environment variable, when the input is set', () => {
    const err = readError({ provider: 'trackstar', 'trackstar-api-key': 'k\ney' }, { TRACKSTAR_API_KEY: 'fine' })
    expect(err.message).not.toContain('environment variable')
  })
})
