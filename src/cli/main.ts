// The command line: the same operations, inputs, handoff and cleanup as the action
// (src/core/steps.ts), with a state file instead of the runner's step state, outputs on stdout
// (secrets as ***) and in an optional 0600 file, and `exec`, which wraps a command between
// the operation and its cleanup. Exit status: 0 done, 1 failed, 2 bad input before any
// request, 130 interrupted.
import { appendFileSync } from 'node:fs'
import { CancelledError, InputError, errorMessage } from '../core/errors'
import type { InputSource, Inputs } from '../core/inputs'
import { readInputs } from '../providers/inputs'
import { INPUTS, inputSpec } from '../core/input-table'
import { Secrets } from '../core/secrets'
import { safeLines } from '../core/log'
import { systemClock } from '../core/deadline'
import type { StepDeps } from '../core/steps'
import type { Handoff } from '../core/handoff'
import { inapplicable, parseCommandLine, UsageError, type Parsed } from './args'
import { mainHelp, operationHelp } from './help'
import { FileState } from './state'
import { shownOutputs, writeOutputsFile } from './outputs'
import { cliLogger, cliMessage, stderrWrite, type Write } from './log'
import { cliRunInfo } from './run-info'
import { runChild } from './exec'
import { Signals } from './signals'

// The steps, the providers and the GitHub client are loaded when a command needs them, so
// that --help and a bad flag answer without loading them.
const loadSteps = () => import(/* webpackMode: "eager" */ '../core/steps')
const loadProviders = async () => ({ readInputs, of: (await import(/* webpackMode: "eager" */ '../providers/index')).providerOf })
const loadGithubHooks = () => import(/* webpackMode: "eager" */ '../github/hooks')

function describeTarget(h: Handoff): string {
  return h.provider === 'trackstar' ? `Trackstar ${h.integrationType} sandbox` : `Adobe sandbox "${h.sandbox}"`
}

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

export interface CliIO {
  env: NodeJS.ProcessEnv
  stdout: Write
  stderr: Write
}

const defaultIO = (): CliIO => ({ env: process.env, stdout: t => void process.stdout.write(t), stderr: stderrWrite })

/** Runs one command line; resolves to the exit status. Never rejects. */
export async function run(argv: string[], given: CliIO = defaultIO()): Promise<number> {
  // Whatever reaches stderr (a usage message quoting an argument, too) is redacted first.
  const known = secretsOf(argv, given.env)
  const io: CliIO = { ...given, stderr: text => given.stderr(safeLines(known.redact(text))) }
  const say = (line: string): void => io.stderr(`${line}\n`)
  let parsed: Parsed
  try {
    parsed = parseCommandLine(argv)
  } catch (err) {
    say(`ephemeral-sandbox: ${errorMessage(err)}`)
    return EXIT.usage
  }
  if (parsed.help || parsed.command === undefined) {
    io.stdout(parsed.command === undefined ? mainHelp() : operationHelp(parsed.command))
    return parsed.help || argv.length === 0 ? EXIT.ok : EXIT.usage
  }
  const signals = new Signals().install()
  try {
    return parsed.command === 'cleanup' ? await cleanup(parsed, io, signals) : await operation(parsed, io, signals)
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError) {
      say(`ephemeral-sandbox: ${cliMessage(errorMessage(err))}`)
      return EXIT.usage
    }
    say(`ephemeral-sandbox: ${errorMessage(err)}`)
    return signals.first ? EXIT.interrupted : EXIT.failed
  } finally {
    signals.uninstall()
  }
}

/** The secrets known before any input is read: the secret flags' values, and their environment variables. */
export function secretsOf(argv: string[], env: NodeJS.ProcessEnv): Secrets {
  const secrets = new Secrets(() => undefined)
  const names = new Set(INPUTS.filter(s => s.secret).map(s => s.name))
  for (const spec of INPUTS.filter(s => s.secret)) {
    for (const v of [spec.env, spec.cliEnv]) if (v) secrets.add(env[v])
  }
  argv.forEach((arg, i) => {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg)
    if (!m || !names.has(m[1])) return
    secrets.add(m[2] ?? argv[i + 1])
  })
  return secrets
}

/** The inputs as the core reads them: the flags, then (cleanup) what the state file kept, then the table's defaults. */
export function inputSource(flags: Record<string, string>, env: NodeJS.ProcessEnv, saved: Record<string, string> = {}): InputSource {
  return name => {
    const spec = inputSpec(name)
    const given = flags[name] ?? saved[name]
    if (given !== undefined && given !== '') return given
    if (spec?.cliEnv && (env[spec.cliEnv] ?? '').trim() !== '') return (env[spec.cliEnv] ?? '').trim()
    return spec ? (spec.cliDefault ?? spec.default) : ''
  }
}

interface Collected {
  outputs: Record<string, string>
  env: Record<string, string>
  failed?: string
}

function stepDeps(io: CliIO, input: InputSource, state: FileState, signal: AbortSignal, collected: Collected, run: ReturnType<typeof cliRunInfo>): StepDeps {
  return {
    input,
    env: io.env,
    state,
    outputs: {
      setOutput: (name, value) => void (collected.outputs[name] = value),
      exportVariable: (name, value) => void (collected.env[name] = value)
    },
    summary: {
      // Inside a GitHub job the summary goes where the runner shows it; elsewhere there is none.
      async write(markdown) {
        if (io.env.GITHUB_STEP_SUMMARY) appendFileSync(io.env.GITHUB_STEP_SUMMARY, markdown)
      }
    },
    mask: () => undefined,
    logger: secrets => cliLogger(secrets, io.env, io.stderr),
    fail: message => {
      collected.failed = message
      io.stderr(`error: ${cliMessage(message)}\n`)
    },
    clock: systemClock,
    signal,
    run: () => run.info
  }
}

/** Checks the command line against the inputs before anything is written or requested. */
function validate(parsed: Parsed, io: CliIO, input: InputSource): Inputs {
  for (const spec of INPUTS.filter(s => s.githubOnly)) {
    if (!/^(true|True|TRUE)$/.test(input(spec.name))) continue
    const missing = [input('github-token') === '' ? '--github-token (or GITHUB_TOKEN)' : '', io.env.GITHUB_REPOSITORY ? '' : 'GITHUB_REPOSITORY=owner/name'].filter(Boolean)
    if (missing.length) {
      throw new UsageError(`--${spec.name} works with GitHub only: it needs ${missing.join(' and ')}. Outside GitHub, leave --${spec.name} out`)
    }
  }
  const inputs = readInputs(input, io.env, new Secrets(() => undefined))
  const wrong = inapplicable(parsed.inputs, inputs.provider, inputs.operation)
  if (wrong.length) throw new UsageError(wrong.join('; '))
  return inputs
}

function refuseLiveState(state: FileState): void {
  const live = state.handoff()
  if (!live) return
  throw new UsageError(
    `the state file ${state.path} already records the ${describeTarget(live)} to ${live.action}. ` +
      `Clean it up first (ephemeral-sandbox cleanup --state-file ${state.path}), or give this sandbox its own state file: two sandboxes need two state files (--state-file)`
  )
}

async function operation(parsed: Parsed, io: CliIO, signals: Signals): Promise<number> {
  const say = (line: string): void => io.stderr(`${line}\n`)
  const input = inputSource(parsed.inputs, io.env)
  const inputs = validate(parsed, io, input)
  const state = FileState.open(parsed.stateFile)
  refuseLiveState(state)
  const runCtx = cliRunInfo(io.env)
  if (inputs.provider === 'adobe' && ['create', 'lease'].includes(inputs.operation)) say(`Run context: ${runCtx.source}`)
  // Written before the provider is asked anything, as the action's state is.
  state.start({ ...parsed.inputs, provider: inputs.provider, operation: inputs.operation })
  const collected: Collected = { outputs: {}, env: {} }
  const isExec = parsed.command === 'exec'
  const cleanupHint = `run ephemeral-sandbox cleanup --state-file ${parsed.stateFile}`
  const [{ mainStep }, providers, { githubMainHooks }] = await Promise.all([loadSteps(), loadProviders(), loadGithubHooks()])
  const cancel = signals.cancelling(signal => say(`Received ${signal}: stopping`))
  let outcome
  try {
    outcome = await mainStep(stepDeps(io, input, state, cancel.signal, collected, runCtx), providers, {
      ...githubMainHooks,
      cancelNote: isExec ? '. Cleaning up what was started' : `. What was started is recorded in ${parsed.stateFile}: ${cleanupHint}`
    })
  } finally {
    cancel.done()
  }
  const interrupted = signals.first !== undefined || outcome.error instanceof CancelledError
  const all = { ...collected.outputs, ...collected.env }
  if (outcome.result) {
    if (parsed.outputsFile) writeOutputsFile(parsed.outputsFile, all)
    const shown = shownOutputs(all, outcome.secrets)
    // exec's stdout belongs to the command: the outputs go to the log.
    if (isExec) io.stderr(shown)
    else io.stdout(shown)
  }
  if (!isExec) {
    if (outcome.error === undefined && outcome.result && !collected.failed) {
      if (state.handoff()) say(`When done: ${cleanupHint}`)
      else state.remove()
      return EXIT.ok
    }
    if (!interrupted && state.handoff()) say(`To undo what was started: ${cleanupHint}`)
    if (!state.handoff()) state.remove()
    return interrupted ? EXIT.interrupted : outcome.stage === 'inputs' ? EXIT.usage : EXIT.failed
  }

  // exec: the command, then always the cleanup.
  let status: number = EXIT.failed
  let wasInterrupted = interrupted
  if (outcome.error === undefined && outcome.result && !collected.failed && !signals.first) {
    say(`Running ${parsed.child.join(' ')}`)
    const end = await runChild(parsed.child, { ...io.env, ...outcome.result.env }, signals, line => say(outcome.secrets.redact(line)))
    status = end.status
    say(`The command exited with status ${end.status}`)
  }
  wasInterrupted ||= signals.first !== undefined
  const cleaned = await cleanupNow(io, input, state, signals)
  if (wasInterrupted) {
    say(`Interrupted: ${cleaned ? 'cleanup done' : `cleanup did not finish: ${cleanupHint}`}`)
    return EXIT.interrupted
  }
  if (!cleaned && status === EXIT.ok) return EXIT.failed
  return status
}

/** exec's cleanup, in this process: signals now only say that it is under way. */
async function cleanupNow(io: CliIO, input: InputSource, state: FileState, signals: Signals): Promise<boolean> {
  const say = (line: string): void => io.stderr(`${line}\n`)
  let count = 0
  const controller = new AbortController()
  const unroute = signals.route(signal => {
    count++
    if (count >= 3) {
      say(`Received ${signal} a third time: stopping the cleanup`)
      controller.abort()
    } else say(`Received ${signal}: cleaning up first (bounded by --cleanup-timeout); a third signal stops it`)
  })
  const [{ cleanupStep }, providers, { githubAfterCleanup }] = await Promise.all([loadSteps(), loadProviders(), loadGithubHooks()])
  try {
    const end = await cleanupStep(stepDeps(io, input, state, controller.signal, { outputs: {}, env: {} }, cliRunInfo(io.env)), providers, {
      afterCleanup: githubAfterCleanup,
      summaryTitle: 'Sandbox cleanup'
    })
    if (!end.failed) state.remove()
    return !end.failed
  } finally {
    unroute()
  }
}

async function cleanup(parsed: Parsed, io: CliIO, signals: Signals): Promise<number> {
  const say = (line: string): void => io.stderr(`${line}\n`)
  const state = FileState.open(parsed.stateFile)
  if (!state.exists() || !state.handoff()) {
    say(`Nothing to clean up: ${state.exists() ? `${parsed.stateFile} records no sandbox` : `there is no state file ${parsed.stateFile}`}`)
    if (state.exists()) state.remove()
    return EXIT.ok
  }
  const input = inputSource(parsed.inputs, io.env, state.inputs)
  // Checked before any request: a missing credential is bad input, and the state stays.
  readInputs(input, io.env, new Secrets(() => undefined))
  const [{ cleanupStep }, providers, { githubAfterCleanup }] = await Promise.all([loadSteps(), loadProviders(), loadGithubHooks()])
  const cancel = signals.cancelling(signal => say(`Received ${signal}: stopping the cleanup`))
  try {
    const end = await cleanupStep(stepDeps(io, input, state, cancel.signal, { outputs: {}, env: {} }, cliRunInfo(io.env)), providers, {
      afterCleanup: githubAfterCleanup,
      summaryTitle: 'Sandbox cleanup'
    })
    if (!end.failed) {
      state.remove()
      return EXIT.ok
    }
    if (signals.first || end.error instanceof CancelledError) return EXIT.interrupted
    say(`The state file ${parsed.stateFile} is kept: run cleanup again once the cause is fixed`)
    return EXIT.failed
  } finally {
    cancel.done()
  }
}
