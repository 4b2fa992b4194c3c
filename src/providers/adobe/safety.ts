// The rules that keep the action away from sandboxes it must not touch, checked from the
// sandbox's own record right before any call that would change it.
import { ActionError } from '../../errors'
import type { Sandbox } from './api'

export function assertMayTouch(s: Sandbox, verb: 'reset' | 'delete' | 'reuse', allowProduction: boolean): void {
  if (s.isDefault) {
    throw new ActionError(`Refusing to ${verb} sandbox "${s.name}": it is the organization's default sandbox, which this action never touches`)
  }
  if (s.type !== 'development' && !allowProduction) {
    throw new ActionError(
      `Refusing to ${verb} sandbox "${s.name}": it is a ${s.type ?? 'non-development'} sandbox. Set allow-production: true to allow it`
    )
  }
}
