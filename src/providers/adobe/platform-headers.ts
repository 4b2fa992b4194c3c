// The headers every Platform API call carries besides the Sandbox API's own client: the
// gateway's three, and the sandbox the call is about.
import type { Credentials } from './api'

export function platformHeaders(creds: Credentials, sandbox: string): Record<string, string> {
  return {
    Authorization: `Bearer ${creds.token}`,
    'x-api-key': creds.apiKey,
    'x-gw-ims-org-id': creds.orgId,
    'x-sandbox-name': sandbox
  }
}
