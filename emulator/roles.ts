// Adobe access-control (ABAC) roles API, as reference/aep-roles-and-tooling-api.md section A
// describes it: GET and PATCH on one role, 404 for an unknown role, 403 for a credential
// without the right permission. The references disagree on the PATCH body (an object with an
// `operations` array in the docs, no wrapper in the OpenAPI) and leave open whether `add`
// appends to `sandboxes` or replaces it: both are settings, so tests can play either side.
import { randomUUID } from 'node:crypto'
import { isObject, json, parseJson, type Ctx, type Reply } from './common'

export const ROLES_BASE = '/data/foundation/access-control/administration'

export interface RoleSubject {
  subjectType: 'user' | 'api-integration'
  subjectId: string
}

export interface Role {
  id: string
  name: string
  description: string
  roleType: 'user-defined' | 'system-defined'
  permissionSets: string[]
  /** sandbox names, as every example in the references has them */
  sandboxes: string[]
  subjectAttributes: { labels: string[] }
  createdBy: string
  createdAt: number
  modifiedBy: string
  modifiedAt: number
  etag: string
  recordType: 'role'
  imsOrgID: string
}

export type RoleSeed = Partial<Omit<Role, 'recordType'>> & { name: string; subjects?: RoleSubject[] }

/** Which PATCH body the service takes: the docs' wrapper, the OpenAPI's bare form, or both. */
export type RolePatchBody = 'wrapped' | 'bare' | 'any'

export interface RolesOptions {
  patchBody?: RolePatchBody
  /** `add` on /sandboxes replaces the list instead of appending (the strict JSON Patch reading) */
  addReplaces?: boolean
}

interface Op {
  op: string
  path: string
  value?: unknown
}

// Error bodies: the references document none for this API (section A, "Errors (ABAC)"), so
// the emulator answers in the Platform problem shape with codes of its own.
const problem = (status: number, code: number, title: string): Reply =>
  json(status, { type: `http://ns.adobe.com/aep/errors/ACS-${code}-${status}`, status, title })

export interface RolesDeps {
  /** the caller's identity, or the gateway's error answer (the Sandbox API's checks) */
  authenticate(ctx: Ctx): { user: string } | Reply
  /** whether a sandbox of that name exists (not deleted) */
  sandboxExists(name: string): boolean
  now(): number
}

export function createRoles(options: RolesOptions, deps: RolesDeps) {
  const roles = new Map<string, Role & { subjects: RoleSubject[] }>()
  const denied = new Set<string>()
  let patchBody: RolePatchBody = options.patchBody ?? 'any'
  let addReplaces = options.addReplaces ?? false
  let patches = 0

  function reset(): void {
    roles.clear()
    denied.clear()
    patchBody = options.patchBody ?? 'any'
    addReplaces = options.addReplaces ?? false
    patches = 0
  }

  // The role as the API shows it: its subjects have their own endpoint.
  const view = (r: Role & { subjects: RoleSubject[] }): Role => {
    const role: Role & { subjects?: RoleSubject[] } = { ...r, sandboxes: [...r.sandboxes], permissionSets: [...r.permissionSets] }
    delete role.subjects
    return role
  }

  /** The operations of a PATCH body, or a 400 that says which shape is expected. */
  function operations(body: string): Op[] | Reply {
    const parsed = parseJson(body)
    if (!parsed.ok) return problem(400, 1400, 'Request body is not valid JSON.')
    const v = parsed.value
    let ops: unknown[]
    if (isObject(v) && Array.isArray(v.operations)) {
      if (patchBody === 'bare') return problem(400, 1401, 'Request body must be a patch operation {op, path, value} or an array of them, without an `operations` wrapper.')
      ops = v.operations
    } else if (Array.isArray(v) || (isObject(v) && typeof v.op === 'string')) {
      if (patchBody === 'wrapped') return problem(400, 1402, 'Request body must be an object with an `operations` array of {op, path, value}.')
      ops = Array.isArray(v) ? v : [v]
    } else {
      return problem(400, 1403, 'Request body must hold patch operations {op, path, value}.')
    }
    if (ops.length === 0) return problem(400, 1404, 'At least one patch operation is required.')
    for (const o of ops) {
      if (!isObject(o) || typeof o.op !== 'string' || typeof o.path !== 'string') return problem(400, 1405, 'Each operation needs op and path.')
      if (!['add', 'replace', 'remove'].includes(o.op)) return problem(400, 1406, `Unsupported op \`${o.op}\`; expected add, replace or remove.`)
    }
    return ops as Op[]
  }

  const names = (value: unknown): string[] | undefined =>
    typeof value === 'string' ? [value] : Array.isArray(value) && value.every(v => typeof v === 'string') ? (value as string[]) : undefined

  /** Applies the operations to a copy; the role changes only when all of them are valid. */
  function apply(role: Role, ops: Op[]): Role | Reply {
    const next = { ...role, sandboxes: [...role.sandboxes] }
    for (const o of ops) {
      if (o.path === '/description' || o.path === '/name') {
        if (o.op === 'remove' || typeof o.value !== 'string') return problem(400, 1407, `${o.path} needs a string value.`)
        next[o.path === '/name' ? 'name' : 'description'] = o.value
        continue
      }
      if (o.path !== '/sandboxes') return problem(400, 1408, `Path \`${o.path}\` cannot be patched.`)
      const list = names(o.value)
      if (!list) return problem(400, 1409, 'The value for /sandboxes must be a sandbox name or an array of names.')
      // A name that is new to the role must be a sandbox that exists (no reference says what
      // the service checks; names already there are kept, whatever became of them).
      const unknown = o.op === 'remove' ? undefined : list.find(n => !next.sandboxes.includes(n) && !deps.sandboxExists(n))
      if (unknown !== undefined) return problem(400, 1410, `Sandbox \`${unknown}\` not found.`)
      if (o.op === 'remove') next.sandboxes = next.sandboxes.filter(s => !list.includes(s))
      else if (o.op === 'replace' || addReplaces) next.sandboxes = [...new Set(list)]
      else next.sandboxes = [...new Set([...next.sandboxes, ...list])]
    }
    return next
  }

  function routeKey(method: string, path: string): string | undefined {
    if (/^\/roles\/[^/]+$/.test(path.slice(ROLES_BASE.length))) return `${method} /roles/{id}`
    return undefined
  }

  function handle(ctx: Ctx): Reply {
    const who = deps.authenticate(ctx)
    if (!('user' in who)) return who
    const m = /^\/roles\/([^/]+)$/.exec(ctx.path.slice(ROLES_BASE.length))
    if (!m) return json(404, { error_code: '404000', message: 'Resource not found' })
    if (denied.has(who.user)) {
      return problem(403, 1300, 'The caller is not allowed to manage roles: an org admin or product admin for Experience Platform is needed.')
    }
    const id = decodeURIComponent(m[1])
    const role = roles.get(id)
    if (ctx.method === 'GET') return role ? json(200, view(role)) : problem(404, 1404, `Role \`${id}\` not found.`)
    if (ctx.method !== 'PATCH') return json(405, { error_code: '405000', message: 'Method not allowed' })
    const ops = operations(ctx.body)
    if (!Array.isArray(ops)) return ops
    if (!role) return problem(404, 1404, `Role \`${id}\` not found.`)
    const next = apply(role, ops)
    if (!('id' in next)) return next
    patches += 1
    Object.assign(role, next, { modifiedAt: deps.now(), modifiedBy: who.user, etag: randomUUID() })
    return json(200, view(role))
  }

  // --- test helpers --------------------------------------------------------------------

  function seed(s: RoleSeed): Role {
    const t = deps.now()
    const role = {
      id: s.id ?? randomUUID(),
      name: s.name,
      description: s.description ?? '',
      roleType: s.roleType ?? 'user-defined',
      permissionSets: s.permissionSets ?? ['manage-schemas', 'view-sandboxes'],
      sandboxes: s.sandboxes ?? [],
      subjectAttributes: s.subjectAttributes ?? { labels: [] },
      createdBy: s.createdBy ?? 'emulator@AdobeID',
      createdAt: s.createdAt ?? t,
      modifiedBy: s.modifiedBy ?? 'emulator@AdobeID',
      modifiedAt: s.modifiedAt ?? t,
      etag: s.etag ?? randomUUID(),
      recordType: 'role' as const,
      imsOrgID: s.imsOrgID ?? '',
      subjects: s.subjects ?? []
    }
    roles.set(role.id, role)
    return view(role)
  }

  return {
    routeKey,
    handle,
    reset,
    seed,
    get: (id: string): Role | undefined => {
      const r = roles.get(id)
      return r && view(r)
    },
    /** whether a role held by this technical account (`<client id>@techacct.adobe.com`) includes the sandbox */
    holds: (user: string, sandbox: string): boolean =>
      [...roles.values()].some(r => r.sandboxes.includes(sandbox) && r.subjects.some(s => s.subjectId === user)),
    /** PATCH answers that changed a role */
    patchCount: (): number => patches,
    deny: (clientId: string): void => void denied.add(`${clientId}@techacct.adobe.com`),
    setPatchBody: (mode: RolePatchBody): void => {
      patchBody = mode
    },
    setAddReplaces: (on: boolean): void => {
      addReplaces = on
    }
  }
}

export type RolesEmulator = ReturnType<typeof createRoles>
