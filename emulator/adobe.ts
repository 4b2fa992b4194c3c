// Adobe Experience Platform Sandbox API: the gateway checks, then the sandbox service's
// routes, over the record store (emulator/adobe-store.ts) and the data model
// (emulator/adobe-model.ts); following Adobe's Sandbox API guide (experienceleague.adobe.com,
// Sandbox API overview) and sandbox.yaml in github.com/AdobeDocs/experience-platform-apis.
import { randomUUID } from 'node:crypto'
import { isObject, json, parseJson, SlidingWindow, type Ctx, type Reply } from './common'
import { storedTitle, type Fault } from './faults'
import type { ImsEmulator } from './ims'
import {
  ADOBE_BASE,
  BLOCK_REASONS,
  NAME_PATTERN,
  badRequest,
  gateway,
  leaseView,
  notFound,
  sms,
  type AdobeOptions,
  type AdobeStrictness,
  type AdobeTimings,
  type BlockCode,
  type HistoryEntry,
  type LeaseView,
  type Rec,
  type Sandbox
} from './adobe-model'
import { createSandboxStore } from './adobe-store'

export * from './adobe-model'

export function createAdobe(options: AdobeOptions, ims: ImsEmulator, now: () => number) {
  const st = createSandboxStore(options, now)
  const limiter = options.rateLimit
    ? new SlidingWindow(options.rateLimit.requests, options.rateLimit.windowMs)
    : undefined
  function reset(): void {
    st.reset()
    limiter?.clear()
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
    if (st.strict.requireSandboxHeader && !ctx.headers['x-sandbox-name']?.trim()) {
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
    const limit = Math.min(asked, st.strict.pageCap, fault?.kind === 'cap-page' ? fault.limit : Infinity)
    const offset = fault?.kind === 'ignore-offset' ? 0 : askedOffset
    const page = st.recs.slice(offset, offset + limit).map(r => st.answerView(st.settle(r), fault))
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
    const head = st.recs[0]?.isDefault ? 1 : 0
    for (let i = 0; i < (fault.remove ?? 0); i++) {
      const gone = st.recs.find((r, at) => at >= head && !r.isDefault)
      if (!gone) break
      st.recs.splice(st.recs.indexOf(gone), 1)
      const from = gone.state
      gone.state = 'deleted'
      st.record(gone, from, 'purge')
    }
    const t = now()
    for (let i = 0; i < (fault.insert ?? 0); i++) {
      const name = `${fault.prefix ?? 'foreign-'}${randomUUID().slice(0, 8)}`
      const rec: Rec = {
        name, title: `Inserted ${name}`, state: 'active', type: 'development', isDefault: false, eTag: 1,
        createdAt: t, modifiedAt: t, createdBy: 'other-job@AdobeID', modifiedBy: 'other-job@AdobeID', id: randomUUID()
      }
      st.recs.splice(head, 0, rec)
      st.record(rec, null, 'insert', t)
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
    st.recs.filter(r => (st.strict.licenseScope === 'all' || r.type === 'development') && st.settle(r).state !== 'deleted').length

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
    if (st.live(name)) return sms(1005, 409, `Sandbox with name \`${name}\` already exists.`)
    if ((st.strict.licenseScope === 'all' || type === 'development') && licensed() >= st.licenseLimit) {
      // Adobe does not document this answer's wording; this one names the licence and the limit.
      const what = st.strict.licenseScope === 'all' ? 'sandboxes' : 'development sandboxes'
      return sms(1010, 400, `Sandbox \`${name}\` cannot be created: the organization has reached the limit of ${st.licenseLimit} ${what} allowed by its license.`)
    }
    // A deleted name may be used again: the old record gives way to a new one.
    const old = st.recs.findIndex(r => r.name === name)
    if (old >= 0) st.recs.splice(old, 1)
    const t = now()
    const rec: Rec = {
      name, title, type, state: 'creating', isDefault: false, eTag: 1,
      createdAt: t, modifiedAt: t, createdBy: user, modifiedBy: user, id: randomUUID()
    }
    st.recs.push(rec)
    st.startOp(rec, 'create', 'create', null)
    return json(202, st.answerView(rec, ctx.fault))
  }

  function update(ctx: Ctx, name: string, user: string): Reply {
    const parsed = bodyObject(ctx)
    if ('error' in parsed) return parsed.error
    const body = parsed.body
    const rec = st.live(name)
    if (!rec) return notFound(name)
    const extra = Object.keys(body).filter(k => k !== 'title')
    if (extra.length > 0) return badRequest(`Only the title of a sandbox can be updated, not: ${extra.join(', ')}.`)
    if (typeof body.title !== 'string' || body.title.trim() === '') return badRequest('Sandbox title is required.')
    rec.title = ctx.fault?.kind === 'store-title' ? storedTitle(ctx.fault, body.title) : body.title
    st.touch(rec, user)
    st.record(rec, rec.state, 'update')
    return json(200, st.answerView(rec, ctx.fault))
  }

  /** The SMS-207x error when a block applies; 2077 is a warning that ignoreWarnings overrides. */
  function blocked(ctx: Ctx, rec: Rec, verb: string): Reply | undefined {
    const code = st.blocks.get(rec.name)
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
    const rec = st.live(name)
    if (!rec) return notFound(name)
    if (rec.state !== 'active') {
      return sms(1007, 400, `Sandbox \`${name}\` cannot be st.reset while its state is \`${rec.state}\`.`)
    }
    const block = blocked(ctx, rec, 'reset')
    if (block) return block
    if (ctx.query.validationOnly === 'true') return json(200, { ...st.view(rec), validationOnly: true, valid: true, warnings: [] })
    st.touch(rec, user)
    st.startOp(rec, 'reset', 'reset', rec.state)
    return json(202, st.answerView(rec, ctx.fault))
  }

  function remove(ctx: Ctx, name: string, user: string): Reply {
    const rec = st.live(name)
    if (!rec) return notFound(name)
    if (rec.isDefault) return sms(1008, 400, 'The default production sandbox cannot be deleted')
    const block = blocked(ctx, rec, 'deleted')
    if (block) return block
    if (ctx.query.validationOnly === 'true') return json(200, { ...st.view(rec), validationOnly: true, valid: true, warnings: [] })
    // Repeating a delete that is still running (a retried request, say) changes nothing.
    if (rec.op?.kind === 'delete') return json(202, st.answerView(rec, ctx.fault))
    st.touch(rec, user)
    st.startOp(rec, 'delete', 'delete', rec.state)
    return json(202, st.answerView(rec, ctx.fault))
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
        const rec = st.find(name)
        return rec ? json(200, st.answerView(rec, ctx.fault)) : notFound(name)
      }
      if (ctx.method === 'PATCH') return update(ctx, name, who.user)
      if (ctx.method === 'PUT') return resetSandbox(ctx, name, who.user)
      if (ctx.method === 'DELETE') return remove(ctx, name, who.user)
    }
    return gateway(404, '404000', 'Resource not found')
  }

  return {
    routeKey,
    handle,
    reset,
    /** the gateway checks, for the other Platform APIs the emulator serves */
    authenticate,
    sandboxes: (): Sandbox[] => st.recs.map(r => st.view(st.settle(r))),
    get: (name: string): Sandbox | undefined => {
      const rec = st.find(name)
      return rec && st.view(rec)
    },
    seed: st.seed,
    setTimings(t: Partial<AdobeTimings>): void {
      st.timings = { ...st.timings, ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) }
    },
    timings: (): AdobeTimings => ({ ...st.timings }),
    /**
     * Ends the pending operation on a sandbox now, through its remaining states: a test seeds a
     * sandbox busy for long and lets it finish once the step has seen it busy, however slowly
     * the step started.
     */
    finishNow(name: string): void {
      const rec = st.recs.find(r => r.name === name)
      if (!rec?.op) return
      const t = now()
      for (const phase of rec.op.phases) phase.endsAt = Math.min(phase.endsAt, t)
      st.settle(rec)
    },
    failNext: (name: string): void => void st.nextFails.add(name),
    block: (name: string, code: BlockCode): void => void st.blocks.set(name, code),
    becameActiveAt: (name: string): number | undefined => st.find(name)?.activeAt,
    setLicenseLimit: (n: number): void => {
      st.licenseLimit = n
    },
    licenseLimit: (): number => st.licenseLimit,
    configure: st.configure,
    strictness: (): AdobeStrictness => ({ ...st.strict }),
    /** the name of the default sandbox (isDefault), whatever it is called */
    defaultName: (): string => st.recs.find(r => r.isDefault)?.name ?? st.strict.defaultSandboxName,
    /** every change to a sandbox record so far (since the last reset), in time order */
    history: st.history,
    /** the same changes as one entry per title or state change (the lease tests' ground truth) */
    leaseHistory: (): HistoryEntry[] => {
      const out: HistoryEntry[] = []
      const titles = new Map<string, string>()
      for (const c of st.history()) {
        if (titles.get(c.name) !== c.title) out.push({ seq: out.length + 1, time: c.time, name: c.name, field: 'title', value: c.title })
        titles.set(c.name, c.title)
        if (c.from !== c.to) out.push({ seq: out.length + 1, time: c.time, name: c.name, field: 'state', value: c.to })
      }
      return out
    },
    leases: (): LeaseView[] => st.recs.map(r => leaseView(st.view(st.settle(r))))
  }
}

export type AdobeEmulator = ReturnType<typeof createAdobe>
