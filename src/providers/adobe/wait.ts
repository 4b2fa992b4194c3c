// Waiting for a sandbox to reach a state, with the one poll helper. Adobe says provisioning
// takes about 30 s (older docs: 15 minutes): the helper's schedule polls often at first, then
// less and less, so readiness is noticed within a couple of seconds early on without
// hammering the API on long waits.
import { ActionError } from '../../core/errors'
import type { Deadline } from '../../core/deadline'
import type { Logger } from '../../core/log'
import { poll, Progress } from '../../core/poll'
import type { Sandbox } from './api'
import { exists, goingAway, settled } from './states'

export interface WaitOptions {
  deadline: Deadline
  log: Logger
  lookup(): Promise<Sandbox | undefined>
  name: string
  /**
   * what we wait for: `active`; `settled` (active, failed, on its way out, or gone: whatever
   * the state, the next step is known); `gone` (404 or deleted)
   */
  until: 'active' | 'settled' | 'gone'
  /** for messages: "creating", "resetting" */
  doing: string
  /** the record in hand (a provider's answer): when it is already there, nothing is polled */
  current?: Sandbox
}

/** A sandbox that ended `failed` never becomes active: the wait, and the step, end here. */
export function assertNotFailed(s: Sandbox, doing: string): void {
  if (s.state === 'failed') {
    throw new ActionError(`Sandbox "${s.name}" ended in state "failed" while ${doing}: Adobe could not provision it (the Sandboxes view of Experience Platform may say why)`)
  }
}

/** Whether this record ends the wait; throws when the wanted state can no longer come. */
export function reached(o: Pick<WaitOptions, 'until' | 'name' | 'doing'>, s: Sandbox | undefined): boolean {
  if (o.until === 'gone') return !exists(s)
  if (o.until === 'settled') return settled(s)
  if (!exists(s)) throw new ActionError(`Sandbox "${o.name}" disappeared while ${o.doing} (state: ${s === undefined ? 'not found' : 'deleted'})`)
  if (goingAway(s)) throw new ActionError(`Sandbox "${o.name}" is being deleted (state: ${s.state}) while ${o.doing}`)
  assertNotFailed(s, o.doing)
  return s.state === 'active'
}

/** Polls until the sandbox reaches the wanted state; returns it (undefined once gone). */
export async function waitFor(o: WaitOptions): Promise<Sandbox | undefined> {
  const done = (s: Sandbox | undefined): Sandbox | undefined => (o.until === 'gone' || !exists(s) ? undefined : s)
  if (o.current && reached(o, o.current)) return done(o.current)
  const progress = new Progress(o.log)
  const start = o.deadline.clock.now()
  let lastSeen = o.current?.state ?? ''
  // poll() ends on a value: the sandbox, or `null` for one that is gone
  const found = await poll<Sandbox | null>({
    deadline: o.deadline,
    pauseFirst: true,
    pausing: `waiting for sandbox "${o.name}" (${o.doing})`,
    awaited: () => `waiting for sandbox "${o.name}" to ${o.until === 'gone' ? 'be deleted' : o.until === 'settled' ? 'settle' : 'become active'} (last state: ${lastSeen || 'unknown'})`,
    look: async () => {
      const s = await o.lookup()
      const now = o.deadline.clock.now()
      const state = s?.state ?? 'not found'
      lastSeen = state
      progress.report(now, state, () => `Sandbox "${o.name}": ${state} (${Math.round((now - start) / 1000)} s elapsed)`)
      return reached(o, s) ? (done(s) ?? null) : undefined
    }
  })
  return found ?? undefined
}
