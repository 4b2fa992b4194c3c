// Adobe IMS: an OAuth Server-to-Server access token, or the one the user gave. One token per
// step: Adobe may throttle clients that mint too many.
import { ActionError } from '../errors'
import type { AdobeInputs } from '../inputs'
import type { StepContext } from './types'

function hint(status: number, code: string | undefined): string | undefined {
  if (code === 'invalid_client') return 'Check adobe-client-id and adobe-client-secret: they must be the OAuth Server-to-Server credential of your Adobe Developer Console project'
  if (code === 'invalid_scope') return 'Check adobe-scopes: every scope must be one the credential has in the Developer Console'
  if (code === 'unauthorized_client') return 'The credential may not use the client_credentials grant: use an OAuth Server-to-Server credential'
  if (status === 429) return 'Adobe IMS throttles clients that mint many tokens; pass a token minted once with adobe-access-token'
  return undefined
}

export async function accessToken(ctx: StepContext<AdobeInputs>): Promise<string> {
  const { auth, imsUrl } = ctx.inputs
  if (auth.kind === 'token') return auth.token
  const res = await ctx.http('Adobe IMS', hint).request<{ access_token?: unknown; token_type?: unknown }>({
    method: 'POST',
    url: `${imsUrl}/ims/token/v3`,
    action: 'mint an access token (client credentials)',
    // Minting again is harmless, and the post step's cleanup depends on it.
    idempotent: true,
    form: {
      grant_type: 'client_credentials',
      client_id: auth.clientId,
      client_secret: auth.clientSecret,
      scope: auth.scopes.join(',')
    }
  })
  const token = res.body?.access_token
  if (typeof token !== 'string' || token === '') {
    throw new ActionError('Adobe IMS: the token answer had no access_token')
  }
  ctx.secrets.add(token)
  return token
}
