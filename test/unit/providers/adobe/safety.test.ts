// The safety rules, from the sandbox's own record: the default sandbox is never touched
// whatever it is called and whatever allow-production says; production only with
// allow-production; a type the action does not know, never. And records are read strictly.
import { describe, expect, it } from 'vitest'
import { readSandbox, type Sandbox } from '../../../../src/providers/adobe/api'
import { assertMayTouch, refusal, type Verb } from '../../../../src/providers/adobe/safety'

const VERBS: Verb[] = ['reset', 'delete', 'reuse']
const rec = (extra: Partial<Sandbox> = {}): Sandbox => ({ name: 'box', state: 'active', type: 'development', isDefault: false, ...extra })

describe('refusal', () => {
  describe.each(VERBS)('%s', verb => {
    it.each([false, true])('allows a development sandbox that is not the default (allow-production %s)', allow => {
      expect(refusal(rec(), verb, allow)).toBeUndefined()
      expect(() => assertMayTouch(rec(), verb, allow)).not.toThrow()
    })

    it.each([
      ['production', 'prod'],
      ['production', 'acme-main'],
      ['development', 'prod'],
      ['development', 'dev-default']
    ])('refuses the default sandbox (a %s one called %s), even with allow-production', (type, name) => {
      for (const allow of [false, true]) {
        const why = refusal(rec({ name, type, isDefault: true }), verb, allow)
        expect(why).toBe(`Refusing to ${verb} sandbox "${name}": it is the organization's default sandbox, which this action never touches`)
        expect(() => assertMayTouch(rec({ name, type, isDefault: true }), verb, allow)).toThrow(why as string)
      }
    })

    it('a sandbox called prod that is not the default is judged by its type, not its name', () => {
      expect(refusal(rec({ name: 'prod' }), verb, false)).toBeUndefined()
      expect(refusal(rec({ name: 'prod', type: 'production' }), verb, true)).toBeUndefined()
    })

    it('refuses a production sandbox without allow-production, and says which input allows it', () => {
      const why = refusal(rec({ type: 'production' }), verb, false)
      expect(why).toContain(`Refusing to ${verb} sandbox "box"`)
      expect(why).toContain('production sandbox')
      expect(why).toContain('allow-production: true')
      expect(refusal(rec({ type: 'production' }), verb, true)).toBeUndefined()
    })

    it.each(['', 'sandbox', 'Development', 'PRODUCTION'])('refuses a type it does not know (%j), and allow-production does not help', type => {
      for (const allow of [false, true]) {
        const why = refusal(rec({ type }), verb, allow)
        expect(why).toContain(`Refusing to ${verb} sandbox "box"`)
        expect(why).toContain(`its type is "${type}"`)
      }
    })

    it('fails closed on a record whose isDefault is anything but false', () => {
      for (const isDefault of [undefined, null, 'false', 0]) {
        expect(refusal({ ...rec(), isDefault } as unknown as Sandbox, verb, true)).toContain('default sandbox')
      }
    })
  })
})

describe('readSandbox reads a record strictly', () => {
  const full = { name: 'box', title: 'Box', state: 'active', type: 'development', isDefault: false, region: 'VA7', createdDate: '2026-01-02 03:04:05', lastModifiedDate: '2026-01-02 03:04:06', etag: 3 }

  it('keeps the fields of a full record', () => {
    expect(readSandbox(full)).toEqual({ name: 'box', title: 'Box', state: 'active', type: 'development', isDefault: false, region: 'VA7', createdDate: '2026-01-02 03:04:05', lastModifiedDate: '2026-01-02 03:04:06' })
  })

  it('takes a record without the optional fields as it is, filling nothing in', () => {
    expect(readSandbox({ name: 'box', state: 'creating', type: 'production', isDefault: true })).toEqual({
      name: 'box', title: undefined, state: 'creating', type: 'production', isDefault: true, region: undefined, createdDate: undefined, lastModifiedDate: undefined
    })
  })

  it.each(['name', 'state', 'type', 'isDefault'])('a record without %s cannot be read, and says what is missing', field => {
    const partial: Record<string, unknown> = { ...full }
    delete partial[field]
    expect(readSandbox(partial)).toBe(`no ${field} in the sandbox record`)
  })

  it.each([
    ['name', 42],
    ['name', ''],
    ['state', ''],
    ['state', null],
    ['type', ''],
    ['type', false],
    ['isDefault', 'false'],
    ['isDefault', 0],
    ['isDefault', null]
  ])('a record whose %s is %j cannot be read', (field, value) => {
    expect(readSandbox({ ...full, [field]: value })).toBe(`no ${field} in the sandbox record`)
  })

  it('names every missing field at once', () => {
    expect(readSandbox({ title: 'x' })).toBe('no name, state, type, isDefault in the sandbox record')
  })

  it.each([
    ['HTML (a proxy answering 200)', '<html><body>OK</body></html>', 'not JSON'],
    ['nothing', undefined, 'not a JSON object'],
    ['null', null, 'not a JSON object'],
    ['a list', [full], 'not a JSON object'],
    ['a number', 200, 'not a JSON object']
  ])('%s cannot be read', (_what, body, why) => {
    expect(readSandbox(body)).toBe(why)
  })
})

describe('readSandbox keeps only text in text fields', () => {
  it.each(['title', 'region', 'createdDate', 'lastModifiedDate'])('a %s that is not text is left out', field => {
    const s = readSandbox({ name: 'box', state: 'active', type: 'development', isDefault: false, [field]: 42 })
    expect(typeof s).toBe('object')
    expect((s as unknown as Record<string, unknown>)[field]).toBeUndefined()
  })
})
