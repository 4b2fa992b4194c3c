// A create refused because the organization's sandbox licence is full, and waiting for a slot
// to free up (if-full: wait) or failing clearly (if-full: fail).
import { ActionError, ProviderError } from '../../core/errors'
import { poll, Progress } from '../../core/poll'
import type { AdobeInputs } from '../../core/inputs'
import type { StepContext } from '../../core/provider'
import type { MutationResult, SandboxApi } from './api'
import { exists } from './states'
import { listAll } from './ops/prune'

/**
 * Whether an error is the licence-full refusal. Adobe does not document its wording, so this
 * matches by meaning, not by one sentence: a client error (400, 403 or 422) to a create whose
 * code or text speaks of a licence, quota, entitlement, capacity, limit or maximum, and not of a
 * rate limit (429-like wording is a throttle, not a full licence). A refusal worded otherwise
 * stays an ordinary error: it fails the step rather than waiting on something that may never
 * free up.
 */
export function isLicenceFull(err: unknown): err is ProviderError {
  if (!(err instanceof ProviderError) || ![400, 403, 422].includes(err.status)) return false
  const text = `${err.details.code ?? ''} ${err.details.providerMessage ?? ''}`
  if (/rate[ -]?limit|too many requests|throttl/i.test(text)) return false
  return /licen[cs]e|quota|entitle|capacity|allowance|limit|maximum|exceed|no (more |free )?(slots?|sandboxes) (left|available)/i.test(text)
}

const PROGRESS_MS = 15_000

/** Pause between create attempts while the licence is full. */
export function licencePollMs(elapsedMs: number): number {
  return elapsedMs < 60_000 ? 2000 : elapsedMs < 300_000 ? 5000 : 15_000
}

/** Who holds the licence's development slots, for progress lines: names and titles. */
async function slotHolders(api: SandboxApi): Promise<string> {
  const dev = (await listAll(api)).filter(s => exists(s) && s.type === 'development')
  return `${dev.length} development sandbox(es): ${dev.map(s => `${s.name}${s.title ? ` (${s.title.slice(0, 80)})` : ''}`).join(', ') || 'none listed'}`
}

/** POST /sandboxes, waiting within `timeout` while the licence is full and if-full is wait. */
export async function createWithinLicence(
  ctx: StepContext<AdobeInputs>,
  api: SandboxApi,
  name: string,
  title: string,
  random: () => number = Math.random
): Promise<MutationResult> {
  const { deadline, log, inputs } = ctx
  const started = deadline.clock.now()
  const progress = new Progress(log, PROGRESS_MS)
  return poll({
    deadline,
    // the create is the look: a deadline inside it is the create's own error
    lookExpiry: 'as is',
    delayMs: elapsed => Math.round(licencePollMs(elapsed) * (0.75 + random() / 2)),
    pausing: 'waiting for a free licence slot',
    awaited: () => `waiting for a free slot in the organization's sandbox licence to create "${name}"`,
    look: async () => {
      try {
        return await api.create(name, title)
      } catch (err) {
        if (!isLicenceFull(err)) throw err
        const said = err.details.providerMessage ?? `HTTP ${err.status}`
        if (inputs.ifFull === 'fail') {
          throw new ActionError(`The organization's sandbox licence is full (Adobe: "${said}") and if-full is "fail": delete unused sandboxes (operation: prune), lease from a pool instead, or set if-full: wait`)
        }
        const now = deadline.clock.now()
        if (progress.due(now)) {
          log.info(`The organization's sandbox licence is full (Adobe: "${said}"); ${await slotHolders(api)}. Waiting for a free slot (${Math.round((now - started) / 1000)} s elapsed)`)
        }
        return undefined
      }
    }
  })
}
