// The Adobe Experience Platform Sandbox API: one method per call, headers in one place.
import { ProviderError } from '../../errors'
import type { Http } from '../../http'

export const SANDBOX_API_PATH = '/data/foundation/sandbox-management'

export interface Sandbox {
  name: string
  title?: string
  state: string
  type?: string
  isDefault?: boolean
  region?: string
  createdDate?: string
  lastModifiedDate?: string
}

export interface Credentials {
  token: string
  apiKey: string
  orgId: string
}

export function hint(status: number, code: string | undefined, message?: string): string | undefined {
  if (status === 400 && message && /licen[cs]e|limit/i.test(message)) {
    return 'The organization has no sandbox left in its licence: delete unused sandboxes, or schedule operation: prune'
  }
  switch (code) {
    case '401013':
      return 'The access token is not valid or has expired: check adobe-access-token, or adobe-client-id and adobe-client-secret'
    case '403010':
      return 'The access token is missing: check adobe-access-token, or adobe-client-id and adobe-client-secret'
    case '403000':
    case '403003':
      return 'Check adobe-api-key (it defaults to adobe-client-id): it must be the API key (client id) of the credential'
    case '403025':
      return "Check adobe-org-id, and that the credential's product profile includes this organization and sandbox"
    case '400003':
      return 'A required header is missing: check adobe-org-id'
    case 'SMS-2074-400':
    case 'SMS-2075-400':
    case 'SMS-2076-400':
      return 'Its identity graph is used by Adobe Analytics (Cross Device Analytics) or Audience Manager (People Based Destinations): remove that use first'
    case 'SMS-2077-400':
      return 'This is a warning about bi-directional segment sharing: set ignore-warnings: true to go ahead anyway'
  }
  if (status === 401) return 'Check adobe-access-token, or adobe-client-id and adobe-client-secret'
  if (status === 403) return 'The credential needs the Sandbox Administration permissions (Manage Sandboxes, Reset a Sandbox) in its product profile'
  if (status === 429) return 'Adobe rate-limited the request; fewer jobs at once, or a larger timeout, helps'
  return undefined
}

/** 404 and `deleted` both mean: there is no such sandbox. */
export function exists(s: Sandbox | undefined): s is Sandbox {
  return s !== undefined && s.state !== 'deleted'
}

function asSandbox(body: unknown, name: string): Sandbox {
  const b = (body ?? {}) as Record<string, unknown>
  return {
    name: typeof b.name === 'string' ? b.name : name,
    title: typeof b.title === 'string' ? b.title : undefined,
    state: typeof b.state === 'string' ? b.state : 'unknown',
    type: typeof b.type === 'string' ? b.type : undefined,
    isDefault: b.isDefault === true,
    region: typeof b.region === 'string' ? b.region : undefined,
    createdDate: typeof b.createdDate === 'string' ? b.createdDate : undefined,
    lastModifiedDate: typeof b.lastModifiedDate === 'string' ? b.lastModifiedDate : undefined
  }
}

export interface MutationResult {
  sandbox: Sandbox
  /** a retry of this call followed an attempt whose outcome was unknown */
  afterUnknownOutcome: boolean
  status: number
}

export class SandboxApi {
  private readonly base: string
  constructor(
    private readonly http: Http,
    platformUrl: string,
    private readonly creds: Credentials
  ) {
    this.base = `${platformUrl}${SANDBOX_API_PATH}`
  }

  /** the bearer token this client sends (a secret, registered already) */
  get token(): string {
    return this.creds.token
  }

  private headers(sandbox?: string): Record<string, string> {
    const h: Record<string, string> = {
      Authorization: `Bearer ${this.creds.token}`,
      'x-api-key': this.creds.apiKey,
      'x-gw-ims-org-id': this.creds.orgId
    }
    if (sandbox) h['x-sandbox-name'] = sandbox
    return h
  }

  private item(name: string, query?: Record<string, boolean>): string {
    const q = Object.entries(query ?? {})
      .filter(([, v]) => v)
      .map(([k]) => `${k}=true`)
    return `${this.base}/sandboxes/${encodeURIComponent(name)}${q.length ? `?${q.join('&')}` : ''}`
  }

  /** The sandbox, or undefined when the API has never heard of it (404). */
  async get(name: string): Promise<Sandbox | undefined> {
    const res = await this.http.request({ method: 'GET', url: this.item(name), action: `look up sandbox "${name}"`, headers: this.headers(name), accept: [404] })
    return res.status === 404 ? undefined : asSandbox(res.body, name)
  }

  /** One page of the list; `limit` and `offset` always go together. */
  async page(limit: number, offset: number): Promise<{ sandboxes: Sandbox[]; count: number }> {
    const res = await this.http.request<{ sandboxes?: unknown[]; _page?: { count?: number } }>({
      method: 'GET',
      url: `${this.base}/sandboxes?limit=${limit}&offset=${offset}`,
      action: `list sandboxes (offset ${offset})`,
      headers: this.headers()
    })
    const list = Array.isArray(res.body?.sandboxes) ? res.body.sandboxes : []
    const sandboxes = list.map(s => asSandbox(s, ''))
    return { sandboxes, count: typeof res.body?._page?.count === 'number' ? res.body._page.count : sandboxes.length }
  }

  /** POST /sandboxes. A 409 comes back as a result (status 409), not as an error. */
  async create(name: string, title: string): Promise<MutationResult> {
    const res = await this.http.request({
      method: 'POST',
      url: `${this.base}/sandboxes`,
      action: `create sandbox "${name}"`,
      headers: this.headers(),
      json: { name, title, type: 'development' },
      accept: [409]
    })
    return { sandbox: asSandbox(res.body, name), afterUnknownOutcome: res.afterUnknownOutcome, status: res.status }
  }

  async reset(name: string, ignoreWarnings: boolean): Promise<MutationResult> {
    const res = await this.http.request({
      method: 'PUT',
      url: this.item(name, { ignoreWarnings }),
      action: `reset sandbox "${name}"`,
      headers: this.headers(name),
      json: { action: 'reset' }
    })
    return { sandbox: asSandbox(res.body, name), afterUnknownOutcome: res.afterUnknownOutcome, status: res.status }
  }

  /** PATCH the title, the only field the API changes; last writer wins (no If-Match). */
  async setTitle(name: string, title: string): Promise<Sandbox> {
    const res = await this.http.request({
      method: 'PATCH',
      url: this.item(name),
      action: `set the title of sandbox "${name}"`,
      headers: this.headers(name),
      json: { title },
      idempotent: true
    })
    return asSandbox(res.body, name)
  }

  /** DELETE; a 404 (already gone) comes back as status 404. */
  async remove(name: string, ignoreWarnings: boolean): Promise<MutationResult> {
    const res = await this.http.request({
      method: 'DELETE',
      url: this.item(name, { ignoreWarnings }),
      action: `delete sandbox "${name}"`,
      headers: this.headers(name),
      accept: [404]
    })
    return { sandbox: asSandbox(res.body, name), afterUnknownOutcome: res.afterUnknownOutcome, status: res.status }
  }
}

export function isProviderStatus(err: unknown, status: number): err is ProviderError {
  return err instanceof ProviderError && err.status === status
}
