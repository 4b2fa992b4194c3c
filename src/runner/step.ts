// What the main and post steps take from the runner, behind small interfaces, so that tests
// can drive the steps without a runner.
import * as core from '@actions/core'
import { systemClock } from '../core/deadline'
import type { StepDeps } from '../core/steps'
import { runInfoFromContext } from '../core/run-info'
import { runnerInputSource } from './input-source'
import { runnerLogger } from './log'
import { runnerOutputs } from './outputs'
import { runnerState } from './state'
import { runnerSummary } from './summary'

export type { StepDeps }

export function runnerDeps(signal: AbortSignal): StepDeps {
  return {
    input: runnerInputSource(),
    env: process.env,
    state: runnerState,
    outputs: runnerOutputs,
    summary: runnerSummary,
    mask: value => core.setSecret(value),
    logger: runnerLogger,
    fail: (message, title) => {
      core.error(message, { title })
      process.exitCode = core.ExitCode.Failure
    },
    clock: systemClock,
    signal,
    run: runInfoFromContext
  }
}
