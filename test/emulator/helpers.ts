import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
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

/**
 * Starts the emulator's command line (`emulator/cli.ts`) with `args` and resolves with the child
 * and the URL from its listening line (rejects after 15 s without one).
 */
export async function startCli(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', ...args], {
    cwd: new URL('../..', import.meta.url),
    stdio: ['pipe', 'pipe', 'pipe']
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 15_000)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /^Emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
  }).catch(err => {
    child.kill('SIGKILL')
    throw err
  })
  return { child, url }
}
