// The main-to-post handoff. It holds ids and decisions only, never a secret: the post step
// gets credentials again from its inputs. It is saved the moment a provider is about to act,
// so a main step that fails or is cancelled later is still cleaned up.

/** What the post step must do; `action` is already resolved from `cleanup`. */
export type Handoff =
  | { provider: 'trackstar'; integrationType: string; action: 'reset' | 'delete'; confirmed: boolean }
  | { provider: 'adobe'; sandbox: string; action: 'reset' | 'delete'; created: boolean; confirmed: boolean; roles?: string[] }
  /** a pool lease: release it (reset, mark free) only while its title still carries `lease`, the nonce */
  | { provider: 'adobe'; sandbox: string; action: 'release'; lease: string; confirmed: boolean }

export interface StateStore {
  get(key: string): string
  save(key: string, value: string): void
}

const POST_FLAG = 'isPost'
const HANDOFF = 'cleanup'

export function isPost(store: StateStore): boolean {
  return store.get(POST_FLAG) === 'true'
}

export function markMainStarted(store: StateStore): void {
  store.save(POST_FLAG, 'true')
}

export function saveHandoff(store: StateStore, handoff: Handoff | undefined): void {
  store.save(HANDOFF, handoff ? JSON.stringify(handoff) : '')
}

/** The saved handoff, or undefined when there is none or it cannot be read: nothing is acted on by guess. */
export function loadHandoff(store: StateStore): Handoff | undefined {
  const raw = store.get(HANDOFF)
  if (!raw) return undefined
  let h: Record<string, unknown>
  try {
    h = JSON.parse(raw) as Record<string, unknown>
  } catch {
    return undefined
  }
  if (!h || typeof h !== 'object' || typeof h.confirmed !== 'boolean') return undefined
  const undo = h.action === 'reset' || h.action === 'delete'
  if (h.provider === 'trackstar' && undo && typeof h.integrationType === 'string' && h.integrationType) return h as Handoff
  if (h.provider !== 'adobe' || typeof h.sandbox !== 'string' || !h.sandbox) return undefined
  if (h.action === 'release') return typeof h.lease === 'string' && h.lease ? (h as Handoff) : undefined
  const roles = h.roles === undefined || (Array.isArray(h.roles) && h.roles.every(r => typeof r === 'string' && r !== ''))
  if (undo && typeof h.created === 'boolean' && roles) return h as Handoff
  return undefined
}
