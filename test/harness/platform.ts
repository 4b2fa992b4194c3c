// What a later step of the job does with the sandbox: a read from another Platform API (the
// emulator's schema listing), with the token and sandbox name the action handed on.
import { EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_ORG_ID, SCHEMAS_PATH, type Emulator, type RoleSeed } from '../../emulator/index'

export async function readSchemas(emu: Emulator, token: string, sandbox: string): Promise<{ status: number; titles: string[] }> {
  const res = await fetch(`${emu.url}${SCHEMAS_PATH}`, {
    headers: {
      authorization: `Bearer ${token}`,
      'x-api-key': EMULATOR_ADOBE_CLIENT_ID,
      'x-gw-ims-org-id': EMULATOR_ADOBE_ORG_ID,
      'x-sandbox-name': sandbox
    },
    signal: AbortSignal.timeout(5000)
  })
  const body = (await res.json()) as { results?: { title: string }[] }
  return { status: res.status, titles: (body.results ?? []).map(s => s.title) }
}

/** A role that the emulator's default credential holds (it is one of the role's subjects). */
export function credentialRole(id: string, sandboxes: string[] = ['prod']): RoleSeed {
  return {
    id,
    name: `CI ${id}`,
    sandboxes,
    subjects: [{ subjectType: 'api-integration', subjectId: `${EMULATOR_ADOBE_CLIENT_ID}@techacct.adobe.com` }]
  }
}
