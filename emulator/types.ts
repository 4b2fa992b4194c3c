// The emulator's shared vocabulary: the faults a rule can hand out, and the named variants
// (echo encodings, Trackstar answer shapes) the server, the fault parser and the provider
// modules all speak of. A module of its own, imported by all of them, so none imports another
// for a type.
import type { DateSkew } from './dates'

export type EchoEncoding =
  | 'raw' | 'json' | 'json-slash' | 'json-unicode' | 'url' | 'form' | 'base64' | 'base64url' | 'html'

/**
 * raw: the value as is in a text/plain body; json: a JSON error body (standard escaping);
 * json-slash: JSON with `/` as `\/` and non-ASCII as `\uXXXX` (PHP's default); json-unicode:
 * every character as `\uXXXX`; url: percent-encoded in a link inside a JSON error; form: an
 * application/x-www-form-urlencoded body; base64 / base64url: of the UTF-8 bytes, inside a
 * JSON error; html: entity-escaped inside an HTML page.
 */
export const ECHO_ENCODINGS: readonly EchoEncoding[] = [
  'raw', 'json', 'json-slash', 'json-unicode', 'url', 'form', 'base64', 'base64url', 'html'
]

export type TrackstarShape = 'current' | 'endpoints' | 'no-me' | 'me-null' | 'legacy' | 'rotate'
export const TRACKSTAR_SHAPES: readonly TrackstarShape[] = ['current', 'endpoints', 'no-me', 'me-null', 'legacy', 'rotate']

/** Which error family a default fault body follows. */
export type ProviderFamily = 'trackstar' | 'adobe'

export type Fault =
  /** answer this instead; the provider does not act */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** the provider acts (state changes), then this status is answered instead of its answer */
  | { kind: 'status-after'; status: number; body?: unknown }
  /** wait, then handle normally (also when the client went away meanwhile) */
  | { kind: 'delay'; ms: number }
  /**
   * answer nothing until the client gives up on the request (its timeout, its step's deadline,
   * a cancel), then the provider acts `ms` later: a request whose outcome the client never
   * learns, however slowly the client runs. Held at most two minutes, then handled normally.
   */
  | { kind: 'hold'; ms?: number }
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
  /** a proxy's HTML page (status default 200) instead of the provider's answer; act: the provider acts first */
  | { kind: 'html'; status?: number; body?: string; act?: boolean }
  /**
   * the provider acts, and its JSON answer loses the fields a client needs (`drop`, default
   * name, state, type, isDefault, id, access_token, connection_id, deleted; in list items too),
   * or `body` replaces it; status default 200
   */
  | { kind: 'wrong-shape'; status?: number; drop?: string[]; body?: unknown }
  /** an error (status default 400) whose body echoes a request header or form field in an encoding */
  | { kind: 'echo'; header?: string; field?: string; encoding: EchoEncoding; status?: number; act?: boolean }
  /** answer this status now; the provider acts ms later (a create that finishes after the client gave up) */
  | { kind: 'act-later'; status: number; ms: number; body?: unknown }
  /** Adobe list: this page holds at most `limit` records; `_page.limit` says so */
  | { kind: 'cap-page'; limit: number }
  /** Adobe list: the first page whatever offset was asked */
  | { kind: 'ignore-offset' }
  /**
   * Adobe list: after this page, `insert` new records appear at the head of the listing (names
   * `prefix` + random, default 'foreign-') and `remove` leave it (purged), so later offsets shift
   */
  | { kind: 'shift-pages'; insert?: number; remove?: number; prefix?: string }
  /** Adobe list and item answers: createdDate and lastModifiedDate in another style (see dates.ts) */
  | { kind: 'skew-dates'; style: DateSkew; hours?: number; years?: number }
  /**
   * Adobe title change (PATCH): the title is stored damaged, and the answer shows what was
   * stored: its first `truncate` characters, or with every `replace.from` changed to `replace.to`
   */
  | { kind: 'store-title'; truncate?: number; replace?: { from: string; to: string } }
  /** Trackstar generate: answer in an older shape */
  | { kind: 'shape'; shape: TrackstarShape }

export interface FaultRule {
  method?: string
  /** a string matches the exact path without the query */
  path: string | RegExp
  faults: (Fault | 'pass')[]
  /** the last entry stays in force for every later matching request, until cleared */
  repeatLast?: boolean
}

export interface Faults {
  add(rule: FaultRule): void
  clear(): void
  /** fault entries ('pass' included) not yet consumed */
  pending(): number
}
