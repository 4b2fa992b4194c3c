// Fault injection: rules that match requests by method and path and hand out one fault per
// matching request, in order, until spent. The server decides how each kind plays out.
import { STATUS_CODES } from 'node:http'
import { json, isObject, type Reply } from './common'

export type Fault =
  /** answer this instead; the provider does not act */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** the provider acts (state changes), then this status is answered instead of its answer */
  | { kind: 'status-after'; status: number; body?: unknown }
  /** wait, then handle normally (also when the client went away meanwhile) */
  | { kind: 'delay'; ms: number }
  /** destroy the socket without acting */
  | { kind: 'drop-before' }
  /** act, then destroy the socket without answering */
  | { kind: 'drop-after' }
  /** 429 with that header (x-ratelimit-reset carries epoch seconds) */
  | {
      kind: 'rate-limit'
      header: 'retry-after' | 'retry-after-date' | 'x-rate-limit-retry-after' | 'x-ratelimit-reset' | 'none'
      seconds: number
      body?: unknown
    }

export interface FaultRule {
  method?: string
  /** a string matches the exact path without the query */
  path: string | RegExp
  faults: (Fault | 'pass')[]
}

export interface Faults {
  add(rule: FaultRule): void
  clear(): void
  /** fault entries ('pass' included) not yet consumed */
  pending(): number
}

/** Which error family a default fault body follows. */
export type ProviderFamily = 'trackstar' | 'adobe'

const KINDS = new Set(['status', 'status-after', 'delay', 'drop-before', 'drop-after', 'rate-limit'])
const RATE_HEADERS = new Set(['retry-after', 'retry-after-date', 'x-rate-limit-retry-after', 'x-ratelimit-reset', 'none'])

function checkFault(f: unknown): Fault | 'pass' {
  if (f === 'pass') return f
  if (!isObject(f) || typeof f.kind !== 'string' || !KINDS.has(f.kind)) {
    throw new Error(`emulator: unknown fault ${JSON.stringify(f)}`)
  }
  if ((f.kind === 'status' || f.kind === 'status-after') && !(Number.isInteger(f.status) && Number(f.status) >= 100 && Number(f.status) <= 599)) {
    throw new Error(`emulator: fault ${f.kind} needs a status 100..599`)
  }
  if (f.kind === 'delay' && !(typeof f.ms === 'number' && f.ms >= 0)) throw new Error('emulator: fault delay needs ms >= 0')
  if (f.kind === 'rate-limit') {
    if (typeof f.header !== 'string' || !RATE_HEADERS.has(f.header)) throw new Error(`emulator: bad rate-limit header ${String(f.header)}`)
    if (!(typeof f.seconds === 'number' && f.seconds >= 0)) throw new Error('emulator: fault rate-limit needs seconds >= 0')
  }
  return f as Fault
}

export class FaultList implements Faults {
  private rules: { method?: string; path: string | RegExp; queue: (Fault | 'pass')[] }[] = []

  add(rule: FaultRule): void {
    if (!Array.isArray(rule.faults) || rule.faults.length === 0) throw new Error('emulator: a fault rule needs faults')
    // Copied, so consuming the rule never mutates the caller's array.
    this.rules.push({ method: rule.method?.toUpperCase(), path: rule.path, queue: rule.faults.map(checkFault) })
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
      const next = rule.queue.shift()
      if (rule.queue.length === 0) this.rules = this.rules.filter(r => r !== rule)
      return next === 'pass' ? undefined : next
    }
    return undefined
  }
}

/** A rule from the control API: JSON, with `pathRegex` standing in for a RegExp. */
export function faultRuleFromJson(v: unknown): FaultRule {
  if (!isObject(v)) throw new Error('emulator: a fault rule must be a JSON object')
  let path: string | RegExp
  if (typeof v.pathRegex === 'string') path = new RegExp(v.pathRegex)
  else if (typeof v.path === 'string') path = v.path
  else throw new Error('emulator: a fault rule needs path or pathRegex')
  if (v.method !== undefined && typeof v.method !== 'string') throw new Error('emulator: method must be a string')
  if (!Array.isArray(v.faults)) throw new Error('emulator: a fault rule needs a faults array')
  return { method: v.method, path, faults: v.faults.map(checkFault) }
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
