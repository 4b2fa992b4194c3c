// The post step: undo what the main step recorded, as `cleanup` decided. It never fails the
// job: a cleanup that fails is a warning annotation that names what was left behind.
import { errorMessage } from './errors'
import { readInputs } from './inputs'
import { Secrets } from './secrets'
import { loadHandoff, type Handoff } from './state'
import { createContext, providerOf, type StepDeps } from './step'
import { renderSummary } from './summary'

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
  let done: string
  try {
    const inputs = readInputs(deps.input, deps.env, secrets)
    summaryOn = inputs.summary
    const ctx = createContext(deps, inputs, secrets, log, 'post')
    log.info(`Post step: ${handoff.action} the ${describeTarget(handoff)}`)
    done = await providerOf(inputs).cleanup(ctx, handoff)
    log.info(done)
  } catch (err) {
    done = `Cleanup failed: could not ${handoff.action} the ${describeTarget(handoff)}: ${errorMessage(err)}. Check it and ${handoff.action} it by hand`
    log.warning(done)
  }
  if (summaryOn) {
    await deps.summary.write(renderSummary('Sandbox cleanup (post step)', [['Post step', done]], secrets)).catch(() => undefined)
  }
}
