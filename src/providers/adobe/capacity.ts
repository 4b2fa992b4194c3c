// A create refused because the organization's sandbox licence is full, and waiting for a slot
// to free up (if-full: wait) or failing clearly (if-full: fail).
import { ActionError, DeadlineError, ProviderError } from '../../errors'
import type { AdobeInputs } from '../../inputs'
import type { StepContext } from '../types'
import type { MutationResult, SandboxApi } from './api'
import { exists } from './states'
import { listAll } from './prune'

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
  let lastProgress = -Infinity
  for (;;) {
    try {
      return await api.create(name, title)
    } catch (err) {
      if (!isLicenceFull(err)) throw err
      const said = err.details.providerMessage ?? `HTTP ${err.status}`
      if (inputs.ifFull === 'fail') {
        throw new ActionError(`The organization's sandbox licence is full (Adobe: "${said}") and if-full is "fail": delete unused sandboxes (operation: prune), lease from a pool instead, or set if-full: wait`)
      }
      const now = deadline.clock.now()
      if (now - lastProgress >= PROGRESS_MS) {
        log.info(`The organization's sandbox licence is full (Adobe: "${said}"); ${await slotHolders(api)}. Waiting for a free slot (${Math.round((now - started) / 1000)} s elapsed)`)
        lastProgress = now
      }
      try {
        if (deadline.remainingMs() <= 0) throw deadline.expiredError('waiting')
        await deadline.sleep(Math.round(licencePollMs(now - started) * (0.75 + random() / 2)), 'waiting for a free licence slot')
        // a pause the deadline cut short: say what was awaited, not which request came next
        if (deadline.remainingMs() <= 0) throw deadline.expiredError('waiting')
      } catch (e) {
        if (!(e instanceof DeadlineError)) throw e
        throw deadline.expiredError(`waiting for a free slot in the organization's sandbox licence to create "${name}"`)
      }
    }
  }
}
