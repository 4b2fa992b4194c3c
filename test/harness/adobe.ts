// Shared setup for the Adobe end-to-end tests: the emulator's credentials as inputs, and
// the check that a test left no sandbox behind it did not mean to keep.
import { expect } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_CLIENT_SECRET, EMULATOR_ADOBE_ORG_ID, type Emulator } from '../../emulator/index'

export function adobeInputs(emu: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    provider: 'adobe',
    'adobe-client-id': EMULATOR_ADOBE_CLIENT_ID,
    'adobe-client-secret': EMULATOR_ADOBE_CLIENT_SECRET,
    'adobe-org-id': EMULATOR_ADOBE_ORG_ID,
    'adobe-ims-url': emu.url,
    'adobe-platform-url': emu.url,
    ...extra
  }
}

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
