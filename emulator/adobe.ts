// Adobe Experience Platform Sandbox API: the gateway checks, then the sandbox service,
// following Adobe's Sandbox API guide (experienceleague.adobe.com, Sandbox API overview) and
// sandbox.yaml in github.com/AdobeDocs/experience-platform-apis. Provisioning is not
// simulated with timers: each record keeps its pending operation and its end time, and
// every read resolves it against the clock.
import { randomUUID } from 'node:crypto'
import { isObject, json, parseJson, SlidingWindow, type Ctx, type Reply } from './common'
import { formatSandboxDate, parseSandboxDate, skewDate } from './dates'
import { storedTitle, type Fault } from './faults'
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

/** How strictly the emulator follows Adobe's published contract; each can be turned off at start or at run time. */
export interface AdobeStrictness {
  /** answer 400 `400003` when a Sandbox API call lacks `x-sandbox-name` (create and list included); default true */
  requireSandboxHeader?: boolean
  /** most records on one list page whatever `limit` asked for; `_page.limit` says what was used; default 50 */
  pageCap?: number
  /**
   * 'adobe' (default): the states of Adobe's OpenAPI, create `creating` then `provisioning`, delete `cleaning`
   * then `de-provisioning`; 'legacy': create `creating`, delete `deleting`, as the prose docs describe
   */
  stateFlow?: 'adobe' | 'legacy'
  /** what counts against the licence: 'all' sandboxes (default, the default one included) or 'development' only */
  licenseScope?: 'all' | 'development'
  /** the default sandbox's name; default 'prod' */
  defaultSandboxName?: string
  /** give the default sandbox a fresh random name on every reset (overrides defaultSandboxName) */
  randomDefaultName?: boolean
}

export interface AdobeOptions extends AdobeStrictness {
  createMs?: number
  resetMs?: number
  deleteMs?: number
  /** sandboxes of licenseScope allowed at once; default 5 (Adobe's default licence: 1 production, 4 development) */
  licenseLimit?: number
  rateLimit?: AdobeRateLimit
}

/** One change to a sandbox record, for tests that check what happened and when. */
export interface SandboxChange {
  name: string
  /** null when the record was made */
  from: SandboxState | null
  to: SandboxState
  title: string
  /** emulator clock ms at which the change took effect */
  time: number
  cause: 'create' | 'update' | 'reset' | 'delete' | 'settle' | 'seed' | 'insert' | 'purge' | 'rename'
}

interface Op {
  kind: 'create' | 'reset' | 'delete'
  /** states still to pass, each until its end time; the op ends with the last */
  phases: { state: SandboxState; endsAt: number }[]
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
  provisioning: 'create',
  resetting: 'reset',
  deleting: 'delete',
  cleaning: 'delete',
  'de-provisioning': 'delete'
}
/** The states each operation passes through before it ends, per state flow. */
const FLOWS: Record<'adobe' | 'legacy', Record<Op['kind'], SandboxState[]>> = {
  adobe: { create: ['creating', 'provisioning'], reset: ['resetting'], delete: ['cleaning', 'de-provisioning'] },
  legacy: { create: ['creating'], reset: ['resetting'], delete: ['deleting'] }
}
/** States of a sandbox on its way out: it is gone once it reads `deleted`. */
export const DELETION_STATES: readonly SandboxState[] = ['deleting', 'cleaning', 'de-provisioning']
/** Still there: neither deleted nor on its way out (what "left behind" means in tests and the demo). */
export const isLive = (s: { state: SandboxState } | undefined): boolean => s !== undefined && s.state !== 'deleted' && !DELETION_STATES.includes(s.state)
const DEFAULT_PAGE_CAP = 50

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

export { formatSandboxDate } from './dates'

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
  // Records in listing order; a name is unique among them (re-creating replaces a deleted one).
  const recs: Rec[] = []
  let timings: AdobeTimings = { createMs: 3000, resetMs: 3000, deleteMs: 1000 }
  let licenseLimit = 5
  let strict: Required<Omit<AdobeStrictness, 'randomDefaultName'>> = strictFrom(options)
  let nextFails = new Set<string>()
  let blocks = new Map<string, BlockCode>()
  let changes: SandboxChange[] = []
  const limiter = options.rateLimit
    ? new SlidingWindow(options.rateLimit.requests, options.rateLimit.windowMs)
    : undefined

  function history(): SandboxChange[] {
    for (const r of recs) settle(r) // a finished operation is a change, even if nobody looked
    return changes.map(c => ({ ...c })).sort((a, b) => a.time - b.time)
  }

  function record(rec: Rec, from: SandboxState | null, cause: SandboxChange['cause'], time = now()): void {
    changes.push({ name: rec.name, from, to: rec.state, title: rec.title, time, cause })
  }

  function reset(): void {
    recs.length = 0
    changes = []
    timings = {
      createMs: options.createMs ?? 3000,
      resetMs: options.resetMs ?? 3000,
      deleteMs: options.deleteMs ?? 1000
    }
    licenseLimit = options.licenseLimit ?? 5
    strict = strictFrom(options)
    nextFails = new Set()
    blocks = new Map()
    limiter?.clear()
    const t = now()
    const rec: Rec = {
      name: strict.defaultSandboxName, title: 'Production', state: 'active', type: 'production', isDefault: true, eTag: 1,
      createdAt: t, modifiedAt: t, createdBy: SEED_USER, modifiedBy: SEED_USER, id: randomUUID()
    }
    recs.push(rec)
    record(rec, null, 'seed', t)
  }
  reset()

  /** Moves a pending operation through the phases whose time has come; the one place state moves on its own. */
  function settle(rec: Rec): Rec {
    const op = rec.op
    while (op && op.phases.length > 0 && now() >= op.phases[0].endsAt) {
      const { endsAt } = op.phases.shift()!
      const from = rec.state
      const next = op.phases[0]
      if (next) rec.state = next.state
      else {
        rec.op = undefined
        rec.state = op.kind === 'delete' ? 'deleted' : op.fails ? 'failed' : 'active'
        if (rec.state === 'active') rec.activeAt = endsAt
      }
      rec.modifiedAt = endsAt
      rec.eTag += 1
      record(rec, from, 'settle', endsAt)
    }
    return rec
  }

  /**
   * Starts an operation at its first state of the flow, or at `from` (a seeded record mid-way),
   * and records the change from `prev` (null: a new record).
   */
  function startOp(rec: Rec, kind: Op['kind'], cause: SandboxChange['cause'], prev: SandboxState | null, from?: SandboxState): void {
    const duration = kind === 'create' ? timings.createMs : kind === 'reset' ? timings.resetMs : timings.deleteMs
    const fails = kind !== 'delete' && nextFails.delete(rec.name)
    const flow = FLOWS[strict.stateFlow][kind]
    const states = from === undefined ? flow : flow.includes(from) ? flow.slice(flow.indexOf(from)) : [from]
    const t = now()
    rec.state = states[0]
    rec.op = { kind, fails, phases: states.map((state, i) => ({ state, endsAt: t + (duration * (i + 1)) / states.length })) }
    record(rec, prev, cause, t)
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

  /** The record as this request's answer shows it: a skew-dates fault rewrites its dates. */
  const answerView = (r: Rec, fault: Fault | undefined): Record<string, unknown> => {
    const v: Record<string, unknown> = { ...view(r) }
    if (fault?.kind === 'skew-dates') {
      v.createdDate = skewDate(r.createdAt, fault.style, fault.hours, fault.years)
      v.lastModifiedDate = skewDate(r.modifiedAt, fault.style, fault.hours, fault.years)
    }
    return v
  }

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
    // Adobe's OpenAPI marks x-sandbox-name required on every sandbox call, create and list included.
    if (strict.requireSandboxHeader && !ctx.headers['x-sandbox-name']?.trim()) {
      return gateway(400, '400003', 'Missing header x-sandbox-name')
    }
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
    const asked = rawLimit === undefined ? 50 : /^\d+$/.test(rawLimit) ? Number(rawLimit) : NaN
    const askedOffset = rawOffset === undefined ? 0 : /^\d+$/.test(rawOffset) ? Number(rawOffset) : NaN
    if (!(asked >= 1 && asked <= 1000)) return badRequest('Query parameter limit must be an integer from 1 to 1000.')
    if (!(askedOffset >= 0)) return badRequest('Query parameter offset must be a non-negative integer.')
    const fault = ctx.fault
    // The server may use a smaller page than asked; _page.limit tells the client what it used.
    const limit = Math.min(asked, strict.pageCap, fault?.kind === 'cap-page' ? fault.limit : Infinity)
    const offset = fault?.kind === 'ignore-offset' ? 0 : askedOffset
    const page = recs.slice(offset, offset + limit).map(r => answerView(settle(r), fault))
    if (fault?.kind === 'shift-pages') shiftPages(fault)
    const base = `${ctx.baseUrl}${ADOBE_BASE}/sandboxes`
    const links: Record<string, { href: string; templated: boolean | null }> = {
      next: { href: `${base}/?limit={limit}&offset={offset}`, templated: true },
      page: { href: `${base}?offset=${offset}&limit=${limit}`, templated: null }
    }
    if (offset > 0) links.prev = { href: `${base}?offset=${Math.max(0, offset - limit)}&limit=${limit}`, templated: null }
    return json(200, { sandboxes: page, _page: { limit, count: page.length }, _links: links })
  }

  /** Between two page requests others change the list: records appear at its head or leave it. */
  function shiftPages(fault: Extract<Fault, { kind: 'shift-pages' }>): void {
    const head = recs[0]?.isDefault ? 1 : 0
    for (let i = 0; i < (fault.remove ?? 0); i++) {
      const gone = recs.find((r, at) => at >= head && !r.isDefault)
      if (!gone) break
      recs.splice(recs.indexOf(gone), 1)
      const from = gone.state
      gone.state = 'deleted'
      record(gone, from, 'purge')
    }
    const t = now()
    for (let i = 0; i < (fault.insert ?? 0); i++) {
      const name = `${fault.prefix ?? 'foreign-'}${randomUUID().slice(0, 8)}`
      const rec: Rec = {
        name, title: `Inserted ${name}`, state: 'active', type: 'development', isDefault: false, eTag: 1,
        createdAt: t, modifiedAt: t, createdBy: 'other-job@AdobeID', modifiedBy: 'other-job@AdobeID', id: randomUUID()
      }
      recs.splice(head, 0, rec)
      record(rec, null, 'insert', t)
    }
  }

  function bodyObject(ctx: Ctx): { body: Record<string, unknown> } | { error: Reply } {
    const parsed = parseJson(ctx.body)
    if (!parsed.ok) return { error: badRequest('Request body is not valid JSON.') }
    if (!isObject(parsed.value)) return { error: badRequest('Request body must be a JSON object.') }
    return { body: parsed.value }
  }

  /** Records that take a licence slot: every one not yet deleted, of the counted types. */
  const licensed = () =>
    recs.filter(r => (strict.licenseScope === 'all' || r.type === 'development') && settle(r).state !== 'deleted').length

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
    if ((strict.licenseScope === 'all' || type === 'development') && licensed() >= licenseLimit) {
      // Adobe does not document this answer's wording; this one names the licence and the limit.
      const what = strict.licenseScope === 'all' ? 'sandboxes' : 'development sandboxes'
      return sms(1010, 400, `Sandbox \`${name}\` cannot be created: the organization has reached the limit of ${licenseLimit} ${what} allowed by its license.`)
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
    startOp(rec, 'create', 'create', null)
    return json(202, answerView(rec, ctx.fault))
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
    rec.title = ctx.fault?.kind === 'store-title' ? storedTitle(ctx.fault, body.title) : body.title
    touch(rec, user)
    record(rec, rec.state, 'update')
    return json(200, answerView(rec, ctx.fault))
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
    startOp(rec, 'reset', 'reset', rec.state)
    return json(202, answerView(rec, ctx.fault))
  }

  function remove(ctx: Ctx, name: string, user: string): Reply {
    const rec = live(name)
    if (!rec) return notFound(name)
    if (rec.isDefault) return sms(1008, 400, 'The default production sandbox cannot be deleted')
    const block = blocked(ctx, rec, 'deleted')
    if (block) return block
    if (ctx.query.validationOnly === 'true') return json(200, { ...view(rec), validationOnly: true, valid: true, warnings: [] })
    // Repeating a delete that is still running (a retried request, say) changes nothing.
    if (rec.op?.kind === 'delete') return json(202, answerView(rec, ctx.fault))
    touch(rec, user)
    startOp(rec, 'delete', 'delete', rec.state)
    return json(202, answerView(rec, ctx.fault))
  }

  function routeKey(method: string, path: string): string | undefined {
    const sub = path.slice(ADOBE_BASE.length)
    if (sub === '/sandboxes' || sub === '/sandboxes/') return `${method} /sandboxes`
    if (/^\/sandboxes\/[^/]+$/.test(sub)) return `${method} /sandboxes/{name}`
    return undefined
  }

  /** Every answer carries the Sandbox API's own time (RFC 9110 `Date`), from the emulator's clock. */
  function handle(ctx: Ctx): Reply {
    const reply = serve(ctx)
    return { ...reply, headers: { ...reply.headers, date: new Date(now()).toUTCString() } }
  }

  function serve(ctx: Ctx): Reply {
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
        return rec ? json(200, answerView(rec, ctx.fault)) : notFound(name)
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
    // A sandbox seeded mid-operation finishes like one started now; other states stay put.
    const kind = IN_PROGRESS[state]
    if (kind) startOp(rec, kind, 'seed', null, state)
    else record(rec, null, 'seed', t)
    return view(rec)
  }

  /** Renames the default sandbox (the record with isDefault), as another organization might call it. */
  function renameDefault(name: string): void {
    if (!NAME_PATTERN.test(name)) throw new Error(`emulator: invalid sandbox name ${name}`)
    const rec = recs.find(r => r.isDefault)
    if (!rec || rec.name === name) return
    if (recs.some(r => r.name === name)) throw new Error(`emulator: a sandbox named ${name} exists already`)
    rec.name = name
    record(rec, rec.state, 'rename')
  }

  /** Changes strictness until the next reset; a new default name renames the default sandbox. */
  function configure(c: AdobeStrictness): AdobeStrictness {
    const next = strictFrom({ ...strict, ...c, randomDefaultName: c.randomDefaultName })
    if (c.defaultSandboxName !== undefined || c.randomDefaultName) renameDefault(next.defaultSandboxName)
    strict = next
    return { ...strict }
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
    /**
     * Ends the pending operation on a sandbox now, through its remaining states: a test seeds a
     * sandbox busy for long and lets it finish once the step has seen it busy, however slowly
     * the step started.
     */
    finishNow(name: string): void {
      const rec = recs.find(r => r.name === name)
      if (!rec?.op) return
      const t = now()
      for (const phase of rec.op.phases) phase.endsAt = Math.min(phase.endsAt, t)
      settle(rec)
    },
    failNext: (name: string): void => void nextFails.add(name),
    block: (name: string, code: BlockCode): void => void blocks.set(name, code),
    becameActiveAt: (name: string): number | undefined => find(name)?.activeAt,
    setLicenseLimit: (n: number): void => {
      licenseLimit = n
    },
    licenseLimit: (): number => licenseLimit,
    configure,
    strictness: (): AdobeStrictness => ({ ...strict }),
    /** the name of the default sandbox (isDefault), whatever it is called */
    defaultName: (): string => recs.find(r => r.isDefault)?.name ?? strict.defaultSandboxName,
    /** every change to a sandbox record so far (since the last reset), in time order */
    history,
    /** the same changes as one entry per title or state change (the lease tests' ground truth) */
    leaseHistory: (): HistoryEntry[] => {
      const out: HistoryEntry[] = []
      const titles = new Map<string, string>()
      for (const c of history()) {
        if (titles.get(c.name) !== c.title) out.push({ seq: out.length + 1, time: c.time, name: c.name, field: 'title', value: c.title })
        titles.set(c.name, c.title)
        if (c.from !== c.to) out.push({ seq: out.length + 1, time: c.time, name: c.name, field: 'state', value: c.to })
      }
      return out
    },
    leases: (): LeaseView[] => recs.map(r => leaseView(view(settle(r))))
  }
}

/** The strictness in force: the defaults follow Adobe's published contract. */
function strictFrom(o: AdobeStrictness): Required<Omit<AdobeStrictness, 'randomDefaultName'>> {
  const pageCap = o.pageCap ?? DEFAULT_PAGE_CAP
  if (!(Number.isInteger(pageCap) && pageCap >= 1)) throw new Error(`emulator: pageCap must be a positive integer, got ${pageCap}`)
  const name = o.randomDefaultName ? `main-${randomUUID().slice(0, 6)}` : (o.defaultSandboxName ?? 'prod')
  if (!NAME_PATTERN.test(name)) throw new Error(`emulator: invalid default sandbox name ${name}`)
  const stateFlow = o.stateFlow ?? 'adobe'
  if (stateFlow !== 'adobe' && stateFlow !== 'legacy') throw new Error(`emulator: stateFlow must be adobe or legacy, got ${String(stateFlow)}`)
  const licenseScope = o.licenseScope ?? 'all'
  if (licenseScope !== 'all' && licenseScope !== 'development') throw new Error(`emulator: licenseScope must be all or development, got ${String(licenseScope)}`)
  return {
    requireSandboxHeader: o.requireSandboxHeader ?? true,
    pageCap,
    stateFlow,
    licenseScope,
    defaultSandboxName: name
  }
}

export type AdobeEmulator = ReturnType<typeof createAdobe>
