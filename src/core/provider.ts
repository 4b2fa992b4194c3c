// The small face every provider shows to the action's main and post steps.
import type { Deadline } from './deadline'
import type { Http, HttpOptions } from './http'
import type { Inputs } from './inputs'
import type { Logger } from './log'
import type { Secrets } from './secrets'
import type { Handoff } from './handoff'
import type { RunInfo } from './run-info'

export interface StepContext<I extends Inputs = Inputs> {
  inputs: I
  deadline: Deadline
  log: Logger
  secrets: Secrets
  run: RunInfo
  /** an HTTP client for one provider, sharing the step's deadline and log */
  /** a client for one provider's API; `budget` replaces the step's deadline for its requests */
  http(provider: string, hint?: HttpOptions['hint'], budget?: Deadline): Http
  /** saves what the post step must undo, at once; undefined: nothing to undo */
  record(handoff: Handoff | undefined): void
  /** post step: how long to look for a sandbox whose create had an unknown outcome */
  createGraceMs: number
}

/** One line of the job summary table. */
export type SummaryRow = [label: string, value: string]

export interface StepResult {
  /** output name → value; secrets among them are registered already */
  outputs: Record<string, string>
  /** what `export-env: true` exports */
  env: Record<string, string>
  /** rows for the job summary (never a secret) */
  summary: SummaryRow[]
  /** a list under the table, e.g. the sandboxes prune deleted */
  summaryList?: { heading: string; items: string[] }
  /** set when the operation finished but some of it failed: outputs are still published */
  failure?: string
}

/** What a cleanup did, for the log, the job summary and the PR comment. */
export interface CleanupOutcome {
  /** changed: it deleted, reset, released or revoked something; nothing: there was nothing to undo; failed: the post step's, when the cleanup threw */
  kind: 'changed' | 'nothing' | 'failed'
  /** one sentence for people */
  text: string
}

export const changed = (text: string): CleanupOutcome => ({ kind: 'changed', text })
export const nothingToDo = (text: string): CleanupOutcome => ({ kind: 'nothing', text })

export interface Provider<I extends Inputs = Inputs> {
  /** the main step: the operation the inputs ask for */
  run(ctx: StepContext<I>): Promise<StepResult>
  /** the post step: undo what the handoff says; returns what it did */
  cleanup(ctx: StepContext<I>, handoff: Handoff): Promise<CleanupOutcome>
}
