// Adobe access-control roles: a new sandbox must be added to a role before other Platform
// APIs accept requests for it. The grant adds the sandbox to a role with PATCH /roles/{id}
// and reads the role back until the sandbox is in it; the revoke takes it out again.
//
// The PATCH body: Adobe's OpenAPI (access-control.yaml in AdobeDocs/experience-platform-apis,
// operation updateRole, schema rolePatchOperation) takes ONE `{op, path, value}` object with a
// string `value`; the Experience League roles page shows `{"operations": [ … ]}`. The
// OpenAPI's form goes first; the docs' form only when the server refuses the body's shape (a
// 400 or 422 whose error speaks of the body), and the form that worked is kept for the rest of
// the step. No third form: neither source shows one.
//
// Neither source says whether `add` on /sandboxes appends or replaces the list. The grant
// changes the role by read-modify-write (`replace` with the whole list) only on evidence: every
// other sandbox that was in the role before the add is missing after it. Every write follows
// a fresh read, and a grant that saw other writers at work watches the role until it stays
// unchanged: without a compare-and-set on roles, that bounds what a concurrent job working
// from an older read can undo, as a lease claim does.
import { ActionError, ProviderError } from '../../../core/errors'
import type { Deadline } from '../../../core/deadline'
import type { Http } from '../../../core/http'
import type { Logger } from '../../../core/log'
import type { Credentials } from '../api'
import { DEFAULT_SANDBOX, gatewayHint, platformHeaders, shortLine } from '../gateway'

export const ROLES_API_PATH = '/data/foundation/access-control/administration'

export function rolesHint(status: number): string | undefined {
  if (status === 403) {
    return 'The credential must be allowed to manage access-control roles: Adobe asks for an org admin (a product admin for Experience Platform at least) on the credential, in Experience Platform Permissions'
  }
  if (status === 404) return 'Check adobe-role-id: the id is the last part of the role\'s address in Experience Platform Permissions > Roles'
  return gatewayHint(status)
}

/** The error for a role id that names no role. */
export function noSuchRole(id: string): ActionError {
  return new ActionError(`Role "${id}" (adobe-role-id) does not exist (HTTP 404): check the id in Experience Platform Permissions > Roles`)
}

export interface Role {
  id: string
  name?: string
  sandboxes: string[]
  /** when the read that returned it was sent, on the step's clock: a write based on it must follow soon */
  readAt?: number
}

interface PatchOp {
  op: 'add' | 'remove' | 'replace'
  path: '/sandboxes'
  value: string | string[]
}

type BodyShape = 'spec' | 'docs'
const SHAPE_NAME: Record<BodyShape, string> = {
  spec: "the OpenAPI's form (one {op, path, value})",
  docs: 'the docs\' form ({"operations": [ … ]})'
}
const other = (s: BodyShape): BodyShape => (s === 'spec' ? 'docs' : 'spec')
// An error that is about the request's body or its shape, not about what it asks for ("sandbox
// not found", "not allowed").
const SHAPE_COMPLAINT = /\bbody\b|shape|schema|payload|operations|wrapper|patch operation/i

/** A 400 or 422 that refuses the body for its shape. */
export function shapeRefusal(err: unknown): err is ProviderError {
  return err instanceof ProviderError && (err.status === 400 || err.status === 422) && SHAPE_COMPLAINT.test(err.details.providerMessage ?? '')
}

/** The server refused the PATCH in both forms. */
class BothShapesRefused extends ActionError {
  constructor(
    action: string,
    readonly reasons: string[]
  ) {
    super(`Adobe Access Control API: ${action} failed: the service refused the body in both forms Adobe shows (${reasons.join('; ')})`)
  }
}

// Writes of one grant or revoke before it gives up; between them a random pause that grows
// with each attempt, so jobs that keep overwriting each other spread out instead of colliding.
const MAX_ATTEMPTS = 12
const backOffMs = (attempt: number): number => 200 + Math.floor(Math.random() * 800 * Math.min(attempt, 4))
// A write not visible yet: the role is read again this often before the write counts as lost.
const READS = 3
// Read-modify-write only: a writer that read the role before our write may still overwrite
// it. While other jobs keep writing to the role, one of them may yet write a list it read
// before ours, so the grant counts once the role has stayed the same for QUIET_MS with the
// sandbox in it, looked at every RECHECK_MS; a role that never settles is watched for at
// most WATCH_MS.
const RECHECK_MS = 750
const QUIET_MS = 4_000
const WATCH_MS = 30_000
// ...and every write (the first `add` too, whose effect is judged against the read before it)
// is sent less than FRESH_MS after the read it is based on was sent: another job's grant is
// watched for QUIET_MS after it was seen, longer than any write based on a read from before
// it can take to arrive (as a lease claim bounds its look-to-write span). An older read (a
// busy machine, a slow answer) is taken again rather than written on.
const FRESH_MS = 1_500
const FRESH_READS = 5

const unique = (...lists: string[][]): string[] => [...new Set(lists.flat())]
const quoted = (names: string[]): string => names.map(n => `"${shortLine(n)}"`).join(', ')
const sameList = (a: string[], b: string[]): boolean => a.length === b.length && new Set([...a, ...b]).size === new Set(a).size

/** What another writer changed between two reads, for messages. */
function change(before: string[], after: string[]): string {
  const added = after.filter(s => !before.includes(s))
  const removed = before.filter(s => !after.includes(s))
  return [added.length ? `added ${quoted(added.slice(0, 5))}` : '', removed.length ? `removed ${quoted(removed.slice(0, 5))}` : ''].filter(Boolean).join(', ')
}

/**
 * The names other than `own` that were in the role before the write and are all gone after
 * it: the write replaced the list. Empty when any of them is still there (another job may
 * have taken one out meanwhile) or when there were none.
 */
function replacedList(before: string[], after: string[], own: string): string[] {
  const others = before.filter(s => s !== own)
  const dropped = others.filter(s => !after.includes(s))
  return others.length > 0 && dropped.length === others.length ? dropped : []
}

/** Whether `after` holds names that were neither in `before` nor ours: another writer was at work. */
function othersAdded(before: string[], after: string[], own: string): boolean {
  return after.some(s => s !== own && !before.includes(s))
}

export class RolesApi {
  private readonly base: string
  /** the body form that worked last; undefined until a PATCH went through */
  private shape: BodyShape | undefined
  /** roles whose `add` or `remove` turned out to rewrite the whole list: changed by read-modify-write */
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
    // Roles belong to the organization, and access-control.yaml declares no x-sandbox-name on
    // /administration/roles; the ABAC getting-started page asks for it on every call, so it
    // names `prod`, the default production sandbox every organization has.
    return platformHeaders(this.creds, DEFAULT_SANDBOX)
  }

  private url(id: string): string {
    return `${this.base}/roles/${encodeURIComponent(id)}`
  }

  /** The role, or undefined when there is no role with that id (404). */
  async get(id: string): Promise<Role | undefined> {
    const readAt = this.deadline.clock.now()
    const res = await this.http.request({ method: 'GET', url: this.url(id), action: `read role "${id}" (adobe-role-id)`, headers: this.headers(), accept: [404] })
    if (res.status === 404) return undefined
    const b = res.body as Record<string, unknown> | undefined
    // Fail closed: a role whose sandboxes cannot be read cannot confirm a grant.
    if (!b || typeof b !== 'object' || !Array.isArray(b.sandboxes) || !b.sandboxes.every(s => typeof s === 'string')) {
      throw new ActionError(`Adobe Access Control API: the answer for role "${id}" (adobe-role-id) has no readable list of sandboxes, so the role cannot be checked or changed safely`)
    }
    return { id, name: typeof b.name === 'string' ? shortLine(b.name) : undefined, sandboxes: b.sandboxes as string[], readAt }
  }

  /** Sends the PATCH in the form that worked last (the OpenAPI's at first), the other on a shape refusal. */
  private async patch(id: string, op: PatchOp, action: string): Promise<void> {
    const first = this.shape ?? 'spec'
    const reasons: string[] = []
    for (const shape of [first, other(first)]) {
      try {
        // Adding or removing one name twice leaves the role as once, and a replace sets the
        // same list again: a retry is harmless.
        await this.http.request({ method: 'PATCH', url: this.url(id), action, headers: this.headers(), json: shape === 'spec' ? op : { operations: [op] }, idempotent: true })
        this.shape = shape
        return
      } catch (err) {
        if (!shapeRefusal(err)) throw err
        const why = `HTTP ${err.status}${err.details.providerMessage ? `: ${err.details.providerMessage}` : ''}`
        reasons.push(`${SHAPE_NAME[shape]}: ${why}`)
        if (reasons.length === 1) this.log.info(`Adobe Access Control API: ${action}: ${SHAPE_NAME[shape]} was refused for its body shape (${why}); sending ${SHAPE_NAME[other(shape)]}`)
      }
    }
    throw new BothShapesRefused(action, reasons)
  }

  /** The role, read so that a write can follow at once: taken again while a read is slower than FRESH_MS. */
  private async freshRead(id: string): Promise<Role>
  private async freshRead(id: string, must: false): Promise<Role | undefined>
  private async freshRead(id: string, must = true): Promise<Role | undefined> {
    for (let n = 1; ; n++) {
      const sent = this.deadline.clock.now()
      const role = must ? await this.mustGet(id) : await this.get(id)
      const took = this.deadline.clock.now() - sent
      if (!role || took < FRESH_MS || n >= FRESH_READS) return role
      this.log.info(`Role "${id}": reading it took ${took} ms, too long for a write to be based on (under ${FRESH_MS} ms): reading it again`)
    }
  }

  /** `role` while a write can still be based on it (read less than FRESH_MS ago), else the role read again. */
  private async fresh(role: Role): Promise<Role>
  private async fresh(role: Role, must: false): Promise<Role | undefined>
  private async fresh(role: Role, must = true): Promise<Role | undefined> {
    if (role.readAt !== undefined && this.deadline.clock.now() - role.readAt < FRESH_MS) return role
    return must ? this.freshRead(role.id) : this.freshRead(role.id, false)
  }

  private async mustGet(id: string): Promise<Role> {
    const role = await this.get(id)
    if (!role) throw new ActionError(`Role "${id}" (adobe-role-id) disappeared while the sandbox was being added to it`)
    return role
  }

  /**
   * Reads the role after a write. While it is exactly as before the write (the write is not
   * visible yet), reads again, READS times at most. `unchanged` says it never moved.
   */
  private async readBack(id: string, before: Role): Promise<{ role: Role | undefined; unchanged: boolean }> {
    for (let n = 1; ; n++) {
      const role = await this.get(id)
      const unchanged = role !== undefined && sameList(role.sandboxes, before.sandboxes)
      if (!unchanged || n >= READS) return { role, unchanged }
      await this.deadline.sleep(RECHECK_MS, `reading role "${id}" back`)
    }
  }

  /** The error when the list must be rewritten to put names back, and the server takes neither form of that. */
  private cannotPutBack(id: string, sandbox: string, verb: 'adding' | 'removing', dropped: string[], err: BothShapesRefused): ActionError {
    return new ActionError(
      `Role "${id}": ${verb} sandbox "${sandbox}" replaced the role's whole list of sandboxes and dropped ${quoted(dropped)}. Putting them back needs a "replace" with the whole list, ` +
        `which the service refused in both body forms (${err.reasons.join('; ')}). Put ${quoted(dropped)} back into role "${id}" by hand in Experience Platform Permissions > Roles`
    )
  }

  /** The error when a write was accepted and the role never showed it, while nothing else in it changed either. */
  private notApplied(id: string, sandbox: string, verb: 'adding' | 'removing'): ActionError {
    return new ActionError(
      `Role "${id}": the change ${verb} sandbox "${sandbox}" was accepted, but the role read back ${READS} times ${verb === 'adding' ? 'still does not list it' : 'still lists it'}, and nothing else in it changed: ` +
        'check the role in Experience Platform Permissions > Roles'
    )
  }

  /**
   * Adds the sandbox to the role and reads the role back until it is in it. `current` is the
   * role as read just before. Concurrent jobs add other sandboxes to the same role: `add` of
   * one name leaves theirs alone. Should the service treat `add` as replacing the list (every
   * other name gone at once), the names it dropped are put back and the role is changed by
   * read-modify-write from then on, confirmed after each write and repeated until confirmed.
   */
  async grant(current: Role, sandbox: string): Promise<void> {
    const id = current.id
    const action = `add sandbox "${sandbox}" to role "${id}"`
    let role = current
    let restore: string[] = []
    const seen: string[] = []
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const rmw = this.replacing.has(id)
      // Read-modify-write reads right before it writes: the shorter that span, the fewer
      // other jobs' writes it can undo.
      // A write again is based on the role as it is now: another writer changed it meanwhile.
      role = attempt > 1 ? await this.freshRead(id) : await this.fresh(role)
      const op: PatchOp = rmw
        ? { op: 'replace', path: '/sandboxes', value: unique(role.sandboxes, restore, [sandbox]) }
        : { op: 'add', path: '/sandboxes', value: sandbox }
      try {
        await this.patch(id, op, action)
      } catch (err) {
        if (rmw && err instanceof BothShapesRefused) throw this.cannotPutBack(id, sandbox, 'adding', restore, err)
        throw err
      }
      const { role: after, unchanged } = await this.readBack(id, role)
      if (!after) throw new ActionError(`Role "${id}" (adobe-role-id) disappeared while the sandbox was being added to it`)
      const dropped = rmw ? [] : replacedList(role.sandboxes, after.sandboxes, sandbox)
      if (dropped.length > 0) {
        restore = unique(restore, dropped)
        this.replacing.add(id)
        this.log.info(`Role "${id}": adding sandbox "${sandbox}" replaced the role's list of sandboxes and dropped ${quoted(dropped)}; putting them back by read-modify-write (replace with the whole list)`)
        role = after
        continue
      }
      const missing = [sandbox, ...restore].filter(s => !after.sandboxes.includes(s))
      if (missing.length === 0) {
        // An add that only added is done, unless others wrote meanwhile: then one of them may
        // be a job whose add replaces the list, working from a read taken before ours.
        if (!rmw && !othersAdded(role.sandboxes, after.sandboxes, sandbox)) return
        const again = await this.watchUntilQuiet(id, after, [sandbox, ...restore])
        if (!again) {
          if (restore.length) this.log.info(`Role "${id}": put back ${quoted(restore)}, and sandbox "${sandbox}" is in it: confirmed by reading the role until it stayed unchanged`)
          return
        }
        seen.push(change(after.sandboxes, again.sandboxes))
        role = again
      } else if (unchanged) {
        throw this.notApplied(id, sandbox, 'adding')
      } else {
        seen.push(change(role.sandboxes, after.sandboxes))
        role = after
      }
      const gone = [sandbox, ...restore].filter(s => !role.sandboxes.includes(s))
      this.log.info(`Role "${id}": ${quoted(gone)} not in it after write ${attempt}: another writer changed the role meanwhile (${seen[seen.length - 1]}); writing again`)
      await this.deadline.sleep(backOffMs(attempt), `adding sandbox "${sandbox}" to role "${id}" again`)
    }
    throw new ActionError(
      `Role "${id}": sandbox "${sandbox}" could not be confirmed in it after ${MAX_ATTEMPTS} writes` +
        (seen.length ? `: other writers kept changing the role (last seen: ${seen[seen.length - 1]}); run the job again` : '')
    )
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

  /**
   * Takes the sandbox out of the role; says what it found. A missing role or name is fine.
   * The same rules as the grant: `remove` of one name, and read-modify-write only when the
   * remove took every other name with it.
   */
  async revoke(id: string, sandbox: string): Promise<'removed' | 'not in role' | 'no such role'> {
    const action = `remove sandbox "${sandbox}" from role "${id}"`
    let role = await this.get(id)
    if (!role) return 'no such role'
    if (!role.sandboxes.includes(sandbox)) return 'not in role'
    let restore: string[] = []
    const seen: string[] = []
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const rmw = this.replacing.has(id)
      const fresh = rmw && attempt > 1 ? await this.freshRead(id, false) : await this.fresh(role, false)
      if (!fresh) return 'removed'
      role = fresh
      const op: PatchOp = rmw
        ? { op: 'replace', path: '/sandboxes', value: unique(role.sandboxes, restore).filter(s => s !== sandbox) }
        : { op: 'remove', path: '/sandboxes', value: sandbox }
      try {
        await this.patch(id, op, action)
      } catch (err) {
        if (rmw && err instanceof BothShapesRefused) throw this.cannotPutBack(id, sandbox, 'removing', restore, err)
        throw err
      }
      const { role: after, unchanged } = await this.readBack(id, role)
      if (!after) return 'removed'
      const dropped = rmw ? [] : replacedList(role.sandboxes, after.sandboxes, sandbox)
      if (dropped.length > 0) {
        restore = unique(restore, dropped)
        this.replacing.add(id)
        this.log.info(`Role "${id}": removing sandbox "${sandbox}" also dropped ${quoted(dropped)}; putting them back by read-modify-write (replace with the whole list)`)
        role = after
        continue
      }
      const missing = restore.filter(s => !after.sandboxes.includes(s))
      if (!after.sandboxes.includes(sandbox) && missing.length === 0) {
        if (restore.length) this.log.info(`Role "${id}": put back ${quoted(restore)}`)
        return 'removed'
      }
      if (unchanged) throw this.notApplied(id, sandbox, 'removing')
      seen.push(change(role.sandboxes, after.sandboxes))
      this.log.info(`Role "${id}": sandbox "${sandbox}" is still in it after write ${attempt}: another writer changed the role meanwhile (${seen[seen.length - 1]}); writing again`)
      role = after
      await this.deadline.sleep(backOffMs(attempt), `removing sandbox "${sandbox}" from role "${id}" again`)
    }
    throw new ActionError(
      `Role "${id}": sandbox "${sandbox}" is still in it after ${MAX_ATTEMPTS} attempts to remove it` +
        (seen.length ? `: other writers kept changing the role (last seen: ${seen[seen.length - 1]})` : '')
    )
  }
}
