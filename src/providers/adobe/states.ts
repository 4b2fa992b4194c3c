// What a sandbox's state means to every operation: one answer per state, in one place.
//
// Adobe's OpenAPI (sandbox.yaml in AdobeDocs/experience-platform-apis) names `creating`,
// `provisioning`, `active`, `resetting`, `failed`, `deleting`, `cleaning`, `de-provisioning` and
// `deleted`; its DELETE answers 202 with `cleaning`, and the Sandbox API guide on Experience
// League says `deleting`. Each state falls in one phase:
//
//   settled      active, failed: nothing more happens to it on its own (failed is never usable)
//   in progress  creating, provisioning, resetting, and any state no document names: it is on
//                its way somewhere; a wait polls it until the step's timeout
//   going away   deleting, cleaning, de-provisioning: it will be gone without anyone's help, and
//                its name free again; nothing is sent to it, and nothing leases or uses it
//   gone         deleted, or not found (404): there is no such sandbox
//
// Note `cleaning` is Adobe's word for a sandbox being deleted, not for one being reset.
import type { Sandbox } from './model'

export type Phase = 'settled' | 'in progress' | 'going away' | 'gone'

/** Every state Adobe's OpenAPI and documents name, with its phase. */
export const PHASES: Readonly<Record<string, Phase>> = {
  active: 'settled',
  failed: 'settled',
  creating: 'in progress',
  provisioning: 'in progress',
  resetting: 'in progress',
  deleting: 'going away',
  cleaning: 'going away',
  'de-provisioning': 'going away',
  deleted: 'gone'
}

/** The states Adobe's OpenAPI and documents name; any other state is in progress. */
export const STATES = Object.keys(PHASES)

/** The phase of a sandbox record; undefined (a 404) is gone, an unknown state in progress. */
export function phase(s: Pick<Sandbox, 'state'> | undefined): Phase {
  if (s === undefined) return 'gone'
  return Object.hasOwn(PHASES, s.state) ? PHASES[s.state] : 'in progress'
}

/** 404 and `deleted` both mean: there is no such sandbox. */
export function exists<T extends Pick<Sandbox, 'state'>>(s: T | undefined): s is T {
  return phase(s) !== 'gone'
}

/** On its way out: it will be gone without anyone's help. */
export function goingAway(s: Pick<Sandbox, 'state'> | undefined): boolean {
  return phase(s) === 'going away'
}

/** Still on its way somewhere: a wait for it to settle polls. */
export function inProgress(s: Pick<Sandbox, 'state'> | undefined): boolean {
  return phase(s) === 'in progress'
}

/** Settled, or going away, or gone: whatever the state, the next step is known. */
export function settled(s: Pick<Sandbox, 'state'> | undefined): boolean {
  return phase(s) !== 'in progress'
}

/** Why a sandbox in this state can never become usable (active) again, or undefined when it can. */
export function unusable(s: Pick<Sandbox, 'state'> | undefined): string | undefined {
  switch (phase(s)) {
    case 'gone':
      return s === undefined ? 'does not exist' : 'was deleted'
    case 'going away':
      return `is being deleted (state ${s?.state})`
    case 'settled':
      return s?.state === 'failed' ? 'is in state "failed" (Adobe could not provision it)' : undefined
    default:
      return undefined
  }
}
