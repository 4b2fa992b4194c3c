// What a later step of the job does with the sandbox the action handed on: one read from
// another Platform API (the emulator's schema listing), with the token and sandbox name from
// the action's outputs. Used by the demo and the tests to show why the role grant matters.
import { EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_ORG_ID, SCHEMAS_PATH, type Emulator } from '../emulator/index'

export interface LaterRead {
  status: number
  /** the schema titles on 200 */
  titles: string[]
  /** Adobe's error text otherwise */
  error?: string
}

export async function readSchemas(emu: Emulator, token: string, sandbox: string): Promise<LaterRead> {
  const res = await fetch(`${emu.url}${SCHEMAS_PATH}`, {
    headers: {
      authorization: `Bearer ${token}`,
      'x-api-key': EMULATOR_ADOBE_CLIENT_ID,
      'x-gw-ims-org-id': EMULATOR_ADOBE_ORG_ID,
      'x-sandbox-name': sandbox
    },
    signal: AbortSignal.timeout(5000)
  })
  const body = (await res.json()) as { results?: { title: string }[]; title?: string; message?: string }
  return { status: res.status, titles: (body.results ?? []).map(s => s.title), error: body.title ?? body.message }
}
