// What the calls to Platform APIs other than the Sandbox API share: their headers, and how
// text from their answers is shown in the log.
import type { Credentials } from './api'

/** The gateway's three headers, and the sandbox the call is about. */
export function platformHeaders(creds: Credentials, sandbox: string): Record<string, string> {
  return {
    Authorization: `Bearer ${creds.token}`,
    'x-api-key': creds.apiKey,
    'x-gw-ims-org-id': creds.orgId,
    'x-sandbox-name': sandbox
  }
}

/** Text from an answer, on one line and short, so it can never start a workflow command. */
export function oneLine(s: string): string {
  const line = s.replace(/[\r\n]+/g, ' ').replace(/::/g, ': :').trim()
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}
