// Shared checks for the Adobe end-to-end tests: that a test left no sandbox behind it did
// not mean to keep, which bearer tokens it saw, and that every Sandbox API call carried the
// headers Adobe's contract requires.
import { expect } from 'vitest'
import { ADOBE_BASE, DELETION_STATES, EMULATOR_ADOBE_CLIENT_SECRET, isLive, type Emulator } from '../../emulator/index'

/** States of a sandbox on its way out (Adobe's OpenAPI and its prose documents). */
export const ON_THE_WAY_OUT: string[] = [...DELETION_STATES]

/** Names of sandboxes that are neither deleted nor on their way out, the default one included. */
export function liveSandboxes(emu: Emulator): string[] {
  return emu.adobe
    .sandboxes()
    .filter(isLive)
    .map(s => s.name)
    .sort()
}

/** The default sandbox's name, found by its flag (an organization may call it anything). */
export function defaultSandbox(emu: Emulator): string {
  const found = emu.adobe.sandboxes().filter(s => s.isDefault)
  expect(found, 'exactly one default sandbox').toHaveLength(1)
  return found[0].name
}

/** Live sandboxes the test did not mean to keep: the leak of a case, empty when none. */
export function leakedSandboxes(emu: Emulator, keep: string[] = []): string[] {
  const allowed = new Set([defaultSandbox(emu), ...keep])
  return liveSandboxes(emu).filter(n => !allowed.has(n))
}

/** Nothing is left but the default sandbox and the ones the test keeps on purpose. */
export function expectOnlyLive(emu: Emulator, keep: string[] = []): void {
  expect(liveSandboxes(emu)).toEqual([defaultSandbox(emu), ...keep].sort())
}

export const ADOBE_SECRETS = [EMULATOR_ADOBE_CLIENT_SECRET]

/** Issued tokens: every bearer token the emulator saw in this test. */
export function bearerTokens(emu: Emulator): string[] {
  const tokens = new Set<string>()
  for (const r of emu.requests) {
    const auth = r.headers.authorization
    if (auth?.startsWith('Bearer ')) tokens.add(auth.slice(7))
  }
  return [...tokens]
}

/** Sandbox API calls that lacked `x-sandbox-name` (Adobe's OpenAPI requires it on every one). */
export function callsWithoutSandboxHeader(emu: Emulator): string[] {
  return emu.requests
    .filter(r => r.path.startsWith(ADOBE_BASE) && !r.headers['x-sandbox-name']?.trim())
    .map(r => `${r.method} ${r.path}`)
}

/**
 * For a sandbox seeded busy for a long time: an `onLine` callback that ends its pending
 * operation once the step's log shows `seen`. The step has then surely seen it busy, however
 * slowly the machine started the step.
 */
export function finishOnceSeen(emu: Emulator, name: string, seen: string | RegExp): (line: string) => void {
  // the running test's emulator, taken now rather than when a line arrives
  const adobe = emu.adobe
  return line => {
    if (typeof seen === 'string' ? line.includes(seen) : seen.test(line)) adobe.finishNow(name)
  }
}
