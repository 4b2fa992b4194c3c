// The emulator's HTTP server: routes each request to its provider, logs it, meters
// concurrency, adds latency, applies faults around the provider handler, and serves the
// control API under /_emulator that tests and scripts use to steer it.
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import {
  ADOBE_BASE,
  createAdobe,
  type AdobeRateLimit,
  type AdobeStrictness,
  type AdobeTimings,
  type BlockCode,
  type Sandbox,
  type SandboxChange,
  type HistoryEntry,
  type LeaseView,
  type SandboxSeed
} from './adobe'
import { echoReply, htmlReply, wrongShapeReply } from './bad-answers'
import { isObject, json, parseJson, type Ctx, type Reply } from './common'
import { faultReply, faultRuleFromJson, FaultList, type Faults, type ProviderFamily } from './faults'
import { createGithub, GITHUB_BASE, type GithubEmulator } from './github'
import { createIms, type AdobeClient } from './ims'
import { createPlatformApis, type PlatformControl, type PlatformOptions } from './platform'
import type { RoleSeed } from './roles'
import type { PackageSeed, ToolingPackage } from './tooling'
import { platformMode } from './modes'
import { createTrackstar, type TrackstarConnection, type TrackstarShape } from './trackstar'

export interface EmulatorOptions {
  host?: string
  port?: number
  /** added before every provider request is handled */
  latencyMs?: number
  /** a further random 0..N ms per provider request, so concurrent clients interleave differently */
  latencyJitterMs?: number
  /** clock in ms; sandbox state transitions and token expiry read it */
  now?: () => number
  trackstar?: { apiKeys?: string[]; rateLimit?: boolean; shape?: TrackstarShape }
  /** strictness options (AdobeStrictness) default to Adobe's published contract */
  adobe?: AdobeStrictness & {
    clients?: AdobeClient[]
    createMs?: number
    resetMs?: number
    deleteMs?: number
    /** sandboxes allowed at once; default 5 in all, the default sandbox included */
    licenseLimit?: number
    rateLimit?: AdobeRateLimit
  }
  /** the roles and sandbox-tooling APIs, and the schema-listing stand-in */
  platform?: PlatformOptions
}

export interface LoggedRequest {
  seq: number
  /** emulator clock ms at arrival */
  time: number
  method: string
  path: string
  query: Record<string, string>
  /** lower-case names */
  headers: Record<string, string>
  body: string
  /** 0 while unanswered and when dropped */
  status: number
  requestId: string
  fault?: string
}

export interface EmulatorStats {
  inFlight: number
  maxInFlight: number
  maxInFlightByRoute: Record<string, number>
  resetMax(): void
}

export interface Emulator {
  url: string
  requests: LoggedRequest[]
  clearLog(): void
  close(): Promise<void>
  faults: Faults
  stats: EmulatorStats
  trackstar: {
    connections(): TrackstarConnection[]
    addApiKey(key: string): void
    generateCount(apiKey: string, type: string): number
    /** the shape of later generate answers, until the next reset */
    setShape(shape: TrackstarShape): void
  }
  adobe: {
    sandboxes(): Sandbox[]
    get(name: string): Sandbox | undefined
    seed(s: SandboxSeed): Sandbox
    setTimings(t: Partial<AdobeTimings>): void
    /** ends the sandbox's pending operation now, through its remaining states */
    finishNow(name: string): void
    failNext(name: string): void
    block(name: string, code: BlockCode): void
    becameActiveAt(name: string): number | undefined
    issueToken(clientId?: string): string
    tokensIssued(clientId?: string): number
    setLicenseLimit(n: number): void
    /** change strictness until the next reset; a new default name renames the default sandbox */
    configure(c: AdobeStrictness): AdobeStrictness
    strictness(): AdobeStrictness
    /** the default sandbox's name (the record with isDefault) */
    defaultName(): string
    /** every change to a sandbox record since the last reset, in time order */
    history(): SandboxChange[]
    /** the same changes, one entry per title or state change (the lease tests' ground truth) */
    leaseHistory(): HistoryEntry[]
    /** each sandbox's title read as a lease record */
    leases(): LeaseView[]
  }
  platform: PlatformControl
  /** the GitHub REST stand-in, under /api/v3 */
  github: Omit<GithubEmulator, 'routeKey' | 'handle' | 'control' | 'reset'>
}

interface Provider {
  family: ProviderFamily
  routeKey(method: string, path: string): string | undefined
  handle(ctx: Ctx): Reply
}

const CONTROL = '/_emulator'

function flattenHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}

/** The longest a `hold` fault keeps a request unanswered while its client waits. */
const HOLD_MAX_MS = 120_000

/** The body as text, or undefined when the client went away before sending all of it. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise(resolve => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(undefined))
    req.on('close', () => resolve(undefined)) // no-op after 'end' already resolved
  })
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed || res.socket?.destroyed) return
  const headers: Record<string, string> = {}
  let payload: string | undefined
  if (typeof reply.body === 'string') {
    payload = reply.body
    headers['content-type'] = 'text/plain; charset=utf-8'
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body)
    headers['content-type'] = 'application/json'
  }
  for (const [k, v] of Object.entries(reply.headers ?? {})) headers[k.toLowerCase()] = v
  res.writeHead(reply.status, headers)
  res.end(payload)
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.now ?? Date.now
  const latencyMs = options.latencyMs ?? 0
  const jitterMs = options.latencyJitterMs ?? 0
  const ims = createIms(options.adobe?.clients, now)
  const adobe = createAdobe(options.adobe ?? {}, ims, now)
  const trackstar = createTrackstar(options.trackstar ?? {}, now)
  const platform = createPlatformApis(options.platform ?? {}, { authenticate: adobe.authenticate, sandbox: adobe.get, now })
  const github = createGithub(now)
  const faults = new FaultList()
  const requests: LoggedRequest[] = []
  let seq = 0

  const providers = {
    ims: { family: 'adobe', routeKey: ims.routeKey, handle: ims.handle },
    adobe: { family: 'adobe', routeKey: adobe.routeKey, handle: adobe.handle },
    platform: { family: 'adobe', routeKey: platform.routeKey, handle: platform.handle },
    trackstar: { family: 'trackstar', routeKey: trackstar.routeKey, handle: trackstar.handle },
    github: { family: 'adobe', routeKey: github.routeKey, handle: github.handle }
  } satisfies Record<string, Provider>
  const providerFor = (path: string): Provider =>
    path.startsWith(`${GITHUB_BASE}/`) ? providers.github : path.startsWith('/ims/') ? providers.ims : platform.owns(path) ? providers.platform : path === ADOBE_BASE || path.startsWith(`${ADOBE_BASE}/`) ? providers.adobe : providers.trackstar

  // --- concurrency meter ---------------------------------------------------------------
  const byRoute = new Map<string, number>()
  const stats: EmulatorStats = {
    inFlight: 0,
    maxInFlight: 0,
    maxInFlightByRoute: {},
    resetMax() {
      stats.maxInFlight = stats.inFlight
      for (const k of Object.keys(stats.maxInFlightByRoute)) delete stats.maxInFlightByRoute[k]
      for (const [k, n] of byRoute) if (n > 0) stats.maxInFlightByRoute[k] = n
    }
  }
  function enter(route: string): () => void {
    stats.inFlight += 1
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
    const n = (byRoute.get(route) ?? 0) + 1
    byRoute.set(route, n)
    stats.maxInFlightByRoute[route] = Math.max(stats.maxInFlightByRoute[route] ?? 0, n)
    let left = false
    return () => {
      if (left) return
      left = true
      stats.inFlight -= 1
      byRoute.set(route, (byRoute.get(route) ?? 1) - 1)
    }
  }

  // Pending waits, so close() can drop them instead of holding the process open.
  const timers = new Set<NodeJS.Timeout>()
  const sleep = (ms: number) =>
    new Promise<void>(resolve => {
      const t = setTimeout(() => {
        timers.delete(t)
        resolve()
      }, ms)
      timers.add(t)
    })

  /** Resolves once the client has closed the connection, or after `max` ms. */
  const untilClosed = (res: ServerResponse, max: number) =>
    new Promise<void>(resolve => {
      if (res.destroyed || res.socket?.destroyed) return resolve()
      const done = (): void => {
        clearTimeout(t)
        timers.delete(t)
        res.off('close', done)
        resolve()
      }
      const t = setTimeout(done, max)
      timers.add(t)
      res.once('close', done)
    })

  function resetAll(): void {
    requests.length = 0
    faults.clear()
    ims.reset()
    adobe.reset()
    platform.reset()
    trackstar.reset()
    github.reset()
    stats.resetMax()
  }

  // --- control API ---------------------------------------------------------------------
  function control(method: string, path: string, body: string): Reply {
    const route = `${method} ${path.slice(CONTROL.length)}`
    const input = (): Record<string, unknown> => {
      const parsed = parseJson(body === '' ? '{}' : body)
      if (!parsed.ok || !isObject(parsed.value)) throw new Error('request body must be a JSON object')
      return parsed.value
    }
    try {
      switch (route) {
        case 'GET /requests':
          return json(200, requests)
        case 'POST /reset':
          resetAll()
          return json(200, { reset: true })
        case 'GET /sandboxes':
          return json(200, adobe.sandboxes())
        case 'GET /stats':
          return json(200, stats)
        case 'GET /faults':
          return json(200, { pending: faults.pending() })
        case 'POST /faults':
          faults.add(faultRuleFromJson(input()))
          return json(201, { pending: faults.pending() })
        case 'DELETE /faults':
          faults.clear()
          return json(200, { pending: 0 })
        case 'GET /trackstar/connections':
          return json(200, trackstar.connections())
        case 'POST /adobe/seed':
          return json(201, adobe.seed(input() as SandboxSeed))
        case 'POST /adobe/timings':
          adobe.setTimings(input() as Partial<AdobeTimings>)
          return json(200, adobe.timings())
        case 'POST /adobe/token': {
          const clientId = input().clientId
          return json(200, { access_token: ims.issueToken(typeof clientId === 'string' ? clientId : undefined) })
        }
        case 'POST /adobe/block': {
          const { name, code } = input()
          if (typeof name !== 'string' || ![2074, 2075, 2076, 2077].includes(Number(code))) {
            throw new Error('need {name, code: 2074|2075|2076|2077}')
          }
          adobe.block(name, Number(code) as BlockCode)
          return json(200, { name, code: Number(code) })
        }
        case 'GET /adobe/leases':
          return json(200, adobe.leases())
        case 'GET /adobe/lease-history':
          return json(200, adobe.leaseHistory())
        case 'POST /adobe/licence': {
          const { size } = input()
          if (!Number.isInteger(size) || Number(size) < 0) throw new Error('need {size: a whole number of sandboxes, the default one included}')
          adobe.setLicenseLimit(Number(size))
          return json(200, { size: adobe.licenseLimit() })
        }
        case 'POST /platform/role':
          return json(201, platform.control.roles.seed(input() as unknown as RoleSeed))
        case 'POST /platform/package':
          return json(201, platform.control.tooling.seed(input() as unknown as PackageSeed))
        case 'POST /platform/package/publish': {
          const { id, status } = input()
          if (typeof id !== 'string') throw new Error('need {id, status?}')
          return json(200, platform.control.tooling.publish(id, (status ?? 'PUBLISHED') as ToolingPackage['status']))
        }
        case 'POST /platform/mode': {
          const mode = platformMode(input().mode)
          platform.control.setMode(mode)
          return json(200, { mode })
        }
        case 'POST /adobe/fail-next': {
          const { name } = input()
          if (typeof name !== 'string') throw new Error('need {name}')
          adobe.failNext(name)
          return json(200, { name })
        }
        case 'GET /adobe/history':
          return json(200, adobe.history())
        case 'GET /adobe/default':
          return json(200, { name: adobe.defaultName() })
        case 'GET /adobe/configure':
          return json(200, adobe.strictness())
        case 'POST /adobe/configure':
          return json(200, adobe.configure(input() as AdobeStrictness))
        case 'POST /adobe/license': {
          const { limit } = input()
          if (!(Number.isInteger(limit) && Number(limit) >= 0)) throw new Error('need {limit: a count}')
          adobe.setLicenseLimit(Number(limit))
          return json(200, { limit })
        }
        case 'POST /trackstar/shape': {
          const { shape } = input()
          trackstar.setShape(shape as TrackstarShape)
          return json(200, { shape: trackstar.shape() })
        }
        default:
          return github.control(route, input) ?? json(404, { error: `no control route ${method} ${path}` })
      }
    } catch (err) {
      return json(400, { error: err instanceof Error ? err.message : String(err) })
    }
  }

  // --- provider requests ---------------------------------------------------------------
  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID()
    res.setHeader('x-request-id', requestId) // set first: every answer carries it
    res.on('error', () => undefined) // a client that vanished is not the server's problem
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', 'http://emulator')
    const path = url.pathname
    const query = Object.fromEntries(url.searchParams)

    if (path === CONTROL || path.startsWith(`${CONTROL}/`)) {
      const body = await readBody(req)
      if (body !== undefined) send(res, control(method, path, body))
      return
    }

    const provider = providerFor(path)
    const route = provider.routeKey(method, path) ?? `${method} (unknown route)`
    const entry: LoggedRequest = {
      seq: ++seq,
      time: now(),
      method,
      path,
      query,
      headers: flattenHeaders(req.headers),
      body: '',
      status: 0,
      requestId
    }
    requests.push(entry)
    // Taken at arrival, so a rule's sequence follows the order requests came in.
    const fault = faults.take(method, path)
    if (fault) entry.fault = fault.kind
    const leave = enter(route)
    res.on('finish', leave)
    res.on('close', leave)

    const body = await readBody(req)
    if (body === undefined) return leave()
    entry.body = body
    const delay = latencyMs + (jitterMs > 0 ? Math.floor(Math.random() * (jitterMs + 1)) : 0)
    if (delay > 0) await sleep(delay)
    if (fault?.kind === 'delay') await sleep(fault.ms)
    if (fault?.kind === 'hold') await untilClosed(res, HOLD_MAX_MS)

    const ctx: Ctx = {
      method,
      path,
      query,
      headers: entry.headers,
      body,
      baseUrl: `http://${req.headers.host ?? 'localhost'}`,
      fault
    }
    const act = (): Reply => {
      try {
        return provider.handle(ctx)
      } catch (err) {
        return json(500, { error: `emulator error: ${err instanceof Error ? err.message : String(err)}` })
      }
    }
    const answer = (reply: Reply) => {
      entry.status = reply.status
      send(res, reply)
    }
    const drop = () => {
      entry.status = 0
      req.socket.destroy()
      leave()
    }

    switch (fault?.kind) {
      case 'drop-before':
        return drop()
      case 'drop-after':
        act()
        return drop()
      case 'status':
      case 'rate-limit':
        return answer(faultReply(fault, provider.family))
      case 'status-after':
        act()
        return answer(faultReply(fault, provider.family))
      case 'act-later':
        answer(faultReply({ kind: 'status', status: fault.status, body: fault.body }, provider.family))
        return void sleep(fault.ms).then(act)
      case 'hold':
        // The client gave up: the provider acts after all, and nobody hears of it.
        if (res.destroyed || res.socket?.destroyed) return void sleep(fault.ms ?? 0).then(act)
        return answer(act())
      case 'html':
        if (fault.act) act()
        return answer(htmlReply(fault))
      case 'wrong-shape':
        return answer(wrongShapeReply(fault, act()))
      case 'echo':
        if (fault.act) act()
        return answer(echoReply(ctx, fault, provider.family))
      default:
        // delay, and the faults a provider plays itself through ctx.fault (pages, dates, shapes)
        return answer(act())
    }
  }

  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    onRequest(req, res).catch(err => {
      // A bug in the emulator must not leave a test waiting on an answer that never comes.
      if (!res.headersSent && !res.destroyed) send(res, json(500, { error: `emulator error: ${String(err)}` }))
      else res.destroy()
    })
  })
  // Short keep-alive: clients do not reuse a socket the server is about to close.
  server.keepAliveTimeout = 1000
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  const address = `${urlHost}:${port}`

  let closing: Promise<void> | undefined
  return {
    url: `http://${address}`,
    requests,
    clearLog: () => {
      requests.length = 0
    },
    close() {
      closing ??= new Promise<void>(resolve => {
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
        server.closeAllConnections()
      })
      return closing
    },
    faults,
    stats,
    trackstar: {
      connections: trackstar.connections,
      addApiKey: trackstar.addApiKey,
      generateCount: trackstar.generateCount,
      setShape: trackstar.setShape
    },
    adobe: {
      sandboxes: adobe.sandboxes,
      get: adobe.get,
      seed: adobe.seed,
      setTimings: adobe.setTimings,
      finishNow: adobe.finishNow,
      failNext: adobe.failNext,
      block: adobe.block,
      becameActiveAt: adobe.becameActiveAt,
      issueToken: ims.issueToken,
      tokensIssued: ims.issued,
      setLicenseLimit: adobe.setLicenseLimit,
      configure: adobe.configure,
      strictness: adobe.strictness,
      defaultName: adobe.defaultName,
      history: adobe.history,
      leaseHistory: adobe.leaseHistory,
      leases: adobe.leases
    },
    platform: platform.control,
    github
  }
}
