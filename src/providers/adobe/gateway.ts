// What the calls to Platform APIs other than the Sandbox API share: their headers, and how
// text from their answers is shown in the log.
import { oneLine } from '../../core/log'
import type { Credentials } from './model'

/**
 * `x-sandbox-name` on calls that name no sandbox of their own (the sandbox list, roles, the
 * checks before a slot): the gateway wants the header on every call, and `prod` is the default
 * production sandbox every organization has. It is only a header: the default sandbox itself
 * is recognised by `isDefault`.
 */
export const DEFAULT_SANDBOX = 'prod'

/** The gateway's three headers, and the sandbox the call is about. */
export function platformHeaders(creds: Credentials, sandbox: string): Record<string, string> {
  return {
    Authorization: `Bearer ${creds.token}`,
    'x-api-key': creds.apiKey,
    'x-gw-ims-org-id': creds.orgId,
    'x-sandbox-name': sandbox
  }
}

/**
 * Text from an answer, short and on one line (the log's `oneLine`), with every `::` broken up
 * too: a role or job name is quoted inside our own lines, where it should not even look like a
 * command.
 */
export function shortLine(s: string): string {
  const line = oneLine(s).replace(/::/g, ': :').trim()
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}

/** What a Platform gateway answer with this status asks the user to check, whatever the API. */
export function gatewayHint(status: number): string | undefined {
  if (status === 401) return 'Check adobe-access-token, or adobe-client-id and adobe-client-secret'
  if (status === 429) return 'Adobe rate-limited the request; fewer jobs at once, or a larger timeout, helps'
  return undefined
}
