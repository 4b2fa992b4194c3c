// Adobe access-control roles: a new sandbox must be added to a role before other Platform
// APIs accept requests for it. The grant adds the sandbox to a role with PATCH /roles/{id}
// and reads the role back until the sandbox is in it; the revoke takes it out again.
// What the references leave open (reference/aep-roles-and-tooling-api.md section A) is
// handled here: the body shape, and whether `add` appends to the role's sandboxes.
import { ActionError, ProviderError } from '../../errors'
import type { Deadline } from '../../deadline'
import type { Http } from '../../http'
import type { Logger } from '../../log'
import type { Credentials } from './api'
import { gatewayHint, platformHeaders, shortLine } from './platform'

export const ROLES_API_PATH = '/data/foundation/access-control/administration'

export function rolesHint(status: number): string | undefined {
  if (status === 403) {
    return 'The credential must be allowed to manage access-control roles: Adobe asks for an org admin (a product admin for Experience Platform at least) on the credential, in Experience Platform Permissions'
  }
  if (status === 404) return 'Check adobe-role-id: the id is the last part of the role\'s address in Experience Platform Permissions > Roles'
  return gatewayHint(status)
}

export interface Role {
  id: string
  name?: string
  sandboxes: string[]
}

interface PatchOp {
  op: 'add' | 'remove' | 'replace'
  path: '/sandboxes'
  value: string | string[]
}

// Both revisions of Adobe's roles doc show PATCH /roles/{id} with an object holding an
// `operations` array; the OpenAPI shows no wrapper. The docs' form goes first: it is the
// one Adobe's own example for this very endpoint uses. A 400 that speaks of the shape
// switches to a bare array of operations (the form the sibling PATCH .../subjects takes).
type BodyShape = 'wrapped' | 'bare'
const SHAPE_COMPLAINT = /operations|wrapper|array|\{\s*op|patch operation/i

const MAX_ATTEMPTS = 8
// Read-modify-write only: a writer that read the role before our write may still overwrite
// it. While other jobs keep writing to the role, one of them may yet write a list it read
// before ours, so the grant counts once the role has stayed the same for QUIET_MS with the
// sandbox in it, looked at every RECHECK_MS; a role that never settles is watched for at
// most WATCH_MS.
const RECHECK_MS = 750
const QUIET_MS = 3_000
const WATCH_MS = 30_000

const unique = (...lists: string[][]): string[] => [...new Set(lists.flat())]

export class RolesApi {
  private readonly base: string
  private shape: BodyShape = 'wrapped'
  /** roles whose `add` turned out to replace the whole list: changed by read-modify-write */
  private readonly replacing = new Set<string>()

  constructor(
    private readonly http: Http,
    platformUrl: string,
    private readonly creds: Credentials,
    private readonly deadline: Deadline,
    private readonly log: Logger
  ) {
    this.base = `${platformUrl}${ROLES_API_PATH}`
  }

  private headers(): Record<string, string> {
    // Roles belong to the organization; the getting-started doc asks for x-sandbox-name on
    // every call, so it names the default production sandbox.
    return platformHeaders(this.creds, 'prod')
  }

  private url(id: string): string {
    return `${this.base}/roles/${encodeURIComponent(id)}`
  }

  /** The role, or undefined when there is no role with that id (404). */
  async get(id: string): Promise<Role | undefined> {
    const res = await this.http.request({ method: 'GET', url: this.url(id), action: `read role "${id}"`, headers: this.headers(), accept: [404] })
    if (res.status === 404) return undefined
    const b = res.body as Record<string, unknown> | undefined
    // Fail closed: a role whose sandboxes cannot be read cannot confirm a grant.
    if (!b || typeof b !== 'object' || !Array.isArray(b.sandboxes) || !b.sandboxes.every(s => typeof s === 'string')) {
      throw new ActionError(`Adobe Access Control API: the answer for role "${id}" has no readable list of sandboxes, so the grant cannot be confirmed`)
    }
    return { id, name: typeof b.name === 'string' ? shortLine(b.name) : undefined, sandboxes: b.sandboxes as string[] }
  }

  private async patch(id: string, op: PatchOp, action: string): Promise<void> {
    const body = (shape: BodyShape): unknown => (shape === 'wrapped' ? { operations: [op] } : [op])
    try {
      // Adding or removing one name twice leaves the role as once: a retry is harmless.
      await this.http.request({ method: 'PATCH', url: this.url(id), action, headers: this.headers(), json: body(this.shape), idempotent: true })
    } catch (err) {
      if (!(err instanceof ProviderError) || err.status !== 400 || !SHAPE_COMPLAINT.test(err.details.providerMessage ?? '')) throw err
      const other: BodyShape = this.shape === 'wrapped' ? 'bare' : 'wrapped'
      this.log.info(`Adobe Access Control API: the role PATCH was refused for its body shape (${shortLine(err.details.providerMessage ?? '')}); sending it ${other === 'bare' ? 'without' : 'with'} the \`operations\` wrapper`)
      this.shape = other
      await this.http.request({ method: 'PATCH', url: this.url(id), action, headers: this.headers(), json: body(other), idempotent: true })
    }
  }

  private async mustGet(id: string): Promise<Role> {
    const role = await this.get(id)
    if (!role) throw new ActionError(`Role "${id}" (adobe-role-id) disappeared while the sandbox was being added to it`)
    return role
  }

  /**
   * Adds the sandbox to the role and reads the role back until it is in it. `current` is the
   * role as read just before. Concurrent jobs add other sandboxes to the same role: `add` of
   * one name leaves theirs alone; should the service treat `add` as replacing the list, the
   * names it dropped are put back and the role is changed by read-modify-write from then on,
   * confirmed after each write and repeated until confirmed.
   */
  async grant(current: Role, sandbox: string): Promise<void> {
    const id = current.id
    let role = current
    let restore: string[] = []
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const rmw = this.replacing.has(id)
      // Read-modify-write reads right before it writes: the shorter that span, the fewer
      // other jobs' writes it can undo.
      if (rmw && attempt > 1) role = await this.mustGet(id)
      const op: PatchOp = rmw
        ? { op: 'replace', path: '/sandboxes', value: unique(role.sandboxes, restore, [sandbox]) }
        : { op: 'add', path: '/sandboxes', value: sandbox }
      await this.patch(id, op, `add sandbox "${sandbox}" to role "${id}"`)
      const after = await this.mustGet(id)
      if (!rmw && role.sandboxes.length > 0 && after.sandboxes.length <= 1) {
        // Every other name went at once: this `add` replaced the list rather than adding to it.
        restore = role.sandboxes.filter(s => !after.sandboxes.includes(s))
        this.replacing.add(id)
        this.log.info(`Role "${id}": adding a sandbox replaced its list; putting back ${restore.length} sandbox(es) and switching to read-modify-write`)
        role = after
        continue
      }
      if (after.sandboxes.includes(sandbox)) {
        if (!rmw) return
        const again = await this.watchUntilQuiet(id, after, [sandbox, ...restore])
        if (!again) return
        role = again
      } else {
        role = after
      }
      this.log.info(`Role "${id}": sandbox "${sandbox}" is not in it after attempt ${attempt} (another job changed the role meanwhile): writing again`)
      await this.deadline.sleep(200 + Math.floor(Math.random() * 800), `adding sandbox "${sandbox}" to role "${id}" again`)
    }
    throw new ActionError(`Role "${id}": sandbox "${sandbox}" could not be confirmed in it after ${MAX_ATTEMPTS} writes (other jobs kept changing the role): run the job again`)
  }

  /**
   * Reads the role every RECHECK_MS until it has stayed the same for QUIET_MS (or WATCH_MS
   * have passed, or the step's time is nearly up) with every name in `kept`: then undefined.
   * The role as read once a name is missing from it, for the next write.
   */
  private async watchUntilQuiet(id: string, written: Role, kept: string[]): Promise<Role | undefined> {
    const started = this.deadline.elapsedMs()
    let seen = written.sandboxes.join('\n')
    let quietSince = started
    while (this.deadline.elapsedMs() - quietSince < QUIET_MS && this.deadline.elapsedMs() - started < WATCH_MS && this.deadline.remainingMs() > RECHECK_MS) {
      await this.deadline.sleep(RECHECK_MS, `confirming role "${id}"`)
      const now = await this.mustGet(id)
      if (!kept.every(s => now.sandboxes.includes(s))) return now
      const list = now.sandboxes.join('\n')
      if (list !== seen) {
        // another job wrote: it may have read before us, so the quiet period starts again
        seen = list
        quietSince = this.deadline.elapsedMs()
      }
    }
    return undefined
  }

  /** Takes the sandbox out of the role; says what it found. A missing role or name is fine. */
  async revoke(id: string, sandbox: string): Promise<'removed' | 'not in role' | 'no such role'> {
    let role = await this.get(id)
    if (!role) return 'no such role'
    if (!role.sandboxes.includes(sandbox)) return 'not in role'
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const op: PatchOp = this.replacing.has(id)
        ? { op: 'replace', path: '/sandboxes', value: role.sandboxes.filter(s => s !== sandbox) }
        : { op: 'remove', path: '/sandboxes', value: sandbox }
      await this.patch(id, op, `remove sandbox "${sandbox}" from role "${id}"`)
      const after = await this.get(id)
      if (!after || !after.sandboxes.includes(sandbox)) return 'removed'
      // A `remove` that left the name in: change the list as a whole from now on.
      this.replacing.add(id)
      role = after
    }
    throw new ActionError(`Role "${id}": sandbox "${sandbox}" is still in it after ${MAX_ATTEMPTS} attempts to remove it`)
  }
}
