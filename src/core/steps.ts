// The two steps every front end runs, in one place: the main step (read the inputs, let the
// chosen provider do the operation, hand the results on) and the cleanup (undo what the main
// step recorded). The action's main and post steps and the command line call these, so both
// give the same operations, the same handoff and the same cleanup. What only one front end
// does (the runner's fork check, the pull request comment) comes in as hooks.
import { CancelledError, errorMessage } from './errors'
import { debugHint, failureTitle } from './failure'
import type { InputSource, Inputs } from './inputs'
import { inGroup, type Logger } from './log'
import { Secrets, type MaskFn } from './secrets'
import { loadHandoff, markMainStarted, type Handoff, type StateStore } from './handoff'
import { createContext, type ContextDeps } from './context'
import type { CleanupOutcome, Provider, StepContext, StepResult, SummaryRow } from './provider'
import { formatDuration, renderSummary, type SummaryWriter } from './summary'

/** Where the results go: outputs, and with `export-env` environment variables. */
export interface OutputSink {
  setOutput(name: string, value: string): void
  exportVariable(name: string, value: string): void
}

export function publish(sink: OutputSink, outputs: Record<string, string>, env: Record<string, string>, exportEnv: boolean): void {
  for (const [name, value] of Object.entries(outputs)) sink.setOutput(name, value)
  if (!exportEnv) return
  for (const [name, value] of Object.entries(env)) sink.exportVariable(name, value)
}

/**
 * The providers, as a front end hands them in (src/providers/, which src/core/ does not
 * import): how to read every input, and the provider the inputs chose.
 */
export interface Providers {
  readInputs(get: InputSource, env: NodeJS.ProcessEnv, secrets: Secrets): Inputs
  of(inputs: Inputs): Provider<Inputs>
}

/** What a front end supplies to run a step. */
export interface StepDeps extends ContextDeps {
  input: InputSource
  outputs: OutputSink
  summary: SummaryWriter
  mask: MaskFn
  logger(secrets: Secrets): Logger
  /** fails the step with an error message; `title` names the action and what failed */
  fail(message: string, title?: string): void
}

export const PROVIDER_TITLE = { trackstar: 'Trackstar', adobe: 'Adobe Experience Platform' } as const

export interface MainHooks {
  /** before the inputs are read; may throw (the runner's check for withheld secrets) */
  beforeInputs?(): void
  /**
   * after the inputs are read, before the provider acts (the GitHub deployment); what it
   * returns is published as outputs at once. It never throws: its failures are warnings.
   */
  beforeRun?(ctx: StepContext<Inputs>, state: StateStore): Promise<Record<string, string>>
  /** after the results are published (the pull request comment, the deployment's status) */
  afterRun?(ctx: StepContext<Inputs>, state: StateStore, result: StepResult): Promise<void>
  /** after the operation threw (the deployment's failure status); it never throws */
  afterFailure?(ctx: StepContext<Inputs>, state: StateStore, error: unknown): Promise<void>
  /** what a cancel message adds: who cleans up what was started */
  cancelNote?: string
}

/** How the main step ended. */
export interface MainOutcome {
  secrets: Secrets
  inputs?: Inputs
  result?: StepResult
  /** what stopped it; `stage` says whether any request could have been made */
  error?: unknown
  stage?: 'inputs' | 'run'
}

export async function mainStep(deps: StepDeps, providers: Providers, hooks: MainHooks = {}): Promise<MainOutcome> {
  const secrets = new Secrets(deps.mask)
  const log = deps.logger(secrets)
  const startedAt = deps.clock.now()
  // From here on the runner's next invocation of this bundle is the post step.
  markMainStarted(deps.state)
  let inputs: Inputs | undefined
  let stage: 'inputs' | 'run' = 'inputs'
  let runCtx: StepContext<Inputs> | undefined
  try {
    hooks.beforeInputs?.()
    inputs = providers.readInputs(deps.input, deps.env, secrets)
    stage = 'run'
    const ctx = createContext(deps, inputs, secrets, log)
    runCtx = ctx
    const early = (await hooks.beforeRun?.(ctx, deps.state)) ?? {}
    for (const [name, value] of Object.entries(early)) deps.outputs.setOutput(name, value)
    const chosen = inputs
    const result = await inGroup(log, `${PROVIDER_TITLE[inputs.provider]}: ${inputs.operation}`, () => providers.of(chosen).run(ctx))
    publish(deps.outputs, result.outputs, result.env, inputs.exportEnv)
    await hooks.afterRun?.(ctx, deps.state, result)
    if (inputs.summary) {
      const rows = summaryRows(inputs, result.summary, deps.clock.now() - startedAt)
      await deps.summary.write(renderSummary(`Sandbox: ${inputs.provider} ${inputs.operation}`, rows, secrets, result.summaryList))
    }
    if (result.failure) deps.fail(secrets.redact(result.failure), failureTitle(`${inputs.provider} ${inputs.operation}`))
    return { secrets, inputs, result }
  } catch (err) {
    if (runCtx) await hooks.afterFailure?.(runCtx, deps.state, err).catch(() => undefined)
    let message = errorMessage(err)
    if (err instanceof CancelledError) message += hooks.cancelNote ?? '. Anything already created is cleaned up by the post step'
    deps.fail(secrets.redact(message + debugHint(err, deps.env)), failureTitle(inputs && `${inputs.provider} ${inputs.operation}`))
    if (inputs?.summary) {
      const rows = summaryRows(inputs, [['Result', `failed: ${message}`]], deps.clock.now() - startedAt)
      await deps.summary.write(renderSummary(`Sandbox: ${inputs.provider} ${inputs.operation} failed`, rows, secrets)).catch(() => undefined)
    }
    return { secrets, inputs, error: err, stage }
  }
}

/** The job summary's rows: what ran, what it did, how long it took. */
function summaryRows(inputs: Inputs, middle: SummaryRow[], tookMs: number): SummaryRow[] {
  return [['Provider', PROVIDER_TITLE[inputs.provider]], ['Operation', inputs.operation], ...middle, ['Time taken', formatDuration(tookMs)]]
}

export function describeTarget(h: Handoff): string {
  return h.provider === 'trackstar' ? `Trackstar ${h.integrationType} sandbox` : `Adobe sandbox "${h.sandbox}"`
}

export interface CleanupHooks {
  /** after the cleanup (the pull request comment) */
  afterCleanup?(ctx: StepContext<Inputs>, state: StateStore, handoff: Handoff, outcome: CleanupOutcome): Promise<void>
  /** the heading of the summary */
  summaryTitle?: string
}

/** How the cleanup step ended: `handoff` undefined when there was nothing recorded. */
export interface CleanupStepResult {
  handoff?: Handoff
  /** what was done, in words */
  done?: string
  /** the cleanup failed: the sandbox may still be there */
  failed: boolean
  /** it found nothing to undo */
  idle: boolean
  error?: unknown
}

/** Undoes what the main step recorded, as `cleanup` decided. It never throws: a failure is a warning that names what was left behind. */
export async function cleanupStep(deps: StepDeps, providers: Providers, hooks: CleanupHooks = {}): Promise<CleanupStepResult> {
  const secrets = new Secrets(deps.mask)
  const log = deps.logger(secrets)
  const handoff = loadHandoff(deps.state)
  if (!handoff) {
    log.info('Post step: nothing to clean up')
    return { failed: false, idle: true }
  }
  let summaryOn = true
  let outcome: CleanupOutcome
  let error: unknown
  let ctx: StepContext | undefined
  try {
    const inputs = providers.readInputs(deps.input, deps.env, secrets)
    summaryOn = inputs.summary
    const stepCtx = createContext(deps, inputs, secrets, log, 'post')
    ctx = stepCtx
    outcome = await inGroup(log, `Cleanup: ${handoff.action} the ${describeTarget(handoff)}`, () => providers.of(inputs).cleanup(stepCtx, handoff))
    log.info(outcome.text)
  } catch (err) {
    error = err
    outcome = { kind: 'failed', text: `Cleanup failed: could not ${handoff.action} the ${describeTarget(handoff)}: ${errorMessage(err)}. Check it and ${handoff.action} it by hand` }
    log.warning(outcome.text + debugHint(err, deps.env))
  }
  // A cleanup that found nothing to undo says so in the log, not in the job summary.
  if (summaryOn && outcome.kind !== 'nothing') {
    await deps.summary.write(renderSummary(hooks.summaryTitle ?? 'Sandbox cleanup (post step)', [['Post step', outcome.text]], secrets)).catch(() => undefined)
  }
  if (ctx) await hooks.afterCleanup?.(ctx, deps.state, handoff, outcome)
  return { handoff, done: outcome.text, failed: outcome.kind === 'failed', idle: outcome.kind === 'nothing', error }
}
