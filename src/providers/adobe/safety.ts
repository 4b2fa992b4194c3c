// The rules that keep the action away from sandboxes it must not touch, checked from the
// sandbox's own record (read strictly: see api.ts) right before any call that would change
// it, and again on the record a wait ends with, before it is handed over.
import { ActionError } from '../../core/errors'
import type { Sandbox } from './api'

export type Verb = 'reset' | 'delete' | 'reuse'

/** Why the action may not `verb` this sandbox, or undefined when it may. */
export function refusal(s: Sandbox, verb: Verb, allowProduction: boolean): string | undefined {
  // By the record's own flag, never by name: an organization may call any sandbox `prod`.
  if (s.isDefault !== false) {
    return `Refusing to ${verb} sandbox "${s.name}": it is the organization's default sandbox, which this action never touches`
  }
  if (s.type === 'development') return undefined
  if (s.type === 'production') {
    return allowProduction ? undefined : `Refusing to ${verb} sandbox "${s.name}": it is a production sandbox. Set allow-production: true to allow it`
  }
  // A type this action does not know is neither: no input can make it safe.
  return `Refusing to ${verb} sandbox "${s.name}": its type is "${s.type}", and this action changes only development sandboxes (and production ones with allow-production: true)`
}

export function assertMayTouch(s: Sandbox, verb: Verb, allowProduction: boolean): void {
  const why = refusal(s, verb, allowProduction)
  if (why) throw new ActionError(why)
}
