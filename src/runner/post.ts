// The post step: undo what the main step recorded, as `cleanup` decided. It never fails the
// job: a cleanup that fails is a warning annotation that names what was left behind.
import { errorMessage } from '../core/errors'
import { debugHint } from '../core/failure'
import { readInputs } from '../providers/index'
import { inGroup } from '../core/log'
import { Secrets } from '../core/secrets'
import { loadHandoff, type Handoff } from '../core/handoff'
import { createContext } from '../core/context'
import { providerOf } from '../providers/index'
import type { StepDeps } from './step'
import { commentAfterCleanup } from '../github/comment'
import type { CleanupOutcome, StepContext } from '../core/provider'
import { renderSummary } from '../core/summary'

export function describeTarget(h: Handoff): string {
  return h.provider === 'trackstar' ? `Trackstar ${h.integrationType} sandbox` : `Adobe sandbox "${h.sandbox}"`
}

export async function post(deps: StepDeps): Promise<void> {
  const secrets = new Secrets(deps.mask)
  const log = deps.logger(secrets)
  const handoff = loadHandoff(deps.state)
  if (!handoff) {
    log.info('Post step: nothing to clean up')
    return
  }
  let summaryOn = true
  let outcome: CleanupOutcome
  let ctx: StepContext | undefined
  try {
    const inputs = readInputs(deps.input, deps.env, secrets)
    summaryOn = inputs.summary
    const stepCtx = createContext(deps, inputs, secrets, log, 'post')
    ctx = stepCtx
    outcome = await inGroup(log, `Cleanup: ${handoff.action} the ${describeTarget(handoff)}`, () => providerOf(inputs).cleanup(stepCtx, handoff))
    log.info(outcome.text)
  } catch (err) {
    outcome = { kind: 'failed', text: `Cleanup failed: could not ${handoff.action} the ${describeTarget(handoff)}: ${errorMessage(err)}. Check it and ${handoff.action} it by hand` }
    log.warning(outcome.text + debugHint(err, deps.env))
  }
  // A cleanup that found nothing to undo says so in the log, not in the job summary.
  if (summaryOn && outcome.kind !== 'nothing') {
    await deps.summary.write(renderSummary('Sandbox cleanup (post step)', [['Post step', outcome.text]], secrets)).catch(() => undefined)
  }
  if (ctx) await commentAfterCleanup(ctx, deps.state, handoff, outcome)
}
