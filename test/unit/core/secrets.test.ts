// The secret registry: what it masks in the runner's log, and every encoding `redact` finds.
import { describe, expect, it } from 'vitest'
import { base64Cores, encodings, Secrets, secretPattern } from '../../../src/core/secrets'

function registry(...values: string[]): { secrets: Secrets; masked: string[] } {
  const masked: string[] = []
  const secrets = new Secrets(v => masked.push(v))
  for (const v of values) secrets.add(v)
  return { secrets, masked }
}

const SECRET = 'p@ss wörd/"x"+&<é>😀'

/** The secret as each encoder writes it, built here from the standard library, not from src/. */
const WRITTEN: [string, string][] = [
  ['raw', SECRET],
  ['JSON', JSON.stringify(SECRET).slice(1, -1)],
  ['JSON with \\/', JSON.stringify(SECRET).slice(1, -1).replace(/\//g, '\\/')],
  ['JSON, ASCII only, lower-case hex', 'p@ss w\\u00f6rd\\/\\"x\\"+&<\\u00e9>\\ud83d\\ude00'],
  ['JSON, ASCII only, upper-case hex', 'p@ss w\\u00F6rd/\\"x\\"+&<\\u00E9>\\uD83D\\uDE00'],
  ['JSON, every character escaped', SECRET.split('').map(u => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
  ['URL (encodeURIComponent)', encodeURIComponent(SECRET)],
  ['URL, lower-case hex', encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, m => m.toLowerCase())],
  ['URL, every byte escaped', [...Buffer.from(SECRET)].map(b => `%${b.toString(16).padStart(2, '0')}`).join('')],
  ['form (URLSearchParams)', new URLSearchParams({ v: SECRET }).toString().slice(2)],
  ['HTML, named references', SECRET.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')],
  ['HTML, decimal references', [...SECRET].map(c => `&#${c.codePointAt(0)};`).join('')],
  ['HTML, hex references', [...SECRET].map(c => `&#x${(c.codePointAt(0) as number).toString(16).toUpperCase()};`).join('')],
  ['HTML, padded references', [...SECRET].map(c => `&#00${c.codePointAt(0)};`).join('')],
  ['base64', Buffer.from(SECRET).toString('base64')],
  ['base64 without padding', Buffer.from(SECRET).toString('base64').replace(/=+$/, '')],
  ['base64url', Buffer.from(SECRET).toString('base64url')]
]

describe('Secrets.redact', () => {
  const { secrets } = registry(SECRET)

  it.each(WRITTEN)('finds the secret written as %s, inside other text', (_how, written) => {
    // a registry of its own: the pattern is built by the first text that needs it
    const { secrets: own } = registry(SECRET)
    expect(own.redact(`before ${written} after`)).toBe('before *** after')
  })

  it.each([0, 1, 2])('finds the secret base64-encoded inside a longer text (%i bytes before it)', offset => {
    const blob = Buffer.from(`${'k'.repeat(offset)}user:${SECRET}:tail`).toString('base64')
    const out = secrets.redact(blob)
    expect(out).toContain('***')
    // What is left is only the bits of base64 that also hold the neighbouring bytes.
    for (const core of base64Cores(SECRET)) expect(out).not.toContain(core)
    expect(out.length).toBeLessThan(blob.length - 20)
  })

  it('replaces every occurrence, and the longer of two nested secrets whole', () => {
    const { secrets: s } = registry('abc123', 'xxabc123yy')
    expect(s.redact('abc123 and xxabc123yy and abc123')).toBe('*** and *** and ***')
  })

  it('redacts a later secret that contains an earlier one whole', () => {
    const { secrets: s } = registry('short1', 'a-short1-longer')
    expect(s.redact('[a-short1-longer]')).toBe('[***]')
  })

  it.each([
    ['one byte over a multiple of three', 'k+y?>1'.repeat(2) + 'a'],
    ['two bytes over', 'k+y?>1'.repeat(2) + 'ab'],
    ['a multiple of three', '??>>??~~~']
  ])('redacts base64 and base64url whole, padding and last character included (%s)', (_case, value) => {
    const { secrets: s } = registry(value)
    for (const form of [Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url')]) {
      expect(s.redact(`[${form}]`), form).toBe('[***]')
    }
  })

  it('redacts the longest base64 form first, whatever order the secrets came in', () => {
    const { secrets: s } = registry('abc', 'abcdef')
    expect(s.redact(`x ${Buffer.from('abcdef').toString('base64')} y`)).toBe('x *** y')
    expect(s.redact(`x ${Buffer.from('abc').toString('base64')} y`)).toBe('x *** y')
  })

  it('an empty registry, and one given undefined or null, changes nothing', () => {
    const { secrets: s, masked } = registry()
    s.add(undefined)
    s.add(null)
    expect(s.redact('Stryker was here: undefined, null, "", 0')).toBe('Stryker was here: undefined, null, "", 0')
    expect(masked).toEqual([])
  })

  it('leaves text without secrets as it is', () => {
    expect(secrets.redact('nothing to see: p@ss, wörd, 😀')).toBe('nothing to see: p@ss, wörd, 😀')
    expect(new Secrets(() => undefined).redact('any text')).toBe('any text')
  })

  it('does not take a plus or an escape for a different character', () => {
    const { secrets: s } = registry('a b')
    expect(s.redact('a+b a%20b a b a\\u0020b a&#32;b')).toBe('*** *** *** *** ***')
    expect(registry('x-z').secrets.redact('x+z x z')).toBe('x+z x z')
    expect(registry("it's").secrets.redact('it&apos;s it&#39;s it&#x27;s')).toBe('*** *** ***')
    expect(s.redact('a-b a%21b a\\u0021b a&#33;b a&#x21;b')).toBe('a-b a%21b a\\u0021b a&#33;b a&#x21;b')
  })

  it('reads JSON short escapes only for their own characters', () => {
    const { secrets: s } = registry('q"b\\s/n\nt\tr\rf\fb\b')
    expect(s.redact(JSON.stringify('q"b\\s/n\nt\tr\rf\fb\b'))).toBe('"***"')
    const { secrets: plain } = registry('tab')
    expect(plain.redact('\\tab')).toBe('\\***')
  })
})

describe('Secrets.add', () => {
  it('masks the value and its longer encodings once, skipping empty values', () => {
    const { secrets, masked } = registry('p@ss word/"x"', 'p@ss word/"x"', '', '   ')
    secrets.add(undefined)
    secrets.add(null)
    expect(masked.filter(m => m === 'p@ss word/"x"')).toHaveLength(1)
    expect(masked).toContain(encodeURIComponent('p@ss word/"x"'))
    expect(masked).toContain('p%40ss+word%2F%22x%22')
    expect(masked).toContain(Buffer.from('p@ss word/"x"').toString('base64'))
    expect(masked).toContain('p@ss word\\/\\"x\\"')
    expect(masked).not.toContain('')
    expect(masked).not.toContain('   ')
    expect(secrets.has('p@ss word/"x"')).toBe(true)
    expect(secrets.has('')).toBe(false)
  })

  it('masks a short value itself but not its short encodings', () => {
    const { masked } = registry('a b')
    expect(masked).toEqual(['a b'])
  })

  it('masks an encoding of exactly 8 characters, and not one of 7', () => {
    // base64 of 6 bytes is 8 characters; 'abc%20de' is 8, 'ab%20cd' 7
    expect(registry('abcdef').masked).toContain('YWJjZGVm')
    expect(registry('ab c').masked).toEqual(['ab c', 'YWIgYw=='])
    expect(registry('abc de').masked).toContain('abc%20de')
    expect(registry('abc de').masked).not.toContain('abc+de')
    expect(registry('ab cd').masked).not.toContain('ab%20cd')
  })

  it('takes numbers as text', () => {
    const { secrets } = registry()
    secrets.add(12345678 as unknown as string)
    expect(secrets.redact('id 12345678')).toBe('id ***')
  })
})

describe('encodings', () => {
  it('lists each distinct form once, the value first', () => {
    const forms = encodings('a/é')
    expect(forms[0]).toBe('a/é')
    expect(new Set(forms).size).toBe(forms.length)
    expect(forms).toEqual(
      expect.arrayContaining(['a\\/é', 'a/\\u00e9', 'a%2F%C3%A9', Buffer.from('a/é').toString('base64'), Buffer.from('a/é').toString('base64url')])
    )
    expect(encodings('abcd')).toEqual(['abcd', 'YWJjZA==', 'YWJjZA'])
    expect(encodings('')).toEqual([])
    // base64 without padding, apart from base64url: '+' and '/' stay
    expect(Buffer.from('>>?>').toString('base64')).toBe('Pj4/Pg==')
    expect(encodings('>>?>')).toContain('Pj4/Pg')
  })
})

describe('Secrets.redact without escapes in the text', () => {
  // A small seeded generator: the same cases on every run, many of them.
  function random(seed: number): (n: number) => number {
    let x = seed
    return n => {
      x = (x * 1103515245 + 12345) % 2 ** 31
      return Math.floor((x / 2 ** 31) * n)
    }
  }
  const PLAIN = 'abcXYZ019 -_.:/"<>éö😀'
  const WITH_ESCAPES = `${PLAIN}\\+%&`
  const TEXT_CHARS = 'abcxyz0189 -_.:/"<>=*éö😀\n'
  const pick = (r: (n: number) => number, from: string, n: number): string => {
    const chars = [...from]
    return Array.from({ length: n }, () => chars[r(chars.length)]).join('')
  }

  it('finds exactly what the full pattern finds, in 500 random texts', () => {
    const r = random(20261125)
    let checked = 0
    for (let i = 0; i < 500; i++) {
      // mostly secrets the text can hold as they are; some that it cannot
      const secret = pick(r, r(4) === 0 ? WITH_ESCAPES : PLAIN, 1 + r(12))
      if (secret.trim() === '') continue
      // text with no escape characters, holding the secret itself where the secret allows it
      const parts = Array.from({ length: 1 + r(4) }, () => pick(r, TEXT_CHARS, r(10)))
      const text = parts.join(/[\\%&+]/.test(secret) ? '' : secret)
      const { secrets } = registry(secret)
      const full = text.replace(secretPattern(secret), '***')
      // the base64 forms are exact strings either way: apply them first, as redact does
      const expected = [Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), ...base64Cores(secret)]
        .sort((a, b) => b.length - a.length)
        .reduce((t, form) => t.split(form).join('***'), text)
      expect(secrets.redact(text), JSON.stringify({ secret, text })).toBe(expected.replace(secretPattern(secret), '***'))
      if (full !== text) checked++
    }
    // most cases really held the secret
    expect(checked).toBeGreaterThan(200)
  })

  it('still reads escapes once the text has any', () => {
    const { secrets } = registry('a b/c')
    expect(secrets.redact('a b/c a+b/c')).toBe('*** ***')
    expect(secrets.redact('a b/c a%20b%2Fc')).toBe('*** ***')
    expect(secrets.redact('a b/c a\\u0020b\\/c')).toBe('*** ***')
    expect(secrets.redact('a b/c a&#32;b&#47;c')).toBe('*** ***')
  })
})

describe('secretPattern', () => {
  it('matches a regular-expression character as itself only', () => {
    const p = secretPattern('a.b*')
    expect('a.b*'.replace(p, '#')).toBe('#')
    expect('axbb'.replace(p, '#')).toBe('axbb')
  })
})

describe('base64Cores', () => {
  it('gives the stretches of base64 that hold the secret alone, at each alignment', () => {
    const secret = 'correct-horse-battery'
    const cores = base64Cores(secret)
    expect(cores.length).toBe(6)
    for (const offset of [0, 1, 2]) {
      const text = Buffer.from(`${'#'.repeat(offset)}${secret}!`).toString('base64')
      expect(cores.some(c => text.includes(c)), `alignment ${offset}`).toBe(true)
    }
    expect(cores[0]).toBe(Buffer.from(secret).toString('base64').slice(0, 28))
  })

  it('has url-safe twins and leaves out stretches shorter than 8', () => {
    const cores = base64Cores('\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff')
    expect(cores.some(c => c.includes('/') || c.includes('+'))).toBe(true)
    expect(cores.some(c => c.includes('_') || c.includes('-'))).toBe(true)
    const twins = base64Cores('>?>?>?>?>?>?')
    const [even, odd] = [twins.filter((_, i) => i % 2 === 0), twins.filter((_, i) => i % 2 === 1)]
    expect(even.join('')).toMatch(/\+.*\/|\/.*\+/)
    expect(odd).toEqual(even.map(c => c.replace(/\+/g, '-').replace(/\//g, '_')))
    expect(base64Cores('abcde')).toEqual([])
    expect(base64Cores('abcdef')).toEqual(['YWJjZGVm', 'YWJjZGVm'])
  })
})
