// Adobe access-control (ABAC) roles API: GET and PATCH on one role, 404 for an unknown role,
// 403 for a credential without the right permission. Two modes (modes.ts) for the PATCH body,
// where the sources disagree:
// - `spec` (the default): Adobe's OpenAPI (access-control.yaml, operation updateRole) takes ONE
//   object `{op, path, value}` (schema rolePatchOperation: all three required, `value` a
//   string); any other body is answered 422 with a validation list whose location is `body`.
// - `docs`: the Experience League roles page's `{"operations": [ … ]}`; a single object or a
//   bare array is answered 400 with a title that names the shape expected.
// Whether `add` appends to `sandboxes` or replaces it is left open by both: a setting.
import { randomUUID } from 'node:crypto'
import { isObject, json, parseJson, type Ctx, type Reply } from './common'
import { invalidRequest, type PlatformMode, type ValidationItem } from './modes'

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

export interface RolesOptions {
  /** which source the PATCH body follows: Adobe's OpenAPI (default) or the docs */
  mode?: PlatformMode
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
  let mode: PlatformMode = options.mode ?? 'spec'
  let addReplaces = options.addReplaces ?? false
  let patches = 0

  function reset(): void {
    roles.clear()
    denied.clear()
    mode = options.mode ?? 'spec'
    addReplaces = options.addReplaces ?? false
    patches = 0
  }

  // The role as the API shows it: its subjects have their own endpoint.
  const view = (r: Role & { subjects: RoleSubject[] }): Role => {
    const role: Role & { subjects?: RoleSubject[] } = { ...r, sandboxes: [...r.sandboxes], permissionSets: [...r.permissionSets] }
    delete role.subjects
    return role
  }

  /** The operation of a PATCH body as the OpenAPI has it, or the 422 a validating server answers. */
  function specOperation(v: unknown): Op[] | Reply {
    const bad = (items: ValidationItem[]): Reply => invalidRequest(422, 'ACS', items)
    if (!isObject(v)) return bad([{ location: ['body'], code: 'type', message: 'must be object' }])
    const missing = ['op', 'path', 'value'].filter(k => !(k in v))
    if (missing.length) return bad(missing.map(k => ({ location: ['body'], code: 'required', message: `must have required property '${k}'` })))
    const items: ValidationItem[] = []
    for (const k of ['op', 'path', 'value']) {
      if (typeof v[k] !== 'string') items.push({ location: ['body', k], code: 'type', message: 'must be string' })
    }
    if (typeof v.op === 'string' && !['add', 'replace', 'remove'].includes(v.op)) {
      items.push({ location: ['body', 'op'], code: 'enum', message: 'must be equal to one of the allowed values: add, replace, remove' })
    }
    return items.length ? bad(items) : [v as unknown as Op]
  }

  /** The operations of a PATCH body as the docs show it, or a 400 that names the shape expected. */
  function docsOperations(v: unknown): Op[] | Reply {
    if (!isObject(v) || !Array.isArray(v.operations)) {
      return problem(400, 1402, 'Request body must be an object with an `operations` array of {op, path, value}.')
    }
    const ops: unknown[] = v.operations
    if (ops.length === 0) return problem(400, 1404, 'At least one patch operation is required.')
    for (const o of ops) {
      if (!isObject(o) || typeof o.op !== 'string' || typeof o.path !== 'string') return problem(400, 1405, 'Each operation needs op and path.')
      if (!['add', 'replace', 'remove'].includes(o.op)) return problem(400, 1406, `Unsupported op \`${o.op}\`; expected add, replace or remove.`)
    }
    return ops as Op[]
  }

  function operations(body: string): Op[] | Reply {
    const parsed = parseJson(body)
    if (!parsed.ok) {
      return mode === 'spec' ? invalidRequest(422, 'ACS', [{ location: ['body'], code: 'parse', message: 'must be JSON' }]) : problem(400, 1400, 'Request body is not valid JSON.')
    }
    return mode === 'spec' ? specOperation(parsed.value) : docsOperations(parsed.value)
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
    /** which source the PATCH body follows, until the next reset */
    setMode: (m: PlatformMode): void => {
      mode = m
    },
    mode: (): PlatformMode => mode,
    setAddReplaces: (on: boolean): void => {
      addReplaces = on
    }
  }
}

export type RolesEmulator = ReturnType<typeof createRoles>
