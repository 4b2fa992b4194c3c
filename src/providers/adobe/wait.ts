// Waiting for a sandbox to reach a state. Adobe says provisioning takes about 30 s (older
// docs: 15 minutes), so the schedule polls often at first, then less and less: readiness is
// noticed within a couple of seconds early on without hammering the API on long waits.
import { ActionError, DeadlineError } from '../../errors'
import type { Deadline } from '../../deadline'
import type { Logger } from '../../log'
import { exists, type Sandbox } from './api'

/** Delay before the next lookup, by time already spent waiting. */
export function pollDelayMs(elapsedMs: number): number {
  if (elapsedMs < 6_000) return 1_000
  if (elapsedMs < 60_000) return 2_000
  if (elapsedMs < 180_000) return 5_000
  return 12_000
}

/** States in which the sandbox is still on its way somewhere; unknown states count too. */
const SETTLED = new Set(['active', 'failed', 'deleted'])
export function inProgress(s: Sandbox): boolean {
  return !SETTLED.has(s.state)
}

const PROGRESS_EVERY_MS = 10_000

export interface WaitOptions {
  deadline: Deadline
  log: Logger
  lookup(): Promise<Sandbox | undefined>
  name: string
  /** what we wait for: `active`, `settled` (any end state) or `gone` (404 or deleted) */
  until: 'active' | 'settled' | 'gone'
  /** for messages: "creating", "resetting" */
  doing: string
}

/** Polls until the sandbox reaches the wanted state; returns it (undefined once gone). */
export async function waitFor(o: WaitOptions): Promise<Sandbox | undefined> {
  const state = { last: '' }
  try {
    return await poll(o, state)
  } catch (err) {
    // Whether the time ran out in a sleep or in a lookup, say what we were waiting for.
    if (err instanceof DeadlineError) {
      throw o.deadline.expiredError(`waiting for sandbox "${o.name}" to ${o.until === 'gone' ? 'be deleted' : 'become active'} (last state: ${state.last || 'unknown'})`)
    }
    throw err
  }
}

async function poll(o: WaitOptions, seen: { last: string }): Promise<Sandbox | undefined> {
  const start = o.deadline.clock.now()
  let lastLine = start
  let lastState = ''
  for (;;) {
    const elapsed = o.deadline.clock.now() - start
    if (o.deadline.remainingMs() <= 0) throw o.deadline.expiredError('waiting')
    await o.deadline.sleep(pollDelayMs(elapsed), `waiting for sandbox "${o.name}" (${o.doing})`)
    const s = await o.lookup()
    const now = o.deadline.clock.now()
    const state = s?.state ?? 'not found'
    const seconds = Math.round((now - start) / 1000)
    if (state !== lastState || now - lastLine >= PROGRESS_EVERY_MS) {
      o.log.info(`Sandbox "${o.name}": ${state} (${seconds} s elapsed)`)
      lastLine = now
      lastState = state
      seen.last = state
    }
    if (o.until === 'gone') {
      if (!exists(s)) return undefined
      continue
    }
    if (!exists(s)) throw new ActionError(`Sandbox "${o.name}" disappeared while ${o.doing} (state: ${state})`)
    if (o.until === 'settled' && !inProgress(s)) return s
    if (s.state === 'active') return s
    if (s.state === 'failed') {
      throw new ActionError(`Sandbox "${o.name}" ended in state "failed" while ${o.doing}: Adobe could not provision it (the Sandboxes view of Experience Platform may say why)`)
    }
  }
}
