// Shared bits for the emulator tests: headers, a token and small request wrappers.
import {
  ADOBE_BASE,
  EMULATOR_ADOBE_CLIENT_ID,
  EMULATOR_ADOBE_CLIENT_SECRET,
  EMULATOR_ADOBE_ORG_ID,
  type Emulator
} from '../../emulator'

export const SANDBOXES = `${ADOBE_BASE}/sandboxes`

/** The documented headers of a Sandbox API call; x-sandbox-name names the default sandbox unless given. */
export function adobeHeaders(emu: Emulator, token = emu.adobe.issueToken(), sandbox = emu.adobe.defaultName()): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'x-api-key': EMULATOR_ADOBE_CLIENT_ID,
    'x-gw-ims-org-id': EMULATOR_ADOBE_ORG_ID,
    'x-sandbox-name': sandbox,
    accept: 'application/json',
    'content-type': 'application/json'
  }
}

export async function call(
  emu: Emulator,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: unknown } = {}
  // Tests read answer fields freely; each assertion states the shape it expects.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: init.headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    signal: AbortSignal.timeout(5000)
  })
  const text = await res.text()
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let body: any
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: res.status, headers: res.headers, body, text }
}

export function tokenForm(over: Record<string, string> = {}): string {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: EMULATOR_ADOBE_CLIENT_ID,
    client_secret: EMULATOR_ADOBE_CLIENT_SECRET,
    scope: 'openid,AdobeID,read_organizations',
    ...over
  }).toString()
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** A clock tests move by hand. */
export function manualClock(start = Date.parse('2024-05-01T12:00:00Z')) {
  let t = start
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
