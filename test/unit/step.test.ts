// The post step's own settings from the environment: the grace period for a create of unknown
// outcome. Absent or unreadable values fall back to the default, never to zero.
import { describe, expect, it } from 'vitest'
import { createGraceMs } from '../../src/step'

describe('createGraceMs', () => {
  // At least the 60 s Adobe's gateway may hold a request before it answers.
  it('defaults to longer than the gateway holds a request', () => {
    expect(createGraceMs({})).toBeGreaterThanOrEqual(60_000)
    expect(createGraceMs({})).toBeLessThanOrEqual(600_000)
  })
  it.each([['0', 0], ['1500', 1500], ['90000', 90_000]])('EPHEMERAL_SANDBOX_CREATE_GRACE_MS=%s sets it', (v, ms) => {
    expect(createGraceMs({ EPHEMERAL_SANDBOX_CREATE_GRACE_MS: v })).toBe(ms)
  })
  it.each(['', 'soon', '-5', 'Infinity'])('an unreadable value (%j) keeps the default', v => {
    expect(createGraceMs({ EPHEMERAL_SANDBOX_CREATE_GRACE_MS: v })).toBe(createGraceMs({}))
  })
})
