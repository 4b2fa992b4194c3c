// The Adobe Experience Platform Sandbox API: one method per call, headers in one place.
import { ProviderError, UnreadableAnswerError } from '../../core/errors'
import type { Deadline } from '../../core/deadline'
import { askAgainIfUnreadable, UNREADABLE_ATTEMPTS, type Http, type Request, type Response } from '../../core/http'
import type { Logger } from '../../core/log'
import { DEFAULT_SANDBOX, gatewayHint, platformHeaders } from './gateway'
import type { Credentials, Sandbox } from './model'
import { ServerTime } from './server-time'
import { exists, goingAway } from './states'

export type { Credentials, Sandbox } from './model'

export const SANDBOX_API_PATH = '/data/foundation/sandbox-management'

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
  if (status === 403) return 'The credential needs the Sandbox Administration permissions (Manage Sandboxes, Reset a Sandbox) in its product profile'
  return gatewayHint(status)
}

function unreadable(action: string, status: number, what: string): UnreadableAnswerError {
  return new UnreadableAnswerError({
    provider: 'Adobe Sandbox API',
    action,
    status,
    providerMessage: `the answer could not be read (${what})`,
    hint: 'Nothing was changed on the strength of it. A proxy or gateway between the runner and Adobe may have answered in its place'
  })
}

/**
 * Reads one sandbox record strictly: the fields the safety rules and the wait depend on
 * (`name`, `state`, `type`, `isDefault`) must be there, with their types; nothing is filled in.
 * Returns what is missing instead when the record cannot be read.
 */
export function readSandbox(body: unknown): Sandbox | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return typeof body === 'string' ? 'not JSON' : `not a JSON object`
  }
  const b = body as Record<string, unknown>
  const missing = [
    typeof b.name === 'string' && b.name !== '' ? '' : 'name',
    typeof b.state === 'string' && b.state !== '' ? '' : 'state',
    typeof b.type === 'string' && b.type !== '' ? '' : 'type',
    typeof b.isDefault === 'boolean' ? '' : 'isDefault'
  ].filter(Boolean)
  if (missing.length) return `no ${missing.join(', ')} in the sandbox record`
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
  return {
    name: b.name as string,
    title: text(b.title),
    state: b.state as string,
    type: b.type as string,
    isDefault: b.isDefault as boolean,
    region: text(b.region),
    createdDate: text(b.createdDate),
    lastModifiedDate: text(b.lastModifiedDate)
  }
}

function parseSandbox(body: unknown, action: string, status: number): Sandbox {
  const s = readSandbox(body)
  if (typeof s === 'string') throw unreadable(action, status, s)
  return s
}

export interface MutationResult {
  /** the record the provider answered with; undefined when it could not be read */
  sandbox?: Sandbox
  /** a retry of this call followed an attempt whose outcome was unknown */
  afterUnknownOutcome: boolean
  status: number
}

export class SandboxApi {
  private readonly base: string
  /** the Sandbox API's clock, from the Date header of its answers: lease expiries are judged by it */
  readonly time: ServerTime
  constructor(
    private readonly http: Http,
    platformUrl: string,
    private readonly creds: Credentials,
    private readonly deadline: Deadline,
    private readonly log: Logger
  ) {
    this.base = `${platformUrl}${SANDBOX_API_PATH}`
    this.time = new ServerTime(deadline.clock, log)
  }

  /** One call through the HTTP layer; its answer's Date header tells the server's time. */
  private async send(req: Request): Promise<Response<unknown>> {
    const { clock } = this.deadline
    const sentAt = clock.now()
    const res = await this.http.request(req)
    this.time.observe(res.headers.date, sentAt, clock.now())
    return res
  }

  /** the bearer token this client sends (a secret, registered already) */
  get token(): string {
    return this.creds.token
  }

  private headers(sandbox: string): Record<string, string> {
    return platformHeaders(this.creds, sandbox)
  }

  private item(name: string, query?: Record<string, boolean>): string {
    const q = Object.entries(query ?? {})
      .filter(([, v]) => v)
      .map(([k]) => `${k}=true`)
    return `${this.base}/sandboxes/${encodeURIComponent(name)}${q.length ? `?${q.join('&')}` : ''}`
  }

  /** A read that is safe to repeat: an answer it cannot read is asked for again (the HTTP layer's policy). */
  private read<T>(action: string, attempt: () => Promise<T>): Promise<T> {
    return askAgainIfUnreadable(this.deadline, this.log, action, attempt)
  }

  /** The sandbox, or undefined when the API has never heard of it (404). */
  get(name: string): Promise<Sandbox | undefined> {
    const action = `look up sandbox "${name}"`
    return this.read(action, async () => {
      const res = await this.send({ method: 'GET', url: this.item(name), action, headers: this.headers(name), accept: [404] })
      if (res.status === 404) return undefined
      const s = parseSandbox(res.body, action, res.status)
      if (s.name !== name) throw unreadable(action, res.status, `the record is for "${s.name}"`)
      return s
    })
  }

  /**
   * One page of the list; `limit` and `offset` always go together. `limit` in the answer is
   * the page size the server used, which may be smaller than the one asked for.
   */
  page(limit: number, offset: number): Promise<{ sandboxes: Sandbox[]; limit?: number }> {
    const action = `list sandboxes (offset ${offset})`
    return this.read(action, async () => {
      const res = await this.send({
        method: 'GET',
        url: `${this.base}/sandboxes?limit=${limit}&offset=${offset}`,
        action,
        headers: this.headers(DEFAULT_SANDBOX)
      })
      const body = res.body as { sandboxes?: unknown; _page?: { limit?: unknown } } | undefined
      if (!body || typeof body !== 'object' || !Array.isArray(body.sandboxes)) {
        throw unreadable(action, res.status, typeof body === 'string' ? 'not JSON' : 'no sandboxes list')
      }
      const sandboxes = body.sandboxes.map((item, i) => {
        const s = readSandbox(item)
        if (typeof s === 'string') throw unreadable(action, res.status, `item ${i}: ${s}`)
        return s
      })
      const used = body._page?.limit
      return { sandboxes, limit: typeof used === 'number' && Number.isInteger(used) && used > 0 ? used : undefined }
    })
  }

  /** POST /sandboxes. A 409 comes back as a result (status 409), not as an error. */
  async create(name: string, title: string): Promise<MutationResult> {
    const res = await this.send({
      method: 'POST',
      url: `${this.base}/sandboxes`,
      action: `create sandbox "${name}"`,
      // The sandbox being created: the header names the call's own target, as on item calls.
      headers: this.headers(name),
      json: { name, title, type: 'development' },
      accept: [409]
    })
    return this.mutation(res, name)
  }

  /** PUT reset. Repeating it is harmless: a second reset of a sandbox that is resetting is refused, not run twice. */
  reset(name: string, ignoreWarnings: boolean): Promise<MutationResult> {
    const action = `reset sandbox "${name}"`
    return this.change(action, name, s => s?.state === 'resetting', () =>
      this.send({ method: 'PUT', url: this.item(name, { ignoreWarnings }), action, headers: this.headers(name), json: { action: 'reset' }, idempotent: true })
    )
  }

  /**
   * PATCH the title, the only field the API changes; last writer wins (no If-Match). The answer
   * is not relied on: a lease reads the record back before it trusts what it wrote.
   */
  async setTitle(name: string, title: string): Promise<void> {
    await this.send({
      method: 'PATCH',
      url: this.item(name),
      action: `set the title of sandbox "${name}"`,
      headers: this.headers(name),
      json: { title },
      idempotent: true
    })
  }

  /** DELETE; a 404 (already gone) comes back as status 404. */
  remove(name: string, ignoreWarnings: boolean): Promise<MutationResult> {
    const action = `delete sandbox "${name}"`
    return this.change(action, name, s => !exists(s) || goingAway(s), () =>
      this.send({ method: 'DELETE', url: this.item(name, { ignoreWarnings }), action, headers: this.headers(name), accept: [404] })
    )
  }

  /**
   * A change that is safe to repeat. An acceptance whose record cannot be read (a proxy's page
   * with 200, say) does not prove the change was made: the sandbox is looked up, and the
   * change asked for again while the lookup shows it was not.
   */
  private async change(
    action: string,
    name: string,
    done: (now: Sandbox | undefined) => boolean,
    send: () => Promise<{ status: number; body: unknown; afterUnknownOutcome: boolean }>
  ): Promise<MutationResult> {
    for (let n = 1; ; n++) {
      const res = this.mutation(await send(), name)
      if (res.status === 404 || res.sandbox) return res
      const now = await this.get(name)
      if (done(now)) return { ...res, sandbox: exists(now) ? now : undefined }
      if (n >= UNREADABLE_ATTEMPTS) throw unreadable(action, res.status, `the acceptance could not be read, and sandbox "${name}" is still ${now?.state ?? 'not found'}`)
      this.log.info(`Adobe Sandbox API: ${action}: the acceptance could not be read and the sandbox is still ${now?.state}; asking again (attempt ${n + 1} of at most ${UNREADABLE_ATTEMPTS})`)
    }
  }

  /** The provider accepted the change; its record is kept only when it can be read and is the one asked for. */
  private mutation(res: { status: number; body: unknown; afterUnknownOutcome: boolean }, name: string): MutationResult {
    const s = res.status === 404 || res.status === 409 ? undefined : readSandbox(res.body)
    return { sandbox: typeof s === 'object' && s.name === name ? s : undefined, afterUnknownOutcome: res.afterUnknownOutcome, status: res.status }
  }
}

export function isProviderStatus(err: unknown, status: number): err is ProviderError {
  return err instanceof ProviderError && err.status === status
}
