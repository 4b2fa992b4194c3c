// Fault injection: rules that match requests by method and path and hand out one fault per
// matching request, in order, until spent. The server decides how each kind plays out.
import { STATUS_CODES } from 'node:http'
import { json, isObject, type Reply } from './common'
import { DATE_SKEWS, type DateSkew } from './dates'
import { ECHO_ENCODINGS, TRACKSTAR_SHAPES, type EchoEncoding, type Fault, type FaultRule, type Faults, type ProviderFamily, type TrackstarShape } from './types'

export type { EchoEncoding, Fault, FaultRule, Faults, ProviderFamily, TrackstarShape } from './types'
const KINDS = new Set([
  'status', 'status-after', 'delay', 'hold', 'drop-before', 'drop-after', 'rate-limit',
  'html', 'wrong-shape', 'echo', 'act-later', 'cap-page', 'ignore-offset', 'shift-pages', 'skew-dates', 'store-title', 'shape'
])
const isStatus = (v: unknown) => Number.isInteger(v) && Number(v) >= 100 && Number(v) <= 599
const isCount = (v: unknown) => Number.isInteger(v) && Number(v) >= 0
const RATE_HEADERS = new Set(['retry-after', 'retry-after-date', 'x-rate-limit-retry-after', 'x-ratelimit-reset', 'none'])

function checkFault(f: unknown): Fault | 'pass' {
  if (f === 'pass') return f
  if (!isObject(f) || typeof f.kind !== 'string' || !KINDS.has(f.kind)) {
    throw new Error(`emulator: unknown fault ${JSON.stringify(f)}`)
  }
  if ((f.kind === 'status' || f.kind === 'status-after' || f.kind === 'act-later') && !isStatus(f.status)) {
    throw new Error(`emulator: fault ${f.kind} needs a status 100..599`)
  }
  if (f.status !== undefined && !isStatus(f.status)) throw new Error(`emulator: fault ${f.kind} status must be 100..599`)
  if (f.act !== undefined && typeof f.act !== 'boolean') throw new Error(`emulator: fault ${f.kind} act must be a boolean`)
  checkNewKind(f)
  if (f.kind === 'delay' && !(typeof f.ms === 'number' && f.ms >= 0)) throw new Error('emulator: fault delay needs ms >= 0')
  if (f.kind === 'rate-limit') {
    if (typeof f.header !== 'string' || !RATE_HEADERS.has(f.header)) throw new Error(`emulator: bad rate-limit header ${String(f.header)}`)
    if (!(typeof f.seconds === 'number' && f.seconds >= 0)) throw new Error('emulator: fault rate-limit needs seconds >= 0')
  }
  return f as Fault
}

function checkNewKind(f: Record<string, unknown>): void {
  const bad = (what: string) => new Error(`emulator: fault ${String(f.kind)} ${what}`)
  switch (f.kind) {
    case 'html':
      if (f.body !== undefined && typeof f.body !== 'string') throw bad('body must be a string')
      return
    case 'wrong-shape':
      if (f.drop !== undefined && !(Array.isArray(f.drop) && f.drop.every(k => typeof k === 'string'))) throw bad('drop must be a list of field names')
      return
    case 'echo':
      if ((typeof f.header === 'string') === (typeof f.field === 'string')) throw bad('needs exactly one of header or field')
      if (!ECHO_ENCODINGS.includes(f.encoding as EchoEncoding)) throw bad(`encoding must be one of ${ECHO_ENCODINGS.join(', ')}`)
      return
    case 'act-later':
      if (!(typeof f.ms === 'number' && f.ms >= 0)) throw bad('needs ms >= 0')
      return
    case 'hold':
      if (f.ms !== undefined && !(typeof f.ms === 'number' && f.ms >= 0)) throw bad('ms must be >= 0')
      return
    case 'cap-page':
      if (!(Number.isInteger(f.limit) && Number(f.limit) >= 1)) throw bad('needs a limit >= 1')
      return
    case 'shift-pages':
      if (f.insert !== undefined && !isCount(f.insert)) throw bad('insert must be a count')
      if (f.remove !== undefined && !isCount(f.remove)) throw bad('remove must be a count')
      if (!(Number(f.insert ?? 0) + Number(f.remove ?? 0) > 0)) throw bad('needs insert or remove above 0')
      if (f.prefix !== undefined && !(typeof f.prefix === 'string' && /^[a-z][a-z0-9-]{0,200}$/.test(f.prefix))) throw bad('prefix must start a sandbox name')
      return
    case 'skew-dates':
      if (!DATE_SKEWS.includes(f.style as DateSkew)) throw bad(`style must be one of ${DATE_SKEWS.join(', ')}`)
      if (f.hours !== undefined && typeof f.hours !== 'number') throw bad('hours must be a number')
      if (f.years !== undefined && typeof f.years !== 'number') throw bad('years must be a number')
      return
    case 'store-title': {
      const r = f.replace as Record<string, unknown> | undefined
      if ((f.truncate === undefined) === (r === undefined)) throw bad('needs exactly one of truncate or replace')
      if (f.truncate !== undefined && !(Number.isInteger(f.truncate) && Number(f.truncate) >= 1)) throw bad('truncate must be a length >= 1')
      if (r !== undefined && !(isObject(r) && typeof r.from === 'string' && r.from !== '' && typeof r.to === 'string')) throw bad('replace needs {from, to} strings, from not empty')
      return
    }
    case 'shape':
      if (!TRACKSTAR_SHAPES.includes(f.shape as TrackstarShape)) throw bad(`shape must be one of ${TRACKSTAR_SHAPES.join(', ')}`)
      return
  }
}

export class FaultList implements Faults {
  private rules: { method?: string; path: string | RegExp; queue: (Fault | 'pass')[]; repeatLast: boolean }[] = []

  add(rule: FaultRule): void {
    if (!Array.isArray(rule.faults) || rule.faults.length === 0) throw new Error('emulator: a fault rule needs faults')
    // Copied, so consuming the rule never mutates the caller's array.
    this.rules.push({
      method: rule.method?.toUpperCase(),
      path: rule.path,
      queue: rule.faults.map(checkFault),
      repeatLast: rule.repeatLast === true
    })
  }

  clear(): void {
    this.rules = []
  }

  pending(): number {
    return this.rules.reduce((n, r) => n + r.queue.length, 0)
  }

  /** Consumes the next entry of the first live rule that matches; undefined means act normally. */
  take(method: string, path: string): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method !== method) continue
      if (typeof rule.path === 'string') {
        if (rule.path !== path) continue
      } else {
        rule.path.lastIndex = 0 // a /g or /y regex would otherwise remember the last match
        if (!rule.path.test(path)) continue
      }
      const next = rule.repeatLast && rule.queue.length === 1 ? rule.queue[0] : rule.queue.shift()
      if (rule.queue.length === 0) this.rules = this.rules.filter(r => r !== rule)
      return next === 'pass' ? undefined : next
    }
    return undefined
  }
}

/** A rule from the control API: JSON, with `pathRegex` standing in for a RegExp. */
/** The title a store-title fault keeps of the one written (never empty, as Adobe requires a title). */
export function storedTitle(fault: Extract<Fault, { kind: 'store-title' }>, title: string): string {
  const kept = fault.truncate !== undefined ? title.slice(0, fault.truncate) : title.split(fault.replace?.from ?? '').join(fault.replace?.to ?? '')
  return kept.trim() === '' ? title : kept
}

export function faultRuleFromJson(v: unknown): FaultRule {
  if (!isObject(v)) throw new Error('emulator: a fault rule must be a JSON object')
  let path: string | RegExp
  if (typeof v.pathRegex === 'string') path = new RegExp(v.pathRegex)
  else if (typeof v.path === 'string') path = v.path
  else throw new Error('emulator: a fault rule needs path or pathRegex')
  if (v.method !== undefined && typeof v.method !== 'string') throw new Error('emulator: method must be a string')
  if (!Array.isArray(v.faults)) throw new Error('emulator: a fault rule needs a faults array')
  if (v.repeatLast !== undefined && typeof v.repeatLast !== 'boolean') throw new Error('emulator: repeatLast must be a boolean')
  return { method: v.method, path, faults: v.faults.map(checkFault), repeatLast: v.repeatLast === true }
}

function defaultBody(family: ProviderFamily, status: number): unknown {
  const text = status === 429 ? 'Too many requests' : (STATUS_CODES[status] ?? 'Error')
  if (family === 'trackstar') return { error: text, origin: 'trackstar' }
  return { error_code: status === 429 ? '429050' : `${status}000`, message: text }
}

/** The answer a status or rate-limit fault gives in place of the provider's. */
export function faultReply(
  fault: Extract<Fault, { kind: 'status' | 'status-after' | 'rate-limit' }>,
  family: ProviderFamily
): Reply {
  if (fault.kind !== 'rate-limit') {
    const headers = fault.kind === 'status' ? fault.headers : undefined
    return json(fault.status, fault.body === undefined ? defaultBody(family, fault.status) : fault.body, headers)
  }
  const headers: Record<string, string> = {}
  const seconds = fault.seconds
  // Header values follow wall-clock time: the client computes its wait from its own clock.
  if (fault.header === 'retry-after') headers['retry-after'] = String(seconds)
  if (fault.header === 'retry-after-date') headers['retry-after'] = new Date(Date.now() + seconds * 1000).toUTCString()
  if (fault.header === 'x-rate-limit-retry-after') headers['x-rate-limit-retry-after'] = String(seconds)
  if (fault.header === 'x-ratelimit-reset') headers['x-ratelimit-reset'] = String(Math.ceil(Date.now() / 1000 + seconds))
  return json(429, fault.body === undefined ? defaultBody(family, 429) : fault.body, headers)
}
