// Adobe IMS: the OAuth Server-to-Server token endpoint (client_credentials grant), and the
// token registry the Sandbox API's gateway checks bearer tokens against.
import { randomBytes, randomUUID } from 'node:crypto'
import { json, type Ctx, type Reply } from './common'
import {
  EMULATOR_ADOBE_CLIENT_ID,
  EMULATOR_ADOBE_CLIENT_SECRET,
  EMULATOR_ADOBE_ORG_ID
} from './credentials'

export interface AdobeClient {
  clientId: string
  clientSecret: string
  orgId: string
}

export interface TokenGrant {
  clientId: string
  orgId: string
  /** emulator clock ms */
  expiresAt: number
}

export const IMS_TOKEN_PATH = '/ims/token/v3'
const EXPIRES_IN_SECONDS = 86399

export const DEFAULT_ADOBE_CLIENTS: AdobeClient[] = [
  { clientId: EMULATOR_ADOBE_CLIENT_ID, clientSecret: EMULATOR_ADOBE_CLIENT_SECRET, orgId: EMULATOR_ADOBE_ORG_ID }
]

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
const imsError = (error: string, description: string) => json(400, { error, error_description: description })

export function createIms(clientList: AdobeClient[] | undefined, now: () => number) {
  const clients = new Map((clientList ?? DEFAULT_ADOBE_CLIENTS).map(c => [c.clientId, c]))
  const tokens = new Map<string, TokenGrant>()
  const minted = new Map<string, number>()

  function mint(clientId: string, scope: string): string {
    const client = clients.get(clientId)
    if (!client) throw new Error(`emulator: unknown Adobe client id ${clientId}`)
    const createdAt = now()
    // Shaped like IMS's JWT access tokens so clients that peek at them see something familiar;
    // the signature is random bytes, the registry is what makes a token valid.
    const token = [
      b64({ alg: 'RS256', x5u: 'ims_na1-key-at-1.cer', kid: 'ims_na1-key-at-1', itt: 'at' }),
      b64({
        id: randomUUID(),
        type: 'access_token',
        client_id: clientId,
        user_id: `${clientId}@techacct.adobe.com`,
        as: 'ims-na1',
        org: client.orgId,
        created_at: String(createdAt),
        expires_in: String(EXPIRES_IN_SECONDS * 1000),
        scope
      }),
      randomBytes(192).toString('base64url')
    ].join('.')
    tokens.set(token, { clientId, orgId: client.orgId, expiresAt: createdAt + EXPIRES_IN_SECONDS * 1000 })
    return token
  }

  function handle(ctx: Ctx): Reply {
    if (ctx.path !== IMS_TOKEN_PATH || ctx.method !== 'POST') {
      return json(404, { error: 'not_found', error_description: 'Not Found' })
    }
    // IMS reads the form body; parameters on the query string are accepted too.
    const params = { ...ctx.query, ...Object.fromEntries(new URLSearchParams(ctx.body)) }
    const client = clients.get(params.client_id ?? '')
    if (!client) return imsError('invalid_client', 'invalid client_id parameter')
    if (params.client_secret !== client.clientSecret) return imsError('invalid_client', 'invalid client_secret parameter')
    if (params.grant_type !== 'client_credentials') return imsError('unsupported_grant_type', 'unsupported grant_type parameter')
    if (!params.scope?.trim()) return imsError('invalid_scope', 'invalid scope parameter')
    const token = mint(client.clientId, params.scope)
    minted.set(client.clientId, (minted.get(client.clientId) ?? 0) + 1)
    return json(200, { access_token: token, token_type: 'bearer', expires_in: EXPIRES_IN_SECONDS })
  }

  return {
    handle,
    routeKey: (method: string, path: string): string | undefined =>
      method === 'POST' && path === IMS_TOKEN_PATH ? `POST ${IMS_TOKEN_PATH}` : undefined,
    /** a valid token as if IMS had minted it; not counted in issued() */
    issueToken: (clientId?: string): string => mint(clientId ?? [...clients.keys()][0], 'openid,AdobeID'),
    /** tokens minted over HTTP, for one client or all */
    issued: (clientId?: string): number =>
      clientId === undefined ? [...minted.values()].reduce((a, b) => a + b, 0) : (minted.get(clientId) ?? 0),
    /** the grant behind a bearer token, undefined when unknown or expired */
    lookup(token: string): TokenGrant | undefined {
      const grant = tokens.get(token)
      return grant && grant.expiresAt > now() ? grant : undefined
    },
    reset(): void {
      tokens.clear()
      minted.clear()
    }
  }
}

export type ImsEmulator = ReturnType<typeof createIms>
