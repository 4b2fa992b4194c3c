// Adobe IMS: an OAuth Server-to-Server access token, or the one the user gave. One token per
// step: Adobe may throttle clients that mint too many.
import { ActionError, UnreadableAnswerError } from '../../core/errors'
import { askAgainIfUnreadable } from '../../core/http'
import type { AdobeInputs } from '../../core/inputs'
import type { StepContext } from '../../core/provider'

function hint(status: number, code: string | undefined): string | undefined {
  if (code === 'invalid_client') return 'Check adobe-client-id and adobe-client-secret: they must be the OAuth Server-to-Server credential of your Adobe Developer Console project'
  if (code === 'invalid_scope') return 'Check adobe-scopes: every scope must be one the credential has in the Developer Console'
  if (code === 'unauthorized_client') return 'The credential may not use the client_credentials grant: use an OAuth Server-to-Server credential'
  if (status === 429) return 'Adobe IMS throttles clients that mint many tokens; pass a token minted once with adobe-access-token'
  if (status === 404 || status === 405) return 'Check adobe-ims-url: it must be the IMS base URL (https://ims-na1.adobelogin.com), under which /ims/token/v3 mints tokens'
  return undefined
}

export async function accessToken(ctx: StepContext<AdobeInputs>): Promise<string> {
  const { auth, imsUrl } = ctx.inputs
  if (auth.kind === 'token') return auth.token
  const action = 'mint an access token (client credentials)'
  let why = ''
  try {
    return await askAgainIfUnreadable(ctx.deadline, ctx.log, action, async () => {
      const res = await ctx.http('Adobe IMS', hint).request<unknown>({
        method: 'POST',
        url: `${imsUrl}/ims/token/v3`,
        action,
        form: {
          grant_type: 'client_credentials',
          client_id: auth.clientId,
          client_secret: auth.clientSecret,
          scope: auth.scopes.join(',')
        },
        // Minting again is harmless, and the post step's cleanup depends on it.
        idempotent: true
      })
      const body = res.body as { access_token?: unknown } | undefined
      const token = body && typeof body === 'object' ? body.access_token : undefined
      if (typeof token === 'string' && token !== '') {
        ctx.secrets.add(token)
        return token
      }
      why = typeof res.body === 'string' ? 'not JSON' : 'no access_token'
      throw new UnreadableAnswerError({ provider: 'Adobe IMS', action, status: res.status, providerMessage: `the answer could not be read (${why})` })
    })
  } catch (err) {
    if (!(err instanceof UnreadableAnswerError)) throw err
    throw new ActionError(`Adobe IMS: ${action} failed: HTTP ${err.status}, but the answer could not be read (${why}). Check adobe-ims-url (it must be the IMS base URL, https://ims-na1.adobelogin.com): a wrong host, or a proxy or gateway between the runner and Adobe, may have answered in its place`)
  }
}
