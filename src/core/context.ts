// The per-step context a provider works in: the deadline, the log, the secrets, the run, an
// HTTP client per provider and the handoff, built from what the front end (the runner's
// steps, or the command line) supplies.
import { Deadline, type Clock } from './deadline'
import { saveHandoff, type StateStore } from './handoff'
import { Http, type Transport } from './http'
import type { Inputs } from './inputs'
import type { Logger } from './log'
import type { StepContext } from './provider'
import type { RunInfo } from './run-info'
import type { Secrets } from './secrets'

/** What a front end supplies for the context. */
export interface ContextDeps {
  env: NodeJS.ProcessEnv
  state: StateStore
  clock: Clock
  /** raised when the run is cancelled */
  signal: AbortSignal
  run(): RunInfo
  transport?: Transport
}

/**
 * The longest one request may take. Adobe's gateway gives up after 60 s; 30 s notices a hung
 * connection sooner. EPHEMERAL_SANDBOX_REQUEST_TIMEOUT_MS overrides it (slow proxies, tests).
 */
export function requestTimeoutMs(env: NodeJS.ProcessEnv): number {
  const v = Number(env.EPHEMERAL_SANDBOX_REQUEST_TIMEOUT_MS)
  return Number.isFinite(v) && v >= 100 ? v : 30_000
}

/**
 * How long the post step looks for a sandbox whose create had an unknown outcome before it
 * concludes the create never went through: the provider may finish a create after the main
 * step stopped (its gateway holds a request up to 60 s). EPHEMERAL_SANDBOX_CREATE_GRACE_MS
 * overrides it (tests).
 */
export function createGraceMs(env: NodeJS.ProcessEnv): number {
  const v = Number(env.EPHEMERAL_SANDBOX_CREATE_GRACE_MS)
  return env.EPHEMERAL_SANDBOX_CREATE_GRACE_MS !== undefined && env.EPHEMERAL_SANDBOX_CREATE_GRACE_MS !== '' && Number.isFinite(v) && v >= 0 ? v : 90_000
}

/**
 * Which input (or runner variable) set the base URL a request goes to, for the message of a
 * network failure: the longest base that holds the URL; every one that does when several set
 * the same base.
 */
export function urlSources(inputs: Inputs, run: RunInfo): (url: string) => string | undefined {
  const bases: [string, string][] =
    inputs.provider === 'trackstar'
      ? [[inputs.apiUrl, 'the `trackstar-api-url` input']]
      : [
          [inputs.imsUrl, 'the `adobe-ims-url` input'],
          [inputs.platformUrl, 'the `adobe-platform-url` input']
        ]
  if (run.apiUrl) bases.push([run.apiUrl, "the runner's `GITHUB_API_URL` variable"])
  const parsed = bases.flatMap(([base, source]) => {
    const u = parseUrl(base)
    return u ? [{ origin: u.origin, path: u.pathname.replace(/\/+$/, ''), source }] : []
  })
  return url => {
    const u = parseUrl(url)
    if (!u) return undefined
    const holding = parsed.filter(b => b.origin === u.origin && (u.pathname === b.path || u.pathname.startsWith(`${b.path}/`)))
    const longest = Math.max(...holding.map(b => b.path.length))
    const named = [...new Set(holding.filter(b => b.path.length === longest).map(b => b.source))]
    return named.length ? named.join(' and ') : undefined
  }
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

/** The step's context; the post step runs on its own budget, `cleanup-timeout`, not `timeout`. */
export function createContext(deps: ContextDeps, inputs: Inputs, secrets: Secrets, log: Logger, step: 'main' | 'post' = 'main'): StepContext {
  const deadline =
    step === 'post'
      ? new Deadline(inputs.cleanupTimeoutSeconds * 1000, deps.clock, deps.signal, 'cleanup-timeout')
      : new Deadline(inputs.timeoutSeconds * 1000, deps.clock, deps.signal)
  const perRequest = requestTimeoutMs(deps.env)
  const run = deps.run()
  const urlSource = urlSources(inputs, run)
  return {
    inputs,
    deadline,
    log,
    secrets,
    run,
    http: (provider, hint, budget) => new Http({ provider, deadline: budget ?? deadline, log, hint, transport: deps.transport, requestTimeoutMs: perRequest, urlSource }),
    record: handoff => saveHandoff(deps.state, handoff),
    createGraceMs: createGraceMs(deps.env)
  }
}
