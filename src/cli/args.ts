// The command line's words: the command (an operation, `cleanup` or `exec`), one flag per
// input of the action (src/core/input-table.ts, the table action.yml is checked against), and
// the command line's own flags. Parsed with util.parseArgs; any mistake is a UsageError, which
// exits 2 before any request.
import { parseArgs } from 'node:util'
import { INPUTS, OPERATIONS, inputSpec, type ProviderName } from '../core/input-table'

export const DEFAULT_STATE_FILE = '.ephemeral-sandbox/state.json'

/** The command line's own flags, beside the inputs. */
export const CLI_FLAGS = [
  { name: 'state-file', value: '<path>', description: `Where the state is kept for \`cleanup\` (no secret in it). Default ${DEFAULT_STATE_FILE}. Two sandboxes at once need two state files.` },
  { name: 'outputs-file', value: '<path>', description: 'Also write every output, secrets included, to this file (mode 0600): dotenv (KEY=value), or JSON when the path ends in .json.' },
  { name: 'help', value: '', description: 'Show the flags of the command.' }
] as const

export const OPERATION_NAMES = [...new Set<string>([...OPERATIONS.trackstar, ...OPERATIONS.adobe])]
export const COMMANDS = [...OPERATION_NAMES, 'exec', 'cleanup', 'help'] as const

/** A mistake in the command line: exit 2, before any request. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export interface Parsed {
  /** an operation, `exec`, `cleanup`, or undefined (no command: help) */
  command?: string
  /** input name → value, as given */
  inputs: Record<string, string>
  stateFile: string
  outputsFile?: string
  help: boolean
  /** exec: the command after `--` */
  child: string[]
}

const BOOLEAN_WORDS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'])

/**
 * A `true`/`false` input may be given as `--dry-run` alone, `--no-dry-run`, `--dry-run false`
 * or `--dry-run=false`: written here as `--name=value` before parseArgs reads them.
 */
export function normalizeBooleans(args: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const m = /^--(no-)?([a-z][a-z-]*)$/.exec(a)
    const spec = m ? inputSpec(m[2]) : undefined
    if (!m || !spec?.boolean) {
      out.push(a)
      continue
    }
    if (m[1]) out.push(`--${m[2]}=false`)
    else if (i + 1 < args.length && BOOLEAN_WORDS.has(args[i + 1])) out.push(`--${m[2]}=${args[++i]}`)
    else out.push(`--${m[2]}=true`)
  }
  return out
}

export function parseCommandLine(argv: string[]): Parsed {
  const dash = argv.indexOf('--')
  const mine = dash < 0 ? argv : argv.slice(0, dash)
  const child = dash < 0 ? [] : argv.slice(dash + 1)
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {}
  for (const spec of INPUTS) options[spec.name] = { type: 'string' }
  options['state-file'] = { type: 'string' }
  options['outputs-file'] = { type: 'string' }
  options.help = { type: 'boolean', short: 'h' }
  let values: Record<string, string | boolean | undefined>
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({ args: normalizeBooleans(mine), options, strict: true, allowPositionals: true }) as {
      values: Record<string, string | boolean | undefined>
      positionals: string[]
    })
  } catch (err) {
    throw new UsageError(`${(err as Error).message.replace(/\. To specify a positional argument.*$/s, '')}. See ephemeral-sandbox --help`)
  }
  const [command, ...extra] = positionals
  const help = values.help === true || command === 'help'
  if (command !== undefined && !(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}": expected one of ${COMMANDS.join(', ')}. See ephemeral-sandbox --help`)
  }
  if (command === 'help' && extra.length === 1 && !(COMMANDS as readonly string[]).includes(extra[0])) {
    throw new UsageError(`unknown command "${extra[0]}": expected one of ${COMMANDS.join(', ')}`)
  }
  if (extra.length > 0 && !(command === 'help' && extra.length === 1)) {
    throw new UsageError(`unexpected argument "${extra[0]}"${command === 'exec' ? ': put the command to run after --' : ''}`)
  }
  if (command === 'exec' && child.length === 0 && !help) throw new UsageError('exec needs a command to run after --, for example: ephemeral-sandbox exec --provider adobe -- npm test')
  if (command !== 'exec' && dash >= 0) throw new UsageError(`only exec runs a command after --; "${command ?? ''}" does not`)
  const inputs: Record<string, string> = {}
  for (const spec of INPUTS) {
    const v = values[spec.name]
    if (typeof v === 'string') inputs[spec.name] = v.trim()
  }
  if (command && OPERATION_NAMES.includes(command)) {
    if (inputs.operation !== undefined && inputs.operation !== command) {
      throw new UsageError(`--operation ${inputs.operation} contradicts the command "${command}": give one of them`)
    }
    inputs.operation = command
  }
  const stateFile = typeof values['state-file'] === 'string' ? values['state-file'] : DEFAULT_STATE_FILE
  if (stateFile.trim() === '') throw new UsageError('--state-file: is empty; give a path')
  const outputsFile = typeof values['outputs-file'] === 'string' ? values['outputs-file'] : undefined
  if (outputsFile !== undefined && outputsFile.trim() === '') throw new UsageError('--outputs-file: is empty; give a path')
  return { command: command === 'help' ? extra[0] : command, inputs, stateFile, outputsFile, help, child }
}

/** The given flags that do not apply to the provider and operation: each a UsageError message. */
export function inapplicable(inputs: Record<string, string>, provider: ProviderName, operation: string): string[] {
  return Object.keys(inputs)
    .map(name => inputSpec(name))
    .filter(spec => spec !== undefined && !isFor(spec.scope[provider], operation))
    .map(spec => {
      const where = Object.entries(spec!.scope)
        .map(([p, ops]) => (ops === true ? p : `${p} ${(ops as string[]).join(', ')}`))
        .join('; ')
      return `--${spec!.name} does not apply to ${provider} ${operation} (it applies to ${where})`
    })
}

function isFor(scope: true | readonly string[] | undefined, operation: string): boolean {
  return scope === true || (scope !== undefined && scope.includes(operation))
}
