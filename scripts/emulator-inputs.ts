// The action's inputs for reaching the emulator with its demo credentials, shared by the
// demo, the tests and the benchmark.
import {
  EMULATOR_ADOBE_CLIENT_ID,
  EMULATOR_ADOBE_CLIENT_SECRET,
  EMULATOR_ADOBE_ORG_ID,
  EMULATOR_TRACKSTAR_API_KEY,
  GITHUB_BASE,
  type Emulator,
  type RoleSeed
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

/** An access-control role that the demo credential holds (it is one of the role's subjects). */
export function credentialRole(id: string, sandboxes: string[] = ['prod']): RoleSeed {
  return {
    id,
    name: `CI ${id}`,
    sandboxes,
    subjects: [{ subjectType: 'api-integration', subjectId: `${EMULATOR_ADOBE_CLIENT_ID}@techacct.adobe.com` }]
  }
}

/** The step environment that points the action's GitHub API calls at the emulator's stand-in. */
export function githubEnv(emu: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return { GITHUB_API_URL: `${emu.url}${GITHUB_BASE}`, ...extra }
}
