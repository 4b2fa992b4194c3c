// Shared checks for the Adobe end-to-end tests: that a test left no sandbox behind it did
// not mean to keep, and which bearer tokens it saw.
import { expect } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_SECRET, type Emulator } from '../../emulator/index'

/** Names of sandboxes that are not deleted (the default `prod` included). */
export function liveSandboxes(emu: Emulator): string[] {
  return emu.adobe
    .sandboxes()
    .filter(s => s.state !== 'deleted' && s.state !== 'deleting')
    .map(s => s.name)
    .sort()
}

/** Nothing is left but the default sandbox and the ones the test keeps on purpose. */
export function expectOnlyLive(emu: Emulator, keep: string[] = []): void {
  expect(liveSandboxes(emu)).toEqual(['prod', ...keep].sort())
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
