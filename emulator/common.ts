// Shapes shared by the provider modules and the server: a parsed request in, a reply out.
// Handlers are synchronous and only touch their own state, so the server can apply
// latency and faults around them; the few faults that change what a provider itself
// answers (page and shape faults) reach it as ctx.fault.
import type { Fault } from './types'

export interface Ctx {
  method: string
  path: string
  query: Record<string, string>
  /** lower-case names */
  headers: Record<string, string>
  body: string
  /** scheme://host[:port] as the client addressed us, for links in answers */
  baseUrl: string
  /** the fault drawn for this request, if any */
  fault?: Fault
}

export interface Reply {
  status: number
  headers?: Record<string, string>
  /** a string is sent as-is; anything else as JSON; undefined sends no body */
  body?: unknown
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers }
}

/** JSON body parse that tells "no valid JSON" apart from any value (null included). */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Counts events per key over a sliding window of wall-clock time. Rate limits follow real
 * time, not the emulator's clock: a frozen test clock must not freeze a limit forever.
 */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>()
  constructor(
    private readonly limit: number,
    private readonly windowMs: number
  ) {}

  /** Records a hit when under the limit; otherwise returns ms until a slot frees up. */
  take(key: string, at = Date.now()): { ok: true } | { ok: false; waitMs: number } {
    const list = (this.hits.get(key) ?? []).filter(t => t > at - this.windowMs)
    if (list.length >= this.limit) {
      this.hits.set(key, list)
      return { ok: false, waitMs: Math.max(1, list[0] + this.windowMs - at) }
    }
    list.push(at)
    this.hits.set(key, list)
    return { ok: true }
  }

  clear(): void {
    this.hits.clear()
  }
}
