// Answers a misbehaving provider or a proxy in front of it gives: an HTML page with 200, JSON
// of the wrong shape, and error bodies that echo a credential back in some encoding. The
// server picks them by fault kind; each builds its reply from the request and the provider's
// own answer.
import { json, isObject, type Ctx, type Reply } from './common'
import type { Fault, ProviderFamily } from './types'
export { ECHO_ENCODINGS, type EchoEncoding } from './types'

const PROXY_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Sign in to continue</title></head>\n' +
  '<body><h1>Network access</h1><p>Your session has expired. Sign in to the corporate proxy to continue.</p>' +
  '<form method="post" action="/login"><input name="user"><input name="password" type="password"></form></body></html>\n'

const HTML = { 'content-type': 'text/html; charset=utf-8' }

export function htmlReply(fault: Extract<Fault, { kind: 'html' }>): Reply {
  return { status: fault.status ?? 200, headers: HTML, body: fault.body ?? PROXY_PAGE }
}

/** Fields a client needs to read a sandbox, a token or a delete answer. */
const NEEDED = ['name', 'state', 'type', 'isDefault', 'id', 'access_token', 'connection_id', 'deleted']

function strip(v: unknown, drop: string[]): unknown {
  if (!isObject(v)) return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) {
    if (drop.includes(k)) continue
    out[k] = Array.isArray(x) ? x.map(item => strip(item, drop)) : x
  }
  return out
}

/** The provider's answer (already acted on) without the fields a client needs, or the given body. */
export function wrongShapeReply(fault: Extract<Fault, { kind: 'wrong-shape' }>, acted: Reply): Reply {
  const body = fault.body !== undefined ? fault.body : strip(acted.body, fault.drop ?? NEEDED)
  return json(fault.status ?? 200, body)
}

/** The value an echo fault sends back: a header (a bearer token without its scheme) or a form or JSON field. */
export function echoedValue(ctx: Ctx, fault: Extract<Fault, { kind: 'echo' }>): string {
  if (fault.header !== undefined) {
    const value = ctx.headers[fault.header.toLowerCase()] ?? ''
    return fault.header.toLowerCase() === 'authorization' ? value.replace(/^Bearer\s+/i, '') : value
  }
  const field = fault.field ?? ''
  try {
    const parsed: unknown = JSON.parse(ctx.body)
    if (isObject(parsed) && typeof parsed[field] === 'string') return parsed[field]
  } catch {
    // not JSON: a form body
  }
  return new URLSearchParams(ctx.body).get(field) ?? ''
}

const u4 = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`

/** The value as it appears inside a JSON string in each JSON style. */
function jsonInner(value: string, encoding: 'json' | 'json-slash' | 'json-unicode'): string {
  if (encoding === 'json-unicode') return Array.from({ length: value.length }, (_, i) => u4(value.charCodeAt(i))).join('')
  const plain = JSON.stringify(value).slice(1, -1)
  if (encoding === 'json') return plain
  return plain.replace(/\//g, '\\/').replace(/[^\x20-\x7e]/g, ch => u4(ch.charCodeAt(0)))
}

const escapeHtml = (v: string) =>
  v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** A JSON error body in the family's shape, its message given as already-escaped JSON string text. */
function errorJson(family: ProviderFamily, status: number, escapedMessage: string): string {
  return family === 'trackstar'
    ? `{"error":"${escapedMessage}","origin":"trackstar"}`
    : `{"error_code":"${status}000","message":"${escapedMessage}"}`
}

export function echoReply(ctx: Ctx, fault: Extract<Fault, { kind: 'echo' }>, family: ProviderFamily): Reply {
  const value = echoedValue(ctx, fault)
  const status = fault.status ?? 400
  const what = fault.header ?? fault.field ?? ''
  const JSON_TYPE = { 'content-type': 'application/json' }
  const inJson = (text: string) => ({ status, headers: JSON_TYPE, body: errorJson(family, status, jsonInner(text, 'json')) })
  switch (fault.encoding) {
    case 'raw':
      return { status, body: `Request rejected: ${what} ${value} is not valid\n` }
    case 'json':
    case 'json-slash':
    case 'json-unicode':
      return { status, headers: JSON_TYPE, body: errorJson(family, status, `Invalid ${what}: ${jsonInner(value, fault.encoding)}`) }
    case 'url':
      return inJson(`Invalid ${what}; see https://status.invalid/check?${what}=${encodeURIComponent(value)}`)
    case 'form':
      return {
        status,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ error: 'invalid_request', [what]: value }).toString()
      }
    case 'base64':
      return inJson(`Invalid ${what} (base64 ${Buffer.from(value, 'utf8').toString('base64')})`)
    case 'base64url':
      return inJson(`Invalid ${what} (base64url ${Buffer.from(value, 'utf8').toString('base64url')})`)
    case 'html':
      return {
        status,
        headers: HTML,
        body: `<!DOCTYPE html>\n<html><body><h1>${status} Bad Request</h1><p>Rejected ${escapeHtml(what)}: <code>${escapeHtml(value)}</code></p></body></html>\n`
      }
  }
}
