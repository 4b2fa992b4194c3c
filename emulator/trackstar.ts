// Trackstar: generate-sandbox, delete-connection and one data read per integration type,
// following Trackstar's published API reference (docs.trackstar.dev: generate sandbox, connections).
import { createHash, randomBytes } from 'node:crypto'
import { json, SlidingWindow, type Ctx, type Reply } from './common'
import { TRACKSTAR_SHAPES, type TrackstarShape } from './types'
export { TRACKSTAR_SHAPES, type TrackstarShape } from './types'
import { EMULATOR_TRACKSTAR_API_KEY } from './credentials'

export interface TrackstarConnection {
  apiKey: string
  /** integration type: wms, cart or carrier */
  type: string
  connectionId: string
  accessToken: string
  /** generates for this api key and type so far (the data is reset on each) */
  generation: number
  /** emulator clock ms of the last generate */
  generatedAt: number
}

/**
 * The generate answer's shape: 'current' (the OpenAPI's), 'endpoints' (also `available_endpoints[]`),
 * 'no-me' (no `me`), 'me-null' (`me: null`), 'legacy' (`available_endpoints[]` and no `me`),
 * or 'rotate' (each generate the next of those, starting with 'current').
 */
const ROTATION: TrackstarShape[] = ['current', 'endpoints', 'no-me', 'me-null', 'legacy']

export interface TrackstarOptions {
  apiKeys?: string[]
  /** per access token 10 GET/s and 50 writes/s; default true */
  rateLimit?: boolean
  /** the shape of generate answers; default 'current' */
  shape?: TrackstarShape
}

interface TypeInfo {
  actions: string[]
  readPath: string
  accountName: string
  item: (i: number, conn: Conn) => Record<string, unknown>
}

interface Conn {
  apiKey: string
  type: string
  connectionId: string
  /** undefined once the connection was deleted */
  accessToken?: string
  generation: number
  generatedAt: number
}

const ORIGIN = 'trackstar'
const TYPE_PATTERN = /^[a-z_]{1,32}$/
const MOCK_TOTAL = 30

const isoDate = (ms: number) => new Date(ms).toISOString()

const TYPES: Record<string, TypeInfo> = {
  wms: {
    actions: [
      'get_inventory', 'get_inventory_item', 'get_products', 'get_product', 'get_orders', 'get_order',
      'create_order', 'get_warehouses', 'get_inbound_shipments', 'get_returns'
    ],
    readPath: '/wms/inventory',
    accountName: 'Trackstar Sandbox WMS',
    item: (i, c) => ({
      id: `inv_${String(i + 1).padStart(4, '0')}`,
      sku: `SKU-${1000 + i}`,
      name: `Sandbox product ${i + 1}`,
      onhand: 100 + i,
      fulfillable: 90 + i,
      committed: 10,
      unfulfillable: 0,
      warehouse_id: 'wh_sandbox_1',
      created_date: isoDate(c.generatedAt),
      updated_date: isoDate(c.generatedAt)
    })
  },
  cart: {
    actions: ['get_orders', 'get_order', 'get_products', 'get_product', 'get_inventory', 'create_fulfillment'],
    readPath: '/cart/orders',
    accountName: 'Trackstar Sandbox Cart',
    item: (i, c) => ({
      id: `ord_${String(i + 1).padStart(4, '0')}`,
      order_number: `#${5000 + i}`,
      status: i % 3 === 0 ? 'fulfilled' : 'open',
      total_price: 19.99 + i,
      currency_code: 'USD',
      line_items: [{ sku: `SKU-${1000 + i}`, quantity: 1 + (i % 3) }],
      created_date: isoDate(c.generatedAt),
      updated_date: isoDate(c.generatedAt)
    })
  },
  carrier: {
    actions: ['get_invoices', 'get_invoice', 'get_invoice_line_items', 'get_shipments', 'get_shipment'],
    readPath: '/carrier/invoice-line-items',
    accountName: 'Trackstar Sandbox Carrier',
    item: (i, c) => ({
      id: `ili_${String(i + 1).padStart(4, '0')}`,
      invoice_id: `inv_${Math.floor(i / 10) + 1}`,
      tracking_number: `1Z999AA1${String(i).padStart(8, '0')}`,
      service: 'ground',
      amount: 7.5 + i,
      currency_code: 'USD',
      created_date: isoDate(c.generatedAt)
    })
  }
}

const READ_TYPE = new Map(Object.entries(TYPES).map(([type, info]) => [info.readPath, type]))
const GENERATE_PREFIX = '/sandbox/generate-sandbox/'

const error = (status: number, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  json(status, { error: message, ...extra, origin: ORIGIN }, headers)
const badKey = () => error(401, 'Unauthorized: invalid x-trackstar-api-key')
const badToken = () => error(401, 'Unauthorized: invalid x-trackstar-access-token')
const validation = (location: string, field: string, message: string) =>
  error(422, 'Validation error', { detail: { [location]: { [field]: [message] } } })

/** Same key and type always give the same id, as Trackstar documents. */
function connectionIdFor(apiKey: string, type: string): string {
  return createHash('sha256').update(`${apiKey}\n${type}`).digest('hex').slice(0, 24)
}

export function createTrackstar(options: TrackstarOptions, now: () => number) {
  let apiKeys = new Set<string>()
  const conns = new Map<string, Conn>()
  const byToken = new Map<string, Conn>()
  const rateLimited = options.rateLimit ?? true
  const gets = new SlidingWindow(10, 1000)
  const writes = new SlidingWindow(50, 1000)
  let shape: TrackstarShape = 'current'
  let rotation = 0

  function setShape(s: TrackstarShape): void {
    if (!TRACKSTAR_SHAPES.includes(s)) throw new Error(`emulator: trackstar shape must be one of ${TRACKSTAR_SHAPES.join(', ')}`)
    shape = s
    rotation = 0
  }

  function reset(): void {
    apiKeys = new Set(options.apiKeys ?? [EMULATOR_TRACKSTAR_API_KEY])
    setShape(options.shape ?? 'current')
    conns.clear()
    byToken.clear()
    gets.clear()
    writes.clear()
  }
  reset()

  function routeKey(method: string, path: string): string | undefined {
    if (method === 'POST' && path.startsWith(GENERATE_PREFIX)) return `POST ${GENERATE_PREFIX}{integration_type}`
    if (method === 'DELETE' && path === '/connections') return 'DELETE /connections'
    if (method === 'GET' && READ_TYPE.has(path)) return `GET ${path}`
    return undefined
  }

  function limited(ctx: Ctx, key: string): Reply | undefined {
    if (!rateLimited) return undefined
    const window = ctx.method === 'GET' ? gets : writes
    const taken = window.take(key)
    if (taken.ok) return undefined
    return error(429, 'Too many requests', {}, { 'retry-after': String(Math.ceil(taken.waitMs / 1000)) })
  }

  function generate(ctx: Ctx, type: string): Reply {
    const slow = limited(ctx, `key:${ctx.headers['x-trackstar-api-key'] ?? ''}`)
    if (slow) return slow
    const apiKey = ctx.headers['x-trackstar-api-key']
    if (!apiKey || !apiKeys.has(apiKey)) return badKey()
    if (!TYPE_PATTERN.test(type)) {
      return validation('path', 'integration_type', `String should match pattern '${TYPE_PATTERN.source}'`)
    }
    const info = TYPES[type]
    if (!info) return error(404, 'Integration type not found', { id: type })

    const id = `${apiKey}\n${type}`
    let conn = conns.get(id)
    if (!conn) {
      conn = { apiKey, type, connectionId: connectionIdFor(apiKey, type), generation: 0, generatedAt: 0 }
      conns.set(id, conn)
    }
    // The token lives as long as the connection; a deleted connection gets a new one.
    if (!conn.accessToken) {
      conn.accessToken = randomBytes(24).toString('hex')
      byToken.set(conn.accessToken, conn)
    }
    conn.generation += 1
    conn.generatedAt = now()
    const body: Record<string, unknown> = {
      access_token: conn.accessToken,
      connection_id: conn.connectionId,
      integration_name: 'sandbox',
      customer_id: null,
      available_actions: [...info.actions],
      me: { account_id: `sandbox_${type}_account`, account_name: info.accountName }
    }
    let used = ctx.fault?.kind === 'shape' ? ctx.fault.shape : shape
    if (used === 'rotate') used = ROTATION[rotation++ % ROTATION.length]
    // Older deployments listed endpoints beside the actions, and some sent no `me` at all.
    if (used === 'endpoints' || used === 'legacy') body.available_endpoints = info.actions.map(a => `/${type}/${a.replace(/^[a-z]+_/, '')}`)
    if (used === 'no-me' || used === 'legacy') delete body.me
    if (used === 'me-null') body.me = null
    return json(200, body)
  }

  /** The live connection both headers point at, or the 401 to answer. */
  function authorize(ctx: Ctx): Conn | Reply {
    const apiKey = ctx.headers['x-trackstar-api-key']
    if (!apiKey || !apiKeys.has(apiKey)) return badKey()
    const conn = byToken.get(ctx.headers['x-trackstar-access-token'] ?? '')
    if (!conn || conn.apiKey !== apiKey) return badToken()
    return conn
  }

  function deleteConnection(ctx: Ctx): Reply {
    const slow = limited(ctx, `token:${ctx.headers['x-trackstar-access-token'] ?? ''}`)
    if (slow) return slow
    const conn = authorize(ctx)
    if (!('connectionId' in conn)) return conn
    byToken.delete(conn.accessToken ?? '')
    conn.accessToken = undefined
    return json(200, { id: conn.connectionId, object: 'connection', deleted: true })
  }

  function read(ctx: Ctx, type: string): Reply {
    const slow = limited(ctx, `token:${ctx.headers['x-trackstar-access-token'] ?? ''}`)
    if (slow) return slow
    const conn = authorize(ctx)
    if (!('connectionId' in conn)) return conn
    if (conn.type !== type) return badToken()

    const rawLimit = ctx.query.limit ?? '25'
    const limit = /^\d+$/.test(rawLimit) ? Number(rawLimit) : NaN
    if (!(limit >= 1 && limit <= 1000)) {
      return validation('query', 'limit', 'Must be an integer between 1 and 1000.')
    }
    let offset = 0
    if (ctx.query.page_token !== undefined) {
      const decoded = /^o:(\d+)$/.exec(Buffer.from(ctx.query.page_token, 'base64url').toString())
      if (!decoded) return validation('query', 'page_token', 'Invalid page token.')
      offset = Number(decoded[1])
    }
    const info = TYPES[type]
    const data: Record<string, unknown>[] = []
    for (let i = offset; i < Math.min(offset + limit, MOCK_TOTAL); i++) data.push(info.item(i, conn))
    const nextOffset = offset + data.length
    return json(200, {
      data,
      next_token: nextOffset < MOCK_TOTAL ? Buffer.from(`o:${nextOffset}`).toString('base64url') : null,
      total_count: MOCK_TOTAL
    })
  }

  function handle(ctx: Ctx): Reply {
    if (ctx.method === 'POST' && ctx.path.startsWith(GENERATE_PREFIX)) {
      const segment = ctx.path.slice(GENERATE_PREFIX.length)
      if (segment !== '' && !segment.includes('/')) {
        let type: string
        try {
          type = decodeURIComponent(segment)
        } catch {
          type = segment
        }
        return generate(ctx, type)
      }
    }
    if (ctx.method === 'DELETE' && ctx.path === '/connections') return deleteConnection(ctx)
    const readType = ctx.method === 'GET' ? READ_TYPE.get(ctx.path) : undefined
    if (readType) return read(ctx, readType)
    return error(404, 'Not Found')
  }

  const view = (c: Conn): TrackstarConnection => ({
    apiKey: c.apiKey,
    type: c.type,
    connectionId: c.connectionId,
    accessToken: c.accessToken ?? '',
    generation: c.generation,
    generatedAt: c.generatedAt
  })

  return {
    routeKey,
    handle,
    reset,
    /** live connections only: a deleted one is gone until the next generate */
    connections: (): TrackstarConnection[] => [...conns.values()].filter(c => c.accessToken).map(view),
    addApiKey: (key: string): void => void apiKeys.add(key),
    setShape,
    shape: (): TrackstarShape => shape,
    generateCount: (apiKey: string, type: string): number => conns.get(`${apiKey}\n${type}`)?.generation ?? 0
  }
}

export type TrackstarEmulator = ReturnType<typeof createTrackstar>
