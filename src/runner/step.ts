// What the main and post steps take from the runner, behind small interfaces, so that tests
// can drive the steps without a runner.
import * as core from '@actions/core'
import type { ContextDeps } from '../core/context'
import { systemClock } from '../core/deadline'
import type { InputSource } from '../core/inputs'
import type { Logger } from '../core/log'
import type { Secrets, MaskFn } from '../core/secrets'
import type { SummaryWriter } from '../core/summary'
import { runInfoFromContext } from '../core/run-info'
import { runnerInputSource } from './input-source'
import { runnerLogger } from './log'
import { runnerOutputs, type OutputSink } from './outputs'
import { runnerState } from './state'
import { runnerSummary } from './summary'

export interface StepDeps extends ContextDeps {
  input: InputSource
  outputs: OutputSink
  summary: SummaryWriter
  mask: MaskFn
  logger(secrets: Secrets): Logger
  /** fails the step with an error annotation; `title` names the action and what failed */
  fail(message: string, title?: string): void
}

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
