// The main step: the shared sequencing of src/core/steps.ts (read the inputs, let the chosen
// provider do the operation, hand the results on), with what only the runner adds: the check
// for secrets GitHub withheld, the GitHub deployment and the pull request comment.
import * as core from '@actions/core'
import { errorMessage } from '../core/errors'
import { failureTitle } from '../core/failure'
import { assertSecretsNotWithheld } from './fork'
import { mainStep } from '../core/steps'
import { post } from './post'
import { isPost } from '../core/handoff'
import { runnerState } from './state'
import { providerOf } from '../providers/index'
import { readInputs } from '../providers/inputs'
import { runnerDeps, type StepDeps } from './step'
import { githubMainHooks } from '../github/hooks'

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
  await mainStep(deps, { readInputs, of: providerOf }, {
    beforeInputs: () => assertSecretsNotWithheld(deps.input, deps.env),
    ...githubMainHooks
  })
}
