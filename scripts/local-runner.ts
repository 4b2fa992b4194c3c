// Runs the bundled action (dist/index.js) the way the GitHub runner does: INPUT_* variables
// (every input with a default in action.yml is always set), real GITHUB_OUTPUT, GITHUB_STATE,
// GITHUB_ENV and GITHUB_STEP_SUMMARY files, an event payload at GITHUB_EVENT_PATH, and the
// main step's saved state fed to the post step as STATE_* variables.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'

export const ROOT = resolve(import.meta.dirname, '..')
export const BUNDLE = join(ROOT, 'dist/index.js')

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>
  outputs: Record<string, { description: string }>
}

export function actionYml(): ActionYml {
  return parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml
}

/** The node that runs the action: ACTION_NODE, else the one running this script. */
export const nodeBinary = (): string => process.env.ACTION_NODE || process.execPath

export interface StepOptions {
  /** the workflow's `with:` */
  inputs: Record<string, string>
  /** extra environment (the step's `env:`) */
  env?: Record<string, string>
  event?: { name: string; payload: Record<string, unknown> }
  /** STATE_* values, for the post step */
  state?: Record<string, string>
  /** send a signal once stdout contains this text */
  signalWhen?: { text: string; signal: NodeJS.Signals }
  timeoutMs?: number
  /** each line of stdout as it arrives (a local run streams the log) */
  onLine?: (line: string) => void
  /** cancels the step the way the runner does: SIGINT, then SIGTERM if it is still running */
  cancel?: AbortSignal
  /** the step in its own process group, so a terminal's Ctrl-C reaches only the caller */
  ownProcessGroup?: boolean
}

export interface StepRun {
  exitCode: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  state: Record<string, string>
  env: Record<string, string>
  summary: string
  /** the raw text of every file the step wrote, to search for secrets */
  files: { output: string; state: string; env: string; summary: string }
  masks: string[]
  /** ms from spawn to exit */
  wallMs: number
  /** clock times (Date.now) of the spawn and the exit: the emulator logs requests on the same clock */
  startedAt: number
  endedAt: number
  /** ms from spawn to the signal sent by `signalWhen`, if it was sent */
  signalledMs?: number
}

/** Workflow commands escape %, CR and LF in their data; the runner reads them back. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}
export function unescapeData(s: string): string {
  return s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')
}

/** Parses a GitHub file command file: `name=value` lines and `name<<DELIM` heredocs. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delim] = heredoc
      const body: string[] = []
      for (i++; i < lines.length && lines[i] !== delim; i++) body.push(lines[i])
      out[name] = body.join('\n')
    } else {
      const eq = line.indexOf('=')
      if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
    }
  }
  return out
}

function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, spec] of Object.entries(actionYml().inputs)) {
    // The runner evaluates `${{ github.token }}`; locally there is no token unless a test gives one.
    if (spec.default !== undefined) env[`INPUT_${name.toUpperCase()}`] = /^\$\{\{.*\}\}$/.test(String(spec.default)) ? '' : String(spec.default)
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  return env
}

export interface StepFiles {
  output: string
  state: string
  env: string
  summary: string
}

/**
 * The environment the runner gives a step in `dir`: the GitHub variables, empty file-command
 * files, the event payload, and the inputs. Returns the environment and the files' paths.
 */
export function runnerEnvironment(
  dir: string,
  inputs: Record<string, string>,
  event: { name: string; payload: Record<string, unknown> } = { name: 'push', payload: {} }
): { env: Record<string, string>; files: StepFiles } {
  const files: StepFiles = { output: join(dir, 'output'), state: join(dir, 'state'), env: join(dir, 'env'), summary: join(dir, 'summary') }
  for (const f of Object.values(files)) writeFileSync(f, '')
  writeFileSync(join(dir, 'event.json'), JSON.stringify(event.payload))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_REPOSITORY: 'acme/Shop_API',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_RUN_ID: '9876543210',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'test',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: join(dir, 'event.json'),
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_STEP_SUMMARY: files.summary,
    ...inputEnv(inputs)
  }
  return { env, files }
}

export async function runStep(opts: StepOptions): Promise<StepRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-step-'))
  const base = runnerEnvironment(dir, opts.inputs, opts.event)
  const files = base.files
  const state: Record<string, string> = {}
  for (const [k, v] of Object.entries(opts.state ?? {})) state[`STATE_${k}`] = v
  const env: Record<string, string> = { ...base.env, ...state, ...opts.env }
  // A cache of compiled code that Node 22+ keeps when asked to: the tests start the bundle
  // hundreds of times, and the runner's own start-up is not what they measure.
  if (process.env.NODE_COMPILE_CACHE) env.NODE_COMPILE_CACHE ??= process.env.NODE_COMPILE_CACHE
  const node = nodeBinary()
  const started = Date.now()
  const child = spawn(node, [BUNDLE], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownProcessGroup ?? false })
  let stdout = ''
  let stderr = ''
  let signalledMs: number | undefined
  let partial = ''
  const onCancel = (): void => {
    signalledMs ??= Date.now() - started
    child.kill('SIGINT')
    // The runner follows up with SIGTERM when a step ignores the SIGINT for 7.5 s.
    setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM'), 7500).unref()
  }
  if (opts.cancel?.aborted) onCancel()
  else opts.cancel?.addEventListener('abort', onCancel, { once: true })
  child.stdout.on('data', d => {
    stdout += String(d)
    if (opts.onLine) {
      const lines = (partial + String(d)).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) opts.onLine(line)
    }
    if (opts.signalWhen && signalledMs === undefined && stdout.includes(opts.signalWhen.text)) {
      signalledMs = Date.now() - started
      child.kill(opts.signalWhen.signal)
    }
  })
  child.stderr.on('data', d => (stderr += String(d)))
  const limit = opts.timeoutMs ?? 60_000
  const exitCode = await new Promise<number | null>((resolveExit, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`step did not finish within ${limit} ms\n${stdout}\n${stderr}`))
    }, limit)
    child.on('close', code => {
      clearTimeout(timer)
      opts.cancel?.removeEventListener('abort', onCancel)
      if (partial) opts.onLine?.(partial)
      resolveExit(code)
    })
  })
  const endedAt = Date.now()
  const wallMs = endedAt - started
  const raw = {
    output: readFileSync(files.output, 'utf8'),
    state: readFileSync(files.state, 'utf8'),
    env: readFileSync(files.env, 'utf8'),
    summary: readFileSync(files.summary, 'utf8')
  }
  rmSync(dir, { recursive: true, force: true })
  const masks = stdout
    .split('\n')
    .filter(l => l.startsWith('::add-mask::'))
    .map(l => unescapeData(l.slice('::add-mask::'.length)))
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseFileCommands(raw.output),
    state: parseFileCommands(raw.state),
    env: parseFileCommands(raw.env),
    summary: raw.summary,
    files: raw,
    masks,
    wallMs,
    startedAt: started,
    endedAt,
    signalledMs
  }
}

/** A job: the main step, then the post step with the main step's state, as the runner does. */
export async function runJob(opts: StepOptions & { postEnv?: Record<string, string> }): Promise<{ main: StepRun; post: StepRun }> {
  const main = await runStep(opts)
  // A cancel stops the main step only: the post step still runs, as on the runner.
  const post = await runStep({ ...opts, signalWhen: undefined, cancel: undefined, state: main.state, env: { ...opts.env, ...opts.postEnv } })
  return { main, post }
}

/** The error annotation lines (`::error::`) of a step. */
export function errors(run: StepRun): string[] {
  return run.stdout.split('\n').filter(l => l.startsWith('::error'))
}

/**
 * What a workflow log shows of a step: masked values as ***, `::add-mask::` and debug lines
 * hidden, annotations as the runner prints them.
 */
export function renderLog(run: StepRun, masks: string[] = run.masks): string[] {
  return run.stdout.split('\n').flatMap(line => renderLine(line, masks) ?? [])
}

/** One stdout line as the log shows it; undefined for lines the log hides. */
export function renderLine(line: string, masks: string[]): string | undefined {
  if (line === '' || line.startsWith('::add-mask::') || line.startsWith('::debug::') || line === '::endgroup::') return undefined
  // A section's title, as the runner shows a collapsed group.
  if (line.startsWith('::group::')) line = `▸ ${line.slice('::group::'.length)}`
  const hide = [...new Set(masks)].filter(m => m.length > 0).sort((a, b) => b.length - a.length)
  const mask = (text: string): string => hide.reduce((l, m) => l.split(m).join('***'), text)
  const annotation = /^::(error|warning|notice)[^:]*::(.*)$/.exec(line)
  if (annotation) {
    const kind = annotation[1][0].toUpperCase() + annotation[1].slice(1)
    return mask(`${kind}: ${annotation[2].replace(/%0A/g, '\n  ').replace(/%25/g, '%')}`)
  }
  return mask(line)
}

/** Outputs as a log would show them: secrets masked. */
export function maskedOutputs(run: StepRun): Record<string, string> {
  const hide = [...new Set(run.masks)].filter(m => m.length > 0).sort((a, b) => b.length - a.length)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(run.outputs)) out[k] = hide.reduce((s, m) => s.split(m).join('***'), v)
  return out
}
