// The action's inputs for reaching the emulator with its demo credentials, shared by the
// demo, the tests and the benchmark.
import {
  EMULATOR_ADOBE_CLIENT_ID,
  EMULATOR_ADOBE_CLIENT_SECRET,
  EMULATOR_ADOBE_ORG_ID,
  EMULATOR_TRACKSTAR_API_KEY,
  GITHUB_BASE,
  type Emulator
} from '../emulator/index'

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

export function trackstarInputs(emu: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    provider: 'trackstar',
    'trackstar-api-key': EMULATOR_TRACKSTAR_API_KEY,
    'trackstar-api-url': emu.url,
    ...extra
  }
}

/** The step environment that points the action's GitHub API calls at the emulator's stand-in. */
export function githubEnv(emu: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return { GITHUB_API_URL: `${emu.url}${GITHUB_BASE}`, ...extra }
}
