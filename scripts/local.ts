// `npm run local [-- flags]`: runs the bundled action's main and post steps the way the
// runner does, with the inputs and credentials in .env (see .env.example), and streams the
// masked log as it happens. Ctrl-C cancels the main step as the runner cancels a job (SIGINT
// to the step), then the post step runs, so nothing is left behind.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { parseArgs, parseEnv } from 'node:util'
import { pathToFileURL } from 'node:url'
import { maskedOutputs, renderLine, ROOT, runStep, unescapeData, type StepRun } from './local-runner'

const USAGE = `usage: npm run local -- [flags]

  --env-file PATH    inputs (INPUT_<NAME>=) and credentials, read with node's parseEnv (default: .env)
  --repo OWNER/NAME  the repository the run is for (default: from git's origin remote, else local/<folder>)
  --pr N             run as a pull_request event for this pull request (default: a push to the current git branch)
  -h, --help         this text`

export interface LocalConfig {
  envFile: string
  repository: string
  pr?: number
}

/** owner/name from a GitHub remote URL (https or ssh); undefined for any other URL. */
export function repositoryFromRemote(url: string): string | undefined {
  const m = /^(?:https?:\/\/[^/]+\/|ssh:\/\/git@[^/]+\/|git@[^:]+:)([^/\s]+\/[^/\s]+?)(?:\.git)?\/?$/.exec(url.trim())
  return m?.[1]
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return ''
  }
}

export function readConfig(argv: string[], cwd = process.cwd()): LocalConfig | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { 'env-file': { type: 'string', default: '.env' }, repo: { type: 'string' }, pr: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
  })
  if (values.help) return undefined
  const repository = values.repo ?? repositoryFromRemote(git(['remote', 'get-url', 'origin'], cwd)) ?? `local/${basename(git(['rev-parse', '--show-toplevel'], cwd) || cwd)}`
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) throw new Error(`--repo: expected OWNER/NAME, got ${repository}`)
  if (values.pr !== undefined && !/^[1-9]\d*$/.test(values.pr)) throw new Error(`--pr: expected a pull request number, got ${values.pr}`)
  return { envFile: resolve(cwd, values['env-file']), repository, pr: values.pr === undefined ? undefined : Number(values.pr) }
}

/** The runner's view of the run: the repository, and a pull_request or push event. */
function githubEnv(config: LocalConfig): { env: Record<string, string>; event: { name: string; payload: Record<string, unknown> } } {
  const [owner] = config.repository.split('/')
  const branch = git(['rev-parse', '--abbrev-ref', 'HEAD'], ROOT) || 'main'
  const env: Record<string, string> = {
    GITHUB_REPOSITORY: config.repository,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_REF: config.pr ? `refs/pull/${config.pr}/merge` : `refs/heads/${branch}`,
    GITHUB_SHA: git(['rev-parse', 'HEAD'], ROOT) || '0'.repeat(40),
    GITHUB_ACTOR: process.env.USER || 'local'
  }
  const repo = { full_name: config.repository }
  const event = config.pr
    ? { name: 'pull_request', payload: { number: config.pr, pull_request: { number: config.pr, head: { ref: branch, repo }, base: { repo } } } }
    : { name: 'push', payload: { ref: env.GITHUB_REF } }
  return { env, event }
}

async function main(): Promise<number> {
  let config: LocalConfig | undefined
  try {
    config = readConfig(process.argv.slice(2))
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`)
    return 2
  }
  if (!config) {
    console.log(USAGE)
    return 0
  }
  if (!existsSync(config.envFile)) {
    console.error(`No ${config.envFile}: copy .env.example to .env and fill it in.`)
    return 1
  }
  const inputs: Record<string, string> = {}
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(parseEnv(readFileSync(config.envFile, 'utf8')))) {
    if (key.startsWith('INPUT_')) inputs[key.slice(6).toLowerCase()] = (value ?? '').trim()
    else env[key] = (value ?? '').trim()
  }
  const github = githubEnv(config)
  console.log(`Repository ${config.repository}, ${config.pr ? `pull request #${config.pr}` : `push to ${github.env.GITHUB_REF}`}`)

  const masks: string[] = []
  const stream = (line: string): void => {
    if (line.startsWith('::add-mask::')) masks.push(unescapeData(line.slice('::add-mask::'.length)))
    const shown = renderLine(line, masks)
    if (shown !== undefined) console.log(`  ${shown}`)
  }
  const cancel = new AbortController()
  let phase: 'main' | 'post' = 'main'
  process.on('SIGINT', () => {
    if (phase === 'post') return console.log('  (Ctrl-C: the post step is cleaning up; let it finish so nothing is left behind)')
    if (cancel.signal.aborted) return
    console.log('  (Ctrl-C: cancelling the main step as the runner does; the post step runs next)')
    cancel.abort()
  })
  // Own process groups: a terminal's Ctrl-C reaches this script only, which decides what the steps get.
  const step = { inputs, event: github.event, env: { ...github.env, ...env }, timeoutMs: 30 * 60_000, onLine: stream, ownProcessGroup: true }

  console.log('▶ Main step')
  const mainRun: StepRun = await runStep({ ...step, cancel: cancel.signal })
  console.log('Outputs:', maskedOutputs({ ...mainRun, masks }))
  phase = 'post'
  console.log('▶ Post step')
  const postRun = await runStep({ ...step, state: mainRun.state })
  if (cancel.signal.aborted) return 130
  return mainRun.exitCode || postRun.exitCode || 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main()
}
