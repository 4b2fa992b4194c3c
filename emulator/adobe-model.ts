// The Sandbox API's data model as the emulator keeps it: records, states and their flows, the
// options, and the answers the service gives, shared by the store and the routes.
import type { Reply } from './common'
import { json } from './common'

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

export interface Op {
  kind: 'create' | 'reset' | 'delete'
  /** states still to pass, each until its end time; the op ends with the last */
  phases: { state: SandboxState; endsAt: number }[]
  fails: boolean
}

export interface Rec {
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

export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,255}$/
export const SEED_USER = 'emulator@AdobeID'
export const IN_PROGRESS: Partial<Record<SandboxState, Op['kind']>> = {
  creating: 'create',
  provisioning: 'create',
  resetting: 'reset',
  deleting: 'delete',
  cleaning: 'delete',
  'de-provisioning': 'delete'
}
/** The states each operation passes through before it ends, per state flow. */
export const FLOWS: Record<'adobe' | 'legacy', Record<Op['kind'], SandboxState[]>> = {
  adobe: { create: ['creating', 'provisioning'], reset: ['resetting'], delete: ['cleaning', 'de-provisioning'] },
  legacy: { create: ['creating'], reset: ['resetting'], delete: ['deleting'] }
}
/** States of a sandbox on its way out: it is gone once it reads `deleted`. */
export const DELETION_STATES: readonly SandboxState[] = ['deleting', 'cleaning', 'de-provisioning']
/** Still there: neither deleted nor on its way out (what "left behind" means in tests and the demo). */
export const isLive = (s: { state: SandboxState } | undefined): boolean => s !== undefined && s.state !== 'deleted' && !DELETION_STATES.includes(s.state)
export const DEFAULT_PAGE_CAP = 50

export const BLOCK_REASONS: Record<BlockCode, (name: string, verb: string) => string> = {
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
export const sms = (code: number, status: number, title: string): Reply =>
  json(status, { type: `http://ns.adobe.com/aep/errors/SMS-${code}-${status}`, status, title })
export const badRequest = (title: string) => sms(1001, 400, title)
export const notFound = (name: string) => sms(1004, 404, `Sandbox \`${name}\` not found.`)
export const gateway = (status: number, code: string, message: string, headers?: Record<string, string>) =>
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
