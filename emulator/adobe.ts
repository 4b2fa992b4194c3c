// Adobe Experience Platform Sandbox API: the gateway checks, then the sandbox service,
// following reference/aep-sandbox-management-api.md and SPEC Part 2. Provisioning is not
// simulated with timers: each record keeps its pending operation and its end time, and
// every read resolves it against the clock.
import { randomUUID } from 'node:crypto'
import { isObject, json, parseJson, SlidingWindow, type Ctx, type Reply } from './common'
import type { ImsEmulator } from './ims'

export const ADOBE_BASE = '/data/foundation/sandbox-management'

export type SandboxState =
  | 'creating' | 'active' | 'resetting' | 'deleting' | 'deleted' | 'failed'
  | 'provisioning' | 'cleaning' | 'de-provisioning'

export interface Sandbox {
  name: string
  title: string
  state: SandboxState
  type: 'development' | 'production'
  region: string
  isDefault: boolean
  eTag: number
  /** 'YYYY-MM-DD HH:mm:ss', UTC without a zone */
  createdDate: string
  lastModifiedDate: string
  createdBy: string
  modifiedBy: string
  id?: string
}

export type SandboxSeed = Partial<Sandbox> & { name: string; ageSeconds?: number }

export interface AdobeTimings {
  createMs: number
  resetMs: number
  deleteMs: number
}

export interface AdobeRateLimit {
  requests: number
  windowMs: number
  retryAfter?: 'seconds' | 'date' | 'none'
}

export type BlockCode = 2074 | 2075 | 2076 | 2077

/** One change of a sandbox's title or state, in the order the emulator made them. */
export interface HistoryEntry {
  seq: number
  /** emulator clock ms when the change took effect */
  time: number
  name: string
  field: 'title' | 'state'
  value: string
}

/** A sandbox's title read as a lease record (`lease v1 held|free key=value…`), for the control API. */
export interface LeaseView {
  name: string
  state: SandboxState
  title: string
  lease: 'held' | 'free' | 'none'
  fields: Record<string, string>
}

export interface AdobeOptions {
  createMs?: number
  resetMs?: number
  deleteMs?: number
  licenseLimit?: number
  rateLimit?: AdobeRateLimit
}

interface Op {
  kind: 'create' | 'reset' | 'delete'
  endsAt: number
  fails: boolean
}

interface Rec {
  name: string
  title: string
  state: SandboxState
  type: 'development' | 'production'
  isDefault: boolean
  eTag: number
  createdAt: number
  modifiedAt: number
  createdBy: string
  modifiedBy: string
  id: string
  op?: Op
  activeAt?: number
}

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,255}$/
const SEED_USER = 'emulator@AdobeID'
const IN_PROGRESS: Partial<Record<SandboxState, Op['kind']>> = {
  creating: 'create',
  resetting: 'reset',
  deleting: 'delete'
}

const BLOCK_REASONS: Record<BlockCode, (name: string, verb: string) => string> = {
  2074: (n, v) =>
    `Sandbox \`${n}\` cannot be ${v}. The identity graph hosted in this sandbox is also being used by Adobe Analytics for the Cross Device Analytics (CDA) feature.`,
  2075: (n, v) =>
    `Sandbox \`${n}\` cannot be ${v}. The identity graph hosted in this sandbox is also being used by Adobe Audience Manager for the People Based Destinations (PBD) feature.`,
  2076: (n, v) =>
    `Sandbox \`${n}\` cannot be ${v}. The identity graph hosted in this sandbox is also being used by Adobe Audience Manager for the People Based Destinations (PBD) feature, as well by Adobe Analytics for the Cross Device Analytics (CDA) feature.`,
  2077: n =>
    `Warning: Sandbox \`${n}\` is used for bi-directional segment sharing with Adobe Audience Manager or Audience Core Service.`
}

/** 'YYYY-MM-DD HH:mm:ss' in UTC, the API's date format. */
export function formatSandboxDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

function parseSandboxDate(s: string): number {
  const ms = Date.parse(`${s.trim().replace(' ', 'T')}Z`)
  if (Number.isNaN(ms)) throw new Error(`emulator: bad sandbox date ${s}`)
  return ms
}

// Sandbox-service errors. 2074-2077 are documented; the other codes are the emulator's own.
const sms = (code: number, status: number, title: string): Reply =>
  json(status, { type: `http://ns.adobe.com/aep/errors/SMS-${code}-${status}`, status, title })
const badRequest = (title: string) => sms(1001, 400, title)
const notFound = (name: string) => sms(1004, 404, `Sandbox \`${name}\` not found.`)
const gateway = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  json(status, { error_code: code, message }, headers)

export function leaseView(s: Sandbox): LeaseView {
  const words = s.title.trim().split(/\s+/)
  const kind = words[0] === 'lease' && (words[2] === 'held' || words[2] === 'free') ? words[2] : 'none'
  const fields: Record<string, string> = {}
  if (kind !== 'none') {
    for (const w of words.slice(3)) {
      const eq = w.indexOf('=')
      if (eq > 0) fields[w.slice(0, eq)] = w.slice(eq + 1)
    }
  }
  return { name: s.name, state: s.state, title: s.title, lease: kind, fields }
}

export function createAdobe(options: AdobeOptions, ims: ImsEmulator, now: () => number) {
  // Records in creation order; a name is unique among them (re-creating replaces a deleted one).
  const recs: Rec[] = []
  let timings: AdobeTimings = { createMs: 3000, resetMs: 3000, deleteMs: 1000 }
  let licenseLimit = 5
  let nextFails = new Set<string>()
  let blocks = new Map<string, BlockCode>()
  const history: HistoryEntry[] = []
  let historySeq = 0
  const note = (name: string, field: HistoryEntry['field'], value: string, time = now()): void =>
    void history.push({ seq: ++historySeq, time, name, field, value })
  const limiter = options.rateLimit
    ? new SlidingWindow(options.rateLimit.requests, options.rateLimit.windowMs)
    : undefined

  function reset(): void {
    recs.length = 0
    history.length = 0
    timings = {
      createMs: options.createMs ?? 3000,
      resetMs: options.resetMs ?? 3000,
      deleteMs: options.deleteMs ?? 1000
    }
    licenseLimit = options.licenseLimit ?? 5
    nextFails = new Set()
    blocks = new Map()
    limiter?.clear()
    const t = now()
    recs.push({
      name: 'prod', title: 'Production', state: 'active', type: 'production', isDefault: true, eTag: 1,
      createdAt: t, modifiedAt: t, createdBy: SEED_USER, modifiedBy: SEED_USER, id: randomUUID()
    })
  }
  reset()

  /** Finishes a pending operation whose time has come; the one place state moves on its own. */
  function settle(rec: Rec): Rec {
    const op = rec.op
    if (op && now() >= op.endsAt) {
      rec.op = undefined
      rec.state = op.kind === 'delete' ? 'deleted' : op.fails ? 'failed' : 'active'
      note(rec.name, 'state', rec.state, op.endsAt)
      if (rec.state === 'active') rec.activeAt = op.endsAt
      rec.modifiedAt = op.endsAt
      rec.eTag += 1
    }
    return rec
  }

  function startOp(rec: Rec, kind: Op['kind']): void {
    const duration = kind === 'create' ? timings.createMs : kind === 'reset' ? timings.resetMs : timings.deleteMs
    const fails = kind !== 'delete' && nextFails.delete(rec.name)
    rec.state = kind === 'create' ? 'creating' : kind === 'reset' ? 'resetting' : 'deleting'
    note(rec.name, 'state', rec.state)
    rec.op = { kind, endsAt: now() + duration, fails }
    settle(rec)
  }

  const find = (name: string) => {
    const rec = recs.find(r => r.name === name)
    return rec && settle(rec)
  }
  const live = (name: string) => {
    const rec = find(name)
    return rec && rec.state !== 'deleted' ? rec : undefined
  }

  const view = (r: Rec): Sandbox => ({
    name: r.name,
    title: r.title,
    state: r.state,
    type: r.type,
    region: 'VA7',
    isDefault: r.isDefault,
    eTag: r.eTag,
    createdDate: formatSandboxDate(r.createdAt),
    lastModifiedDate: formatSandboxDate(r.modifiedAt),
    createdBy: r.createdBy,
    modifiedBy: r.modifiedBy,
    id: r.id
  })

  function touch(rec: Rec, by: string): void {
    rec.eTag += 1
    rec.modifiedAt = now()
    rec.modifiedBy = by
  }

  // --- gateway -------------------------------------------------------------------------

  /** The caller's identity, or the gateway's error answer. Order as the real gateway. */
  function authenticate(ctx: Ctx): { user: string } | Reply {
    const auth = /^Bearer\s+(\S+)\s*$/i.exec(ctx.headers.authorization ?? '')
    if (!auth) return gateway(401, '403010', 'Oauth token is missing.')
    const grant = ims.lookup(auth[1])
    if (!grant) return gateway(401, '401013', 'Oauth token is not valid')
    const apiKey = ctx.headers['x-api-key']
    if (!apiKey) return gateway(403, '403000', 'Api Key is required')
    if (apiKey !== grant.clientId) return gateway(403, '403003', 'Api Key is invalid')
    const org = ctx.headers['x-gw-ims-org-id']
    if (!org) return gateway(400, '400003', 'Missing header x-gw-ims-org-id')
    if (org !== grant.orgId) return gateway(403, '403025', 'Profile is not valid')
    return { user: `${grant.clientId}@techacct.adobe.com` }
  }

  function throttle(): Reply | undefined {
    if (!limiter || !options.rateLimit) return undefined
    const taken = limiter.take('all')
    if (taken.ok) return undefined
    const seconds = Math.ceil(taken.waitMs / 1000)
    const mode = options.rateLimit.retryAfter ?? 'seconds'
    const headers: Record<string, string> = {}
    if (mode === 'seconds') headers['retry-after'] = String(seconds)
    if (mode === 'date') headers['retry-after'] = new Date(Date.now() + seconds * 1000).toUTCString()
    return gateway(429, '429050', 'Too many requests', headers)
  }

  // --- sandbox service -----------------------------------------------------------------

  function list(ctx: Ctx): Reply {
    const { limit: rawLimit, offset: rawOffset } = ctx.query
    if ((rawLimit === undefined) !== (rawOffset === undefined)) {
      return badRequest('Query parameters limit and offset must be provided together.')
    }
    const limit = rawLimit === undefined ? 50 : /^\d+$/.test(rawLimit) ? Number(rawLimit) : NaN
    const offset = rawOffset === undefined ? 0 : /^\d+$/.test(rawOffset) ? Number(rawOffset) : NaN
    if (!(limit >= 1 && limit <= 1000)) return badRequest('Query parameter limit must be an integer from 1 to 1000.')
    if (!(offset >= 0)) return badRequest('Query parameter offset must be a non-negative integer.')
    const page = recs.slice(offset, offset + limit).map(r => view(settle(r)))
    const base = `${ctx.baseUrl}${ADOBE_BASE}/sandboxes`
    const links: Record<string, { href: string; templated: boolean | null }> = {
      next: { href: `${base}/?limit={limit}&offset={offset}`, templated: true },
      page: { href: `${base}?offset=${offset}&limit=${limit}`, templated: null }
    }
    if (offset > 0) links.prev = { href: `${base}?offset=${Math.max(0, offset - limit)}&limit=${limit}`, templated: null }
    return json(200, { sandboxes: page, _page: { limit, count: page.length }, _links: links })
  }

  function bodyObject(ctx: Ctx): { body: Record<string, unknown> } | { error: Reply } {
    const parsed = parseJson(ctx.body)
    if (!parsed.ok) return { error: badRequest('Request body is not valid JSON.') }
    if (!isObject(parsed.value)) return { error: badRequest('Request body must be a JSON object.') }
    return { body: parsed.value }
  }

  function create(ctx: Ctx, user: string): Reply {
    const parsed = bodyObject(ctx)
    if ('error' in parsed) return parsed.error
    const body = parsed.body
    const { name, title, type } = body
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      return badRequest('Sandbox name must start with a lowercase letter and contain only lowercase letters, digits and hyphens (at most 256 characters).')
    }
    if (typeof title !== 'string' || title.trim() === '') return badRequest('Sandbox title is required.')
    if (type !== 'development' && type !== 'production') {
      return badRequest('Sandbox type must be one of: development, production.')
    }
    if (live(name)) return sms(1005, 409, `Sandbox with name \`${name}\` already exists.`)
    if (type === 'development') {
      const used = recs.filter(r => r.type === 'development' && settle(r).state !== 'deleted').length
      if (used >= licenseLimit) {
        return badRequest(`Sandbox license limit reached: the organization may have at most ${licenseLimit} development sandboxes.`)
      }
    }
    // A deleted name may be used again: the old record gives way to a new one.
    const old = recs.findIndex(r => r.name === name)
    if (old >= 0) recs.splice(old, 1)
    const t = now()
    const rec: Rec = {
      name, title, type, state: 'creating', isDefault: false, eTag: 1,
      createdAt: t, modifiedAt: t, createdBy: user, modifiedBy: user, id: randomUUID()
    }
    recs.push(rec)
    note(name, 'title', title)
    startOp(rec, 'create')
    return json(202, view(rec))
  }

  function update(ctx: Ctx, name: string, user: string): Reply {
    const parsed = bodyObject(ctx)
    if ('error' in parsed) return parsed.error
    const body = parsed.body
    const rec = live(name)
    if (!rec) return notFound(name)
    const extra = Object.keys(body).filter(k => k !== 'title')
    if (extra.length > 0) return badRequest(`Only the title of a sandbox can be updated, not: ${extra.join(', ')}.`)
    if (typeof body.title !== 'string' || body.title.trim() === '') return badRequest('Sandbox title is required.')
    rec.title = body.title
    note(name, 'title', rec.title)
    touch(rec, user)
    return json(200, view(rec))
  }

  /** The SMS-207x error when a block applies; 2077 is a warning that ignoreWarnings overrides. */
  function blocked(ctx: Ctx, rec: Rec, verb: string): Reply | undefined {
    const code = blocks.get(rec.name)
    if (!code) return undefined
    // The API documents that ignoreWarnings cannot be applied to the default sandbox.
    if (code === 2077 && ctx.query.ignoreWarnings === 'true' && !rec.isDefault) return undefined
    return sms(code, 400, BLOCK_REASONS[code](rec.name, verb))
  }

  function resetSandbox(ctx: Ctx, name: string, user: string): Reply {
    const parsed = bodyObject(ctx)
    if ('error' in parsed) return parsed.error
    const body = parsed.body
    if (body.action !== 'reset') return badRequest('Request body must be {"action":"reset"}.')
    const rec = live(name)
    if (!rec) return notFound(name)
    if (rec.state !== 'active') {
      return sms(1007, 400, `Sandbox \`${name}\` cannot be reset while its state is \`${rec.state}\`.`)
    }
    const block = blocked(ctx, rec, 'reset')
    if (block) return block
    if (ctx.query.validationOnly === 'true') return json(200, { ...view(rec), validationOnly: true, valid: true, warnings: [] })
    touch(rec, user)
    startOp(rec, 'reset')
    return json(202, view(rec))
  }

  function remove(ctx: Ctx, name: string, user: string): Reply {
    const rec = live(name)
    if (!rec) return notFound(name)
    if (rec.isDefault) return sms(1008, 400, 'The default production sandbox cannot be deleted')
    const block = blocked(ctx, rec, 'deleted')
    if (block) return block
    if (ctx.query.validationOnly === 'true') return json(200, { ...view(rec), validationOnly: true, valid: true, warnings: [] })
    // Repeating a delete that is still running (a retried request, say) changes nothing.
    if (rec.state === 'deleting') return json(202, view(rec))
    touch(rec, user)
    startOp(rec, 'delete')
    return json(202, view(rec))
  }

  function routeKey(method: string, path: string): string | undefined {
    const sub = path.slice(ADOBE_BASE.length)
    if (sub === '/sandboxes' || sub === '/sandboxes/') return `${method} /sandboxes`
    if (/^\/sandboxes\/[^/]+$/.test(sub)) return `${method} /sandboxes/{name}`
    return undefined
  }

  function handle(ctx: Ctx): Reply {
    const slow = throttle()
    if (slow) return slow
    const who = authenticate(ctx)
    if (!('user' in who)) return who
    const sub = ctx.path.slice(ADOBE_BASE.length)
    if (sub === '/sandboxes' || sub === '/sandboxes/') {
      if (ctx.method === 'GET') return list(ctx)
      if (ctx.method === 'POST') return create(ctx, who.user)
    }
    const item = /^\/sandboxes\/([^/]+)$/.exec(sub)
    if (item) {
      let name: string
      try {
        name = decodeURIComponent(item[1])
      } catch {
        return notFound(item[1])
      }
      if (ctx.method === 'GET') {
        const rec = find(name)
        return rec ? json(200, view(rec)) : notFound(name)
      }
      if (ctx.method === 'PATCH') return update(ctx, name, who.user)
      if (ctx.method === 'PUT') return resetSandbox(ctx, name, who.user)
      if (ctx.method === 'DELETE') return remove(ctx, name, who.user)
    }
    return gateway(404, '404000', 'Resource not found')
  }

  // --- test helpers --------------------------------------------------------------------

  function seed(s: SandboxSeed): Sandbox {
    if (!NAME_PATTERN.test(s.name)) throw new Error(`emulator: invalid sandbox name ${s.name}`)
    const t = now()
    const createdAt =
      s.ageSeconds !== undefined ? t - s.ageSeconds * 1000 : s.createdDate ? parseSandboxDate(s.createdDate) : t
    const modifiedAt =
      s.ageSeconds !== undefined ? createdAt : s.lastModifiedDate ? parseSandboxDate(s.lastModifiedDate) : createdAt
    const state = s.state ?? 'active'
    const rec: Rec = {
      name: s.name,
      title: s.title ?? s.name,
      state,
      type: s.type ?? 'development',
      isDefault: s.isDefault ?? false,
      eTag: s.eTag ?? 1,
      createdAt,
      modifiedAt,
      createdBy: s.createdBy ?? SEED_USER,
      modifiedBy: s.modifiedBy ?? SEED_USER,
      id: s.id ?? randomUUID()
    }
    const at = recs.findIndex(r => r.name === s.name)
    if (at >= 0) recs[at] = rec
    else recs.push(rec)
    note(rec.name, 'title', rec.title)
    note(rec.name, 'state', rec.state)
    // A sandbox seeded mid-operation finishes like one started now; other states stay put.
    const kind = IN_PROGRESS[state]
    if (kind) startOp(rec, kind)
    return view(rec)
  }

  return {
    routeKey,
    handle,
    reset,
    /** the gateway checks, for the other Platform APIs the emulator serves */
    authenticate,
    sandboxes: (): Sandbox[] => recs.map(r => view(settle(r))),
    get: (name: string): Sandbox | undefined => {
      const rec = find(name)
      return rec && view(rec)
    },
    seed,
    setTimings(t: Partial<AdobeTimings>): void {
      timings = { ...timings, ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) }
    },
    timings: (): AdobeTimings => ({ ...timings }),
    failNext: (name: string): void => void nextFails.add(name),
    block: (name: string, code: BlockCode): void => void blocks.set(name, code),
    becameActiveAt: (name: string): number | undefined => find(name)?.activeAt,
    setLicenseLimit: (n: number): void => {
      licenseLimit = n
    },
    licenseLimit: (): number => licenseLimit,
    /** every title and state change since the last reset, oldest first */
    history: (): HistoryEntry[] => {
      for (const r of recs) settle(r) // a finished operation is a change, even if nobody looked
      return [...history].sort((a, b) => a.time - b.time || a.seq - b.seq)
    },
    leases: (): LeaseView[] => recs.map(r => leaseView(view(settle(r))))
  }
}

export type AdobeEmulator = ReturnType<typeof createAdobe>
