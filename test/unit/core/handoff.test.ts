// The main-to-post handoff: what is saved is read back as it was, and anything else is no
// handoff at all (the post step then acts on nothing rather than on a guess).
import { describe, expect, it } from 'vitest'
import { isPost, loadHandoff, markMainStarted, saveHandoff, type Handoff, type StateStore } from '../../../src/core/handoff'

function store(): StateStore & { saved: Map<string, string> } {
  const saved = new Map<string, string>()
  return { saved, get: k => saved.get(k) ?? '', save: (k, v) => void saved.set(k, v) }
}

describe('handoff', () => {
  it.each<Handoff>([
    { provider: 'adobe', sandbox: 'gh-box', action: 'delete', created: true, confirmed: false },
    { provider: 'adobe', sandbox: 'gh-box', action: 'reset', created: false, confirmed: true },
    { provider: 'adobe', sandbox: 'gh-box', action: 'delete', created: true, confirmed: true, roles: ['role-a', 'role-b'] },
    { provider: 'adobe', sandbox: 'ci-pool-1', action: 'release', lease: '0123456789abcdef', confirmed: true },
    { provider: 'trackstar', integrationType: 'wms', action: 'reset', confirmed: true }
  ])('reads back what was saved: %j', h => {
    const s = store()
    saveHandoff(s, h)
    expect(loadHandoff(s)).toEqual(h)
  })

  it('saving none clears an earlier one', () => {
    const s = store()
    saveHandoff(s, { provider: 'adobe', sandbox: 'gh-box', action: 'delete', created: true, confirmed: true })
    saveHandoff(s, undefined)
    expect(loadHandoff(s)).toBeUndefined()
  })

  it.each([
    ['not JSON', '{oops'],
    ['null', 'null'],
    ['another provider', JSON.stringify({ provider: 'aws', sandbox: 'x', action: 'delete', created: true, confirmed: true })],
    ['no sandbox', JSON.stringify({ provider: 'adobe', action: 'delete', created: true, confirmed: true })],
    ['an empty sandbox', JSON.stringify({ provider: 'adobe', sandbox: '', action: 'delete', created: true, confirmed: true })],
    ['an unknown action', JSON.stringify({ provider: 'adobe', sandbox: 'x', action: 'none', created: true, confirmed: true })],
    ['no confirmed flag', JSON.stringify({ provider: 'adobe', sandbox: 'x', action: 'delete', created: true })],
    ['no created flag', JSON.stringify({ provider: 'adobe', sandbox: 'x', action: 'delete', confirmed: true })],
    ['no integration type', JSON.stringify({ provider: 'trackstar', action: 'reset', confirmed: true })],
    ['a release without its lease nonce', JSON.stringify({ provider: 'adobe', sandbox: 'x', action: 'release', confirmed: true })],
    ['a release with an empty nonce', JSON.stringify({ provider: 'adobe', sandbox: 'x', action: 'release', lease: '', confirmed: true })],
    ['a Trackstar release', JSON.stringify({ provider: 'trackstar', integrationType: 'wms', action: 'release', lease: 'n', confirmed: true })],
    ['roles that are not a list of ids', JSON.stringify({ provider: 'adobe', sandbox: 'x', action: 'delete', created: true, confirmed: true, roles: 'role-a' })],
    ['an empty role id', JSON.stringify({ provider: 'adobe', sandbox: 'x', action: 'delete', created: true, confirmed: true, roles: [''] })]
  ])('a handoff with %s is no handoff', (_what, raw) => {
    const s = store()
    s.save('cleanup', raw)
    expect(loadHandoff(s)).toBeUndefined()
  })

  it('the post flag is set by the main step only', () => {
    const s = store()
    expect(isPost(s)).toBe(false)
    markMainStarted(s)
    expect(isPost(s)).toBe(true)
  })
})

describe('handoff fields that belong to another provider or have the wrong type', () => {
  it.each([
    ['an adobe handoff with only an integration type', { provider: 'adobe', integrationType: 'wms', action: 'delete', created: true, confirmed: true }],
    ['a trackstar handoff with a numeric integration type', { provider: 'trackstar', integrationType: 5, action: 'reset', confirmed: true }],
    ['a trackstar handoff with an empty integration type', { provider: 'trackstar', integrationType: '', action: 'reset', confirmed: true }],
    ['a trackstar handoff with only a sandbox', { provider: 'trackstar', sandbox: 'x', action: 'reset', created: true, confirmed: true }],
    ['an adobe handoff with a numeric sandbox', { provider: 'adobe', sandbox: 5, action: 'delete', created: true, confirmed: true }],
    ['an adobe handoff with a text created flag', { provider: 'adobe', sandbox: 'x', action: 'delete', created: 'true', confirmed: true }],
    ['a text confirmed flag', { provider: 'adobe', sandbox: 'x', action: 'delete', created: true, confirmed: 'false' }]
  ])('%s is no handoff', (_what, h) => {
    const s = store()
    s.save('cleanup', JSON.stringify(h))
    expect(loadHandoff(s)).toBeUndefined()
  })
})
