// The Platform APIs around a sandbox, beyond the Sandbox API: the access-control roles API
// (roles.ts), sandbox tooling (tooling.ts), and a tiny stand-in for the APIs that tests use
// in a sandbox: listing its schemas. That read answers 403 unless a role held by the caller
// includes the sandbox, as Platform does for a new sandbox no role grants yet; a package
// import that succeeded adds its schemas to the list. The roles and tooling APIs each follow
// Adobe's OpenAPI (`spec`, the default) or the docs (`docs`): see modes.ts.
import { json, type Ctx, type Reply } from './common'
import type { PlatformMode } from './modes'
import { createRoles, ROLES_BASE, type RolesOptions } from './roles'
import { createTooling, TOOLING_BASE, type PackageArtifact, type ToolingOptions } from './tooling'

export const SCHEMAS_PATH = '/data/foundation/schemaregistry/tenant/schemas'

export interface PlatformOptions {
  /** both APIs' mode, unless `roles.mode` or `tooling.mode` says otherwise; default `spec` */
  mode?: PlatformMode
  roles?: RolesOptions
  tooling?: ToolingOptions
}

export interface SchemaView {
  $id: string
  'meta:altId': string
  title: string
  version: string
}

interface PlatformDeps {
  authenticate(ctx: Ctx): { user: string } | Reply
  sandbox(name: string): { state: string; id?: string } | undefined
  now(): number
}

export function createPlatformApis(options: PlatformOptions, deps: PlatformDeps) {
  const live = (name: string) => {
    const s = deps.sandbox(name)
    return s && s.state !== 'deleted' ? s : undefined
  }
  // Keyed by sandbox name and record id: a sandbox created anew under an old name starts empty.
  const schemas = new Map<string, SchemaView[]>()
  const key = (name: string): string => `${name}:${deps.sandbox(name)?.id ?? ''}`

  const roles = createRoles({ ...options.roles, mode: options.roles?.mode ?? options.mode }, { authenticate: deps.authenticate, sandboxExists: n => live(n) !== undefined, now: deps.now })
  const tooling = createTooling({ ...options.tooling, mode: options.tooling?.mode ?? options.mode }, {
    authenticate: deps.authenticate,
    sandboxState: n => live(n)?.state,
    now: deps.now,
    imported(sandbox: string, artifacts: PackageArtifact[]) {
      const list = schemas.get(key(sandbox)) ?? []
      for (const a of artifacts.filter(x => x.type === 'REGISTRY_SCHEMA')) {
        const id = `https://ns.adobe.com/emulator/schemas/${a.id}`
        list.push({ $id: id, 'meta:altId': `_emulator.schemas.${a.id}`, title: a.title ?? a.id, version: '1.0' })
      }
      schemas.set(key(sandbox), list)
    }
  })

  function listSchemas(ctx: Ctx): Reply {
    const who = deps.authenticate(ctx)
    if (!('user' in who)) return who
    const sandbox = ctx.headers['x-sandbox-name']
    if (!sandbox) return json(400, { error_code: '400003', message: 'Missing header x-sandbox-name' })
    if (!live(sandbox) || !roles.holds(who.user, sandbox)) {
      return json(403, {
        type: 'http://ns.adobe.com/aep/errors/ACS-1301-403',
        status: 403,
        title: `Access denied: no role of the caller includes sandbox \`${sandbox}\`.`
      })
    }
    tooling.settle()
    const results = schemas.get(key(sandbox)) ?? []
    return json(200, { results, _page: { orderby: 'title', next: null, count: results.length }, _links: {} })
  }

  const owns = (path: string): boolean =>
    [ROLES_BASE, TOOLING_BASE].some(base => path === base || path.startsWith(`${base}/`)) || path === SCHEMAS_PATH

  return {
    owns,
    routeKey(method: string, path: string): string | undefined {
      if (path.startsWith(`${ROLES_BASE}/`)) return roles.routeKey(method, path)
      if (path.startsWith(`${TOOLING_BASE}/`)) return tooling.routeKey(method, path)
      return path === SCHEMAS_PATH ? `${method} /schemas` : undefined
    },
    handle(ctx: Ctx): Reply {
      if (ctx.path.startsWith(`${ROLES_BASE}/`)) return roles.handle(ctx)
      if (ctx.path.startsWith(`${TOOLING_BASE}/`)) return tooling.handle(ctx)
      if (ctx.path === SCHEMAS_PATH && ctx.method === 'GET') return listSchemas(ctx)
      return json(404, { error_code: '404000', message: 'Resource not found' })
    },
    reset(): void {
      roles.reset()
      tooling.reset()
      schemas.clear()
    },
    /** what tests steer and inspect */
    control: {
      /** both APIs' mode, until the next reset */
      setMode(mode: PlatformMode): void {
        roles.setMode(mode)
        tooling.setMode(mode)
      },
      roles: {
        seed: roles.seed,
        get: roles.get,
        deny: roles.deny,
        setMode: roles.setMode,
        mode: roles.mode,
        setAddReplaces: roles.setAddReplaces,
        patchCount: roles.patchCount
      },
      tooling: {
        seed: tooling.seed,
        publish: tooling.publish,
        jobs: tooling.jobs,
        finish: tooling.finish,
        setTimings: tooling.setTimings,
        failNext: tooling.failNext,
        deny: tooling.deny,
        setMode: tooling.setMode,
        mode: tooling.mode,
        setJobIdInAnswer: tooling.setJobIdInAnswer
      }
    }
  }
}

export type PlatformControl = ReturnType<typeof createPlatformApis>['control']
