// --help, generated from the table of inputs: the command's usage, and for each operation
// the flags that apply to it, with their defaults and environment fallbacks.
import { INPUTS, OPERATIONS, applies, type InputSpec, type ProviderName } from '../core/input-table'
import { CLI_FLAGS, OPERATION_NAMES } from './args'

const PROVIDERS = Object.keys(OPERATIONS) as ProviderName[]

/** What the operations do, in a line each. */
const OPERATION_TEXT: Record<string, string> = {
  generate: 'trackstar: generate (or reset) the organization\'s sandbox of an integration type',
  delete: 'trackstar: delete the sandbox connection; adobe: delete a sandbox',
  create: 'adobe: create a sandbox (a unique name by default) and wait until it is active',
  reset: 'adobe: reset a sandbox',
  prune: 'adobe: delete old sandboxes whose name starts with --prune-prefix',
  lease: 'adobe: lease a sandbox from a pool; cleanup releases it',
  get: 'adobe: read a sandbox and hand over a token for it'
}

function wrap(text: string, width: number, indent: string): string {
  const words = text.replace(/`/g, '').split(/\s+/)
  const lines: string[] = []
  let line = ''
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line)
      line = w
    } else line = line ? `${line} ${w}` : w
  }
  if (line) lines.push(line)
  return lines.map(l => indent + l).join('\n')
}

function flagLine(spec: InputSpec): string {
  const value = spec.boolean ? '[true|false]' : '<value>'
  const def = spec.cliDefault ?? spec.default
  const notes = [spec.required ? 'required' : def !== '' ? `default: ${def}` : '', spec.env ? `env: ${spec.env}` : '', spec.cliEnv ? `env: ${spec.cliEnv}` : '', spec.secret ? 'secret: prefer the environment variable' : '', spec.githubOnly ? 'GitHub only: needs --github-token and GITHUB_REPOSITORY' : '']
    .filter(Boolean)
    .join('; ')
  return `  --${spec.name} ${value}${notes ? `  (${notes})` : ''}\n${wrap(spec.description, 76, '      ')}`
}

function cliFlags(): string {
  return CLI_FLAGS.map(f => `  --${f.name}${f.value ? ` ${f.value}` : ''}\n${wrap(f.description, 76, '      ')}`).join('\n')
}

export function mainHelp(): string {
  return [
    'ephemeral-sandbox: a Trackstar or Adobe Experience Platform sandbox for a CI job or a laptop, cleaned up afterwards.',
    '',
    'Usage:',
    '  ephemeral-sandbox <operation> --provider <trackstar|adobe> [--<input> <value>]...',
    '  ephemeral-sandbox cleanup [--state-file <path>]',
    '  ephemeral-sandbox exec --provider <p> [--operation <op>] [--<input> <value>]... -- <command> [args...]',
    '',
    'Operations:',
    ...OPERATION_NAMES.map(op => `  ${op.padEnd(10)}${OPERATION_TEXT[op] ?? ''}`),
    `  ${'cleanup'.padEnd(10)}undo what the last operation recorded in the state file (what the action's post step does)`,
    `  ${'exec'.padEnd(10)}do the operation, run the command with the results in its environment, then always clean up`,
    '',
    'Flags are the action\'s inputs by the same names. `ephemeral-sandbox <operation> --help` lists the ones that apply.',
    '',
    'Own flags:',
    cliFlags(),
    '',
    'Exit status: 0 done; 1 the operation failed; 2 bad input (nothing was requested); 130 interrupted. exec: the command\'s status.',
    ''
  ].join('\n')
}

/** The flags of one operation, per provider it belongs to. */
export function operationHelp(op: string): string {
  const usage = op === 'cleanup' ? 'ephemeral-sandbox cleanup [--state-file <path>] [--<input> <value>]...' : op === 'exec' ? 'ephemeral-sandbox exec --provider <p> [--operation <op>] [--<input> <value>]... -- <command> [args...]' : `ephemeral-sandbox ${op} --provider <${PROVIDERS.filter(p => (OPERATIONS[p] as readonly string[]).includes(op)).join('|')}> [--<input> <value>]...`
  const out = [`Usage: ${usage}`, '']
  if (op === 'cleanup') {
    out.push(
      'Undoes what the state file records: deletes the sandbox this run created, resets it, or releases a lease, as --cleanup decided. ' +
        'The inputs of the operation are read back from the state file (it holds no secret): give the credentials again, best through their environment variables. A second cleanup finds nothing to do.',
      ''
    )
  } else if (op === 'exec') {
    out.push(
      'Does the operation (default: generate for trackstar, create for adobe), runs the command with the results in its environment (TRACKSTAR_ACCESS_TOKEN, TRACKSTAR_CONNECTION_ID, AEP_ACCESS_TOKEN, AEP_SANDBOX_NAME), ' +
        'then always cleans up: when the command succeeds, fails, or is interrupted (SIGINT and SIGTERM are passed to it and waited for). Exits with the command\'s status, 130 when interrupted.',
      ''
    )
  } else out.push(OPERATION_TEXT[op] ?? '', '')
  for (const provider of PROVIDERS) {
    const ops: readonly string[] = op === 'cleanup' || op === 'exec' ? OPERATIONS[provider] : (OPERATIONS[provider] as readonly string[]).includes(op) ? [op] : []
    if (ops.length === 0) continue
    const specs = INPUTS.filter(s => s.name !== 'operation' || op === 'exec').filter(s => ops.some(o => applies(s, provider, o)))
    out.push(`Flags for ${provider}${op === 'cleanup' || op === 'exec' ? '' : ` ${op}`}:`, ...specs.map(flagLine), '')
  }
  out.push('Own flags:', cliFlags(), '')
  return out.join('\n')
}
