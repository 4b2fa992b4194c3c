// Every input, parsed and validated into one typed object before any request is made.
// Each problem is one InputError that names the input and says what is accepted.
import { InputError } from './errors'
import { MAX_JOB_MS, MAX_SANDBOX_NAME } from './limits'
import { slug } from './naming'
import type { Secrets } from './secrets'

export type Cleanup = 'auto' | 'delete' | 'reset' | 'none'
export type IntegrationType = 'wms' | 'cart' | 'carrier'
export type IfExists = 'reuse' | 'reset' | 'fail'
export type IfFull = 'wait' | 'fail'

/** A lease pool: listed names, or every sandbox whose name starts with a prefix (`ci-pool-*`). */
export type Pool = { kind: 'names'; names: string[] } | { kind: 'prefix'; prefix: string }

interface CommonInputs {
  cleanup: Cleanup
  timeoutSeconds: number
  /** the post step's own budget */
  cleanupTimeoutSeconds: number
  wait: boolean
  summary: boolean
  exportEnv: boolean
  /** for prune-closed, pr-comment and deployment only; '' when none */
  githubToken: string
  /** a GitHub Deployment for the sandbox */
  deployment: boolean
  deploymentEnvironment: string
}

export interface TrackstarInputs extends CommonInputs {
  provider: 'trackstar'
  operation: 'generate' | 'delete'
  apiKey: string
  integrationType: IntegrationType
  accessToken?: string
  apiUrl: string
  verify: boolean
}

export type AdobeAuth =
  | { kind: 'token'; token: string }
  | { kind: 'client'; clientId: string; clientSecret: string; scopes: string[] }

export interface AdobeInputs extends CommonInputs {
  provider: 'adobe'
  operation: 'create' | 'reset' | 'delete' | 'prune' | 'lease' | 'get' | 'maintain'
  auth: AdobeAuth
  apiKey: string
  orgId: string
  imsUrl: string
  platformUrl: string
  /** empty for create means: derive one from the GitHub context */
  sandboxName?: string
  sandboxTitle?: string
  ifExists: IfExists
  ignoreWarnings: boolean
  allowProduction: boolean
  prunePrefix?: string
  pruneOlderThanSeconds: number
  dryRun: boolean
  /** lease and maintain */
  pool?: Pool
  /** maintain: how many members the pool should hold */
  poolSize?: number
  leaseTtlSeconds: number
  /** lease: renew the lease from a background process while the job runs */
  heartbeat: boolean
  /** lease with a package: the release imports it again after its reset */
  reseedOnRelease: boolean
  ifFull: IfFull
  /** access-control role ids to grant the sandbox to; empty: none */
  roleIds: string[]
  packageId?: string
  pruneClosed: boolean
  prComment: boolean
}

export type Inputs = TrackstarInputs | AdobeInputs

/** Reads one input as the runner passes it; '' when not set. */
export type InputSource = (name: string) => string

export const DEFAULT_SCOPES = 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext'
export const SANDBOX_NAME_PATTERN = /^[a-z][a-z0-9-]{0,255}$/
/** what a name may start with: `prune-prefix`, a pool's `ci-pool-*` */
const PREFIX_PATTERN = /^[a-z][a-z0-9-]*$/
const MAX_TIMEOUT_SECONDS = MAX_JOB_MS / 1000

/** A value as a message quotes it: whole when short, else its start and its length. */
export function shown(value: string): string {
  return value.length <= 80 ? `"${value}"` : `"${value.slice(0, 60)}…" (${value.length} characters)`
}

/**
 * The valid name a user most likely meant, made the way default names are made (`slug`):
 * only when the given one differs from it in case and separators (spaces, `_`, `.`, `-`),
 * never a guess that drops or adds a letter. `prefix`: a trailing separator is kept as `-`.
 */
export function suggestedName(value: string, prefix = false): string | undefined {
  if (!/^[A-Za-z0-9\s_.-]+$/.test(value)) return undefined
  const s = slug(value) + (prefix && /[\s_.-]$/.test(value) ? '-' : '')
  const valid = prefix ? PREFIX_PATTERN.test(s) && s.length < MAX_SANDBOX_NAME : SANDBOX_NAME_PATTERN.test(s)
  return valid && s !== value ? s : undefined
}

/** `; did you mean "…"?` when a valid form is near, else nothing. */
export function didYouMean(value: string, prefix = false, around: (s: string) => string = s => s): string {
  const s = suggestedName(value, prefix)
  return s === undefined ? '' : `; did you mean "${around(s)}"?`
}

export function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new InputError(input, `got ${shown(value)}; accepted values: ${allowed.join(', ')}`)
}

export function parseBoolean(input: string, value: string, fallback: boolean): boolean {
  if (value === '') return fallback
  // The YAML 1.2 core schema, as @actions/core's getBooleanInput.
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new InputError(input, `got ${shown(value)}; accepted values: true, false`)
}

/** Seconds, or the duration forms of `prune-older-than` (`90s`, `15m`, `1h`), up to 6 hours. */
export function parseTimeout(input: string, value: string, fallback: number): number {
  if (value === '') return fallback
  const m = /^(\d+)\s*([smh]?)$/.exec(value)
  const seconds = m ? Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600 }[m[2] as '' | 's' | 'm' | 'h'] : NaN
  if (!(seconds >= 1 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new InputError(input, `got ${shown(value)}; expected a duration from 1 s to 6 h: seconds (900) or with a unit (90s, 15m, 1h)`)
  }
  return seconds
}

/** `90m`, `24h`, `7d`, `30s` or plain seconds, into seconds. */
export function parseAge(input: string, value: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(value)
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const
  if (!m || Number(m[1]) <= 0) {
    throw new InputError(input, `got ${shown(value)}; expected an age such as 90m, 24h, 7d or a number of seconds`)
  }
  return Number(m[1]) * unit[m[2] as keyof typeof unit]
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '')
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** A base URL: https, or http only to a loopback host, so no key ever travels in clear text. */
export function parseBaseUrl(input: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InputError(input, `"${value}" is not a URL; expected for example https://example.com`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new InputError(input, `"${value}" must use https:// (http:// is accepted only for localhost, 127.0.0.0/8 and [::1])`)
  }
  if (url.username || url.password) throw new InputError(input, 'must not contain credentials; use the key inputs')
  if (url.search || url.hash) throw new InputError(input, `"${value}" must be a base URL without a query or fragment`)
  return url.toString().replace(/\/+$/, '')
}

export function required(input: string, value: string, envName?: string): string {
  if (value !== '') return value
  throw new InputError(input, `is required${envName ? ` (or set the ${envName} environment variable)` : ''}`)
}

/**
 * How a provider reads its inputs, in three stages that keep one order across providers:
 * first its secrets are registered (before anything could print them), then the inputs with
 * a restricted form are checked (for every provider, so a typo never passes silently), then,
 * for the chosen provider only, the rest is read on top of the common inputs.
 */
export type InputStages<I extends Inputs> = (get: InputSource, env: NodeJS.ProcessEnv, secrets: Secrets) => () => (common: CommonInputs) => I

/** Reads every input: the common ones here, each provider's through its stages. */
export function readInputsWith(
  stages: { trackstar: InputStages<TrackstarInputs>; adobe: InputStages<AdobeInputs> },
  get: InputSource,
  env: NodeJS.ProcessEnv,
  secrets: Secrets
): Inputs {
  // Register secrets first: nothing below may print them, but a mask costs nothing.
  const afterSecrets = { trackstar: stages.trackstar(get, env, secrets), adobe: stages.adobe(get, env, secrets) }
  // A tool that runs the action outside a runner may pass action.yml's default `${{ github.token }}`
  // as it is written: there is no token then, as there is none locally.
  const githubToken = /^\$\{\{.*\}\}$/.test(get('github-token')) ? '' : get('github-token')
  secrets.add(githubToken)
  checkGithubToken('github-token', checkCredential('github-token', githubToken))

  const provider = oneOf('provider', required('provider', get('provider')), ['trackstar', 'adobe'] as const)
  const cleanup = oneOf('cleanup', get('cleanup') || 'auto', ['auto', 'delete', 'reset', 'none'] as const)
  const common: CommonInputs = {
    cleanup,
    timeoutSeconds: parseTimeout('timeout', get('timeout'), 900),
    cleanupTimeoutSeconds: parseTimeout('cleanup-timeout', get('cleanup-timeout'), 600),
    wait: parseBoolean('wait', get('wait'), true),
    summary: parseBoolean('summary', get('summary'), true),
    exportEnv: parseBoolean('export-env', get('export-env'), false),
    githubToken,
    deployment: parseBoolean('deployment', get('deployment'), false),
    deploymentEnvironment: parseDeploymentEnvironment(get('deployment-environment'))
  }

  const afterFormat = { trackstar: afterSecrets.trackstar(), adobe: afterSecrets.adobe() }
  const inputs = provider === 'trackstar' ? afterFormat.trackstar(common) : afterFormat.adobe(common)
  if (inputs.deployment) checkDeployment(inputs)
  return inputs
}

/** The operations that end with a sandbox for the job: the ones a deployment stands for. */
export const DEPLOYMENT_OPERATIONS: { trackstar: readonly string[]; adobe: readonly string[] } = { trackstar: ['generate'], adobe: ['create', 'reset', 'lease'] }

function checkDeployment(inputs: Inputs): void {
  const ops = DEPLOYMENT_OPERATIONS[inputs.provider]
  if (!ops.includes(inputs.operation)) {
    throw new InputError('deployment', `applies to operations ${ops.join(', ')} of ${inputs.provider} only, not "${inputs.operation}"; remove it or set deployment: false`)
  }
  if (inputs.githubToken === '') {
    throw new InputError('github-token', 'is required with deployment: true; the default ${{ github.token }} works when the job has permissions deployments: write')
  }
}

/**
 * `deployment-environment`: a GitHub environment name (at most 255 characters; GitHub's
 * environment names take no control characters, and none here may start a workflow command).
 */
export function parseDeploymentEnvironment(value: string): string {
  const v = value.trim() || 'ephemeral-sandbox'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v) || v.length > 255 || v.startsWith('::')) {
    throw new InputError('deployment-environment', `got ${shown(v)}; expected a GitHub environment name of at most 255 characters, without line breaks (such as ephemeral-sandbox)`)
  }
  return v
}

/** An input's value read from the environment variable that may stand in for it. */
export function fromEnv(env: NodeJS.ProcessEnv, name: string): string {
  return (env[name] ?? '').trim()
}

/** A credential input (or its environment variable), registered as a secret and checked. */
export function secretInput(get: InputSource, env: NodeJS.ProcessEnv, secrets: Secrets, input: string, envName?: string): string {
  const v = get(input) || (envName ? fromEnv(env, envName) : '')
  secrets.add(v)
  return checkCredential(input, v, get(input) === '' ? envName : undefined)
}

/** `lease-ttl`: a duration no longer than a job can run. */
export function parseLeaseTtl(value: string): number {
  const seconds = parseAge('lease-ttl', value)
  if (seconds < 60) throw new InputError('lease-ttl', `got ${shown(value)}; a lease shorter than a minute would expire while its job still uses the sandbox (at least 60s)`)
  if (seconds > MAX_TIMEOUT_SECONDS) {
    throw new InputError('lease-ttl', `got ${shown(value)}; a lease cannot outlive the job that holds it (at most ${MAX_TIMEOUT_SECONDS / 3600}h)`)
  }
  return seconds
}

/** `pool-size`: how many members `maintain` keeps; a list pool holds its names, a prefix pool needs it. */
export function parsePoolSize(value: string, pool: Pool): number {
  if (value.trim() === '') {
    if (pool.kind === 'names') return pool.names.length
    throw new InputError('pool-size', `is required for operation "maintain" with a prefix pool ("${pool.prefix}*"): how many sandboxes it should hold, 1 to ${MAX_POOL_SIZE}`)
  }
  if (!/^\d+$/.test(value.trim())) throw new InputError('pool-size', `got ${shown(value)}; expected a whole number from 1 to ${MAX_POOL_SIZE}`)
  const n = Number(value.trim())
  if (n < 1 || n > MAX_POOL_SIZE) throw new InputError('pool-size', `got ${shown(value)}; expected a whole number from 1 to ${MAX_POOL_SIZE}`)
  if (pool.kind === 'names' && n > pool.names.length) {
    throw new InputError('pool-size', `is ${n}, but the pool lists ${pool.names.length} name${pool.names.length === 1 ? '' : 's'}: list more names, use a prefix pool (ci-pool-*), or leave pool-size empty`)
  }
  return n
}

/** `prune-prefix`: what the names of the sandboxes prune may delete start with. */
export function parsePrunePrefix(value: string): string {
  if (value === '') {
    throw new InputError('prune-prefix', 'is required for operation "prune": only development sandboxes whose name starts with it are pruned (for example prune-prefix: gh-, which default names start with)')
  }
  if (!PREFIX_PATTERN.test(value) || value.length >= MAX_SANDBOX_NAME) {
    throw new InputError(
      'prune-prefix',
      `${shown(value)} cannot start a sandbox name; expected a lowercase letter followed by lowercase letters, digits or hyphens, shorter than 256 characters${didYouMean(value, true)}`
    )
  }
  return value
}

/** `pool`: comma-separated sandbox names, or one prefix ending in `*`. */
/** the largest `pool-size`: far above a licence's development slots, a bound on a typo */
export const MAX_POOL_SIZE = 100

export function parsePool(value: string, operation = 'lease'): Pool {
  if (value.trim() === '') throw new InputError('pool', `is required for operation "${operation}": comma-separated sandbox names, or a prefix ending in * (ci-pool-*)`)
  const items = value.split(',').map(s => s.trim())
  if (items.some(i => i === '')) throw new InputError('pool', `${shown(value)} has an empty item; expected comma-separated sandbox names or one prefix ending in *`)
  if (items.length === 1 && items[0].endsWith('*')) {
    const prefix = items[0].slice(0, -1)
    if (prefix.includes('*') || !PREFIX_PATTERN.test(prefix) || prefix.length >= MAX_SANDBOX_NAME) {
      throw new InputError(
        'pool',
        `${shown(items[0])} is not a valid prefix: a lowercase letter, then lowercase letters, digits or hyphens (fewer than 256 in all), then one * at the end${didYouMean(prefix, true, s => `${s}*`)}`
      )
    }
    return { kind: 'prefix', prefix }
  }
  for (const name of items) {
    if (name.includes('*')) throw new InputError('pool', `${shown(name)}: a * may only end a single prefix (ci-pool-*), not stand inside a list or a name`)
    if (!SANDBOX_NAME_PATTERN.test(name)) {
      throw new InputError('pool', `${shown(name)} is not a valid sandbox name (lowercase letters, digits and hyphens, starting with a letter, at most 256 characters)${didYouMean(name)}`)
    }
  }
  return { kind: 'names', names: [...new Set(items)] }
}

// An id goes into a request's path (/roles/{id}, /packages/{id}): a letter or digit first, so
// it is never a `.` or `..` segment, and no `/`, `%`, `?`, `#`, `\` or space that would change
// the path. Adobe's ids are UUIDs (roles) and 32 hex digits (packages): 128 characters is plenty.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/
const MAX_ID = 128
const ID_RULE = `letters, digits and _ . : - starting with a letter or digit, at most ${MAX_ID} characters`

/** `adobe-role-id`: comma-separated role ids. */
export function parseRoleIds(value: string): string[] {
  if (value.trim() === '') return []
  const ids = value.split(',').map(s => s.trim())
  const example = 'expected comma-separated role ids such as 3f6a1c2e-0000-4000-8000-000000000001'
  if (ids.includes('')) throw new InputError('adobe-role-id', `${shown(value)} has an empty item; ${example}`)
  const bad = ids.find(id => !ID_PATTERN.test(id) || id.length > MAX_ID)
  if (bad !== undefined) throw new InputError('adobe-role-id', `${shown(bad)} is not a role id (${ID_RULE}); ${example}`)
  return [...new Set(ids)]
}

/** `adobe-package-id`: one package id. */
export function parsePackageId(value: string): string | undefined {
  if (value === '') return undefined
  if (value.includes(',')) throw new InputError('adobe-package-id', `${shown(value)} names more than one package; expected one id such as 0123456789abcdef0123456789abcdef`)
  if (!ID_PATTERN.test(value) || value.length > MAX_ID) {
    throw new InputError('adobe-package-id', `${shown(value)} is not a package id (${ID_RULE}); expected one id such as 0123456789abcdef0123456789abcdef`)
  }
  return value
}

/**
 * A GitHub token's form: letters, digits and `_` (the token formats of 2021, see the
 * github.blog changelog "Authentication token format updates"), and `.` and `-`, which newer
 * installation tokens hold; with a letter or digit in it, and no longer than a header may be.
 * Only the position of a bad character is told: the value is a secret.
 */
export function checkGithubToken(input: string, value: string): string {
  if (value === '') return value
  const bad = /[^A-Za-z0-9._-]/.exec(value)
  if (bad) {
    const what = /\s/.test(bad[0]) ? 'a space' : 'a character a GitHub token cannot hold'
    throw new InputError(input, `holds ${what} at position ${bad.index + 1}; a GitHub token is letters, digits, _ . and - (check the secret's value)`)
  }
  if (!/[A-Za-z0-9]/.test(value)) throw new InputError(input, 'holds no letter or digit, so it is no GitHub token (check the secret\'s value)')
  if (value.length > 4096) throw new InputError(input, `is ${value.length} characters long, more than any GitHub token (check the secret's value)`)
  return value
}

/**
 * A credential is sent in an HTTP header (the client secret in a form body): a control
 * character (a line break pasted with it) can never be sent, and a header cannot carry a
 * character above U+00FF either. Found here, before any request, instead of failing every
 * attempt of the first one. The message gives the position only: the value is a secret.
 */
export function checkCredential(input: string, value: string, envName?: string): string {
  const from = envName ? ` (from the ${envName} environment variable)` : ''
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f]/.exec(value)
  if (control) {
    throw new InputError(input, `holds a control character (a line break or tab, say) at position ${control.index + 1}${from}; a credential cannot contain one: check the secret's value`)
  }
  const wide = input === 'adobe-client-secret' ? null : /[^\u0000-\u00ff]/.exec(value) // eslint-disable-line no-control-regex
  if (wide) {
    throw new InputError(input, `holds a character an HTTP header cannot carry at position ${wide.index + 1}${from}: check the secret's value`)
  }
  return value
}
