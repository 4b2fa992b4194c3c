// The main step: read the inputs, let the chosen provider do the operation, hand the results
// on. Provider-agnostic: everything provider-specific lives in src/providers/.
import * as core from '@actions/core'
import { CancelledError, errorMessage } from '../core/errors'
import { debugHint, failureTitle } from '../core/failure'
import { assertSecretsNotWithheld } from './fork'
import { type Inputs } from '../core/inputs'
import { readInputs } from '../providers/index'
import type { SummaryRow } from '../core/provider'
import { inGroup } from '../core/log'
import { publish } from './outputs'
import { post } from './post'
import { Secrets } from '../core/secrets'
import { isPost, markMainStarted } from '../core/handoff'
import { runnerState } from './state'
import { createContext } from '../core/context'
import { providerOf } from '../providers/index'
import { runnerDeps, type StepDeps } from './step'
import { commentAfterMain } from '../github/comment'
import { formatDuration, renderSummary } from '../core/summary'

const PROVIDER_TITLE = { trackstar: 'Trackstar', adobe: 'Adobe Experience Platform' } as const

/**
 * The entry point of the bundle and of @github/local-action: the main step, or the post step
 * once the main step's state says it ran. It never rejects; the runner's SIGINT/SIGTERM
 * (a cancelled job) stop it through the step's deadline.
 */
export async function run(): Promise<void> {
  const cancel = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!cancel.signal.aborted) core.info(`Received ${signal}: stopping`)
    cancel.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const deps = runnerDeps(cancel.signal)
    await (isPost(runnerState) ? post(deps) : runMain(deps))
  } catch (err) {
    core.error(errorMessage(err), { title: failureTitle() })
    process.exitCode = core.ExitCode.Failure
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** The main step with its runner parts injected (tests, the benchmark). */
export async function runMain(deps: StepDeps): Promise<void> {
  const secrets = new Secrets(deps.mask)
  const log = deps.logger(secrets)
  const startedAt = deps.clock.now()
  // From here on the runner's next invocation of this bundle is the post step.
  markMainStarted(deps.state)
  let inputs: Inputs | undefined
  try {
    assertSecretsNotWithheld(deps.input, deps.env)
    inputs = readInputs(deps.input, deps.env, secrets)
    const ctx = createContext(deps, inputs, secrets, log)
    const chosen = inputs
    const result = await inGroup(log, `${PROVIDER_TITLE[inputs.provider]}: ${inputs.operation}`, () => providerOf(chosen).run(ctx))
    publish(deps.outputs, result.outputs, result.env, inputs.exportEnv)
    await commentAfterMain(ctx, deps.state, result)
    if (inputs.summary) {
      const rows = summaryRows(inputs, result.summary, deps.clock.now() - startedAt)
      await deps.summary.write(renderSummary(`Sandbox: ${inputs.provider} ${inputs.operation}`, rows, secrets, result.summaryList))
    }
    if (result.failure) deps.fail(secrets.redact(result.failure), failureTitle(`${inputs.provider} ${inputs.operation}`))
  } catch (err) {
    let message = errorMessage(err)
    if (err instanceof CancelledError) message += '. Anything already created is cleaned up by the post step'
    deps.fail(secrets.redact(message + debugHint(err, deps.env)), failureTitle(inputs && `${inputs.provider} ${inputs.operation}`))
    if (inputs?.summary) {
      const rows = summaryRows(inputs, [['Result', `failed: ${message}`]], deps.clock.now() - startedAt)
      await deps.summary.write(renderSummary(`Sandbox: ${inputs.provider} ${inputs.operation} failed`, rows, secrets)).catch(() => undefined)
    }
  }
}

/** The job summary's rows: what ran, what it did, how long it took. */
function summaryRows(inputs: Inputs, middle: SummaryRow[], tookMs: number): SummaryRow[] {
  return [['Provider', PROVIDER_TITLE[inputs.provider]], ['Operation', inputs.operation], ...middle, ['Time taken', formatDuration(tookMs)]]
}
