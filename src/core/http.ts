// The one HTTP layer every provider uses: JSON or form bodies in, JSON out, a timeout per
// request bounded by the step's deadline, retries that honour the provider's rate-limit
// headers (else full-jitter backoff), the provider's request id, and one error shape.
import { getProxyUrl, HttpClient } from '@actions/http-client'
import { CancelledError, DeadlineError, ProviderError, UnreadableAnswerError } from './errors'
import type { Deadline } from './deadline'
import { oneLine, type Logger } from './log'
import { parseErrorBody, type Redact } from './provider-errors'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** Sends one request; rejects on network errors and on its own timeout. */
export type Transport = (req: {
  method: Method
  url: string
  headers: Record<string, string>
  body?: string
  timeoutMs: number
}) => Promise<RawResponse>

export interface Request {
  method: Method
  url: string
  /** what the call does, for messages: "generate sandbox" */
  action: string
  headers?: Record<string, string>
  json?: unknown
  form?: Record<string, string>
  /** statuses that are answers rather than errors (a 404 on a lookup, a 409 on a create) */
  accept?: number[]
  /** repeating the call is harmless (a token mint, Trackstar's generate): a 500 is retried too */
  idempotent?: boolean
  /** send `Content-Type: application/json` even without a body (an API that declares it required on a GET) */
  jsonContentType?: boolean
}

export interface Response<T> {
  status: number
  body: T
  headers: Record<string, string | string[] | undefined>
  requestId?: string
  /** how many attempts it took */
  attempts: number
  /** an earlier attempt may have reached the provider (timeout, dropped connection, 5xx) */
  afterUnknownOutcome: boolean
}

export interface HttpOptions {
  provider: string
  deadline: Deadline
  log: Logger
  /** hint for an error status, e.g. which credential to check on a 401 */
  hint?: (status: number, code: string | undefined, message: string | undefined) => string | undefined
  transport?: Transport
  /** longest a single request may take (the step's deadline may cut it shorter) */
  requestTimeoutMs?: number
  maxAttempts?: number
  /** full-jitter backoff: base and cap of the exponential window */
  backoffBaseMs?: number
  backoffCapMs?: number
  random?: () => number
  /**
   * the step's redaction, applied to provider text before an excerpt of it is cut; by default
   * the logger's (the runner logger redacts with the step's secrets)
   */
  redact?: Redact
  /**
   * where a request's URL came from, for the message of a network failure: "the
   * `adobe-platform-url` input"; undefined when not known
   */
  urlSource?: (url: string) => string | undefined
}

const RETRY_STATUSES = new Set([429, 502, 503, 504])

/**
 * Whether an error answer is worth another attempt. A 500 is retried only where repeating the
 * call cannot do harm: a cleanup that gives up on one 500 leaks a sandbox, a create that
 * repeats itself may make two.
 */
export function retryable(status: number, method: Method, idempotent = false): boolean {
  return RETRY_STATUSES.has(status) || (status === 500 && (idempotent || method === 'GET' || method === 'DELETE'))
}
/**
 * GitHub answers a rate limit with 403 as well as 429, and says so in its headers: a
 * `retry-after` (secondary limit) or `x-ratelimit-remaining: 0` (primary limit).
 */
export function rateLimited403(status: number, headers: RawResponse['headers']): boolean {
  return status === 403 && (header(headers, 'retry-after') !== undefined || header(headers, 'x-ratelimit-remaining') === '0')
}
// A 5xx whose request may still have been carried out by the provider: a 503 from a proxy or
// an overloaded gateway can come after the service behind it acted, as a 502 or 504 can.
const UNKNOWN_OUTCOME_STATUSES = new Set([500, 502, 503, 504])

// Stryker disable all: the real transport is exercised over HTTP by the end-to-end tests;
// unit tests inject their own, so mutants here could only survive.
const USER_AGENT = 'ephemeral-sandbox-action'
export const httpClientTransport: Transport = async req => {
  // A client per request: keep-alive is off anyway, and the socket timeout follows the deadline.
  const client = new HttpClient(USER_AGENT, [], {
    socketTimeout: Math.max(1, req.timeoutMs),
    allowRetries: false,
    allowRedirects: false,
    keepAlive: false
  })
  const host = new URL(req.url).hostname
  // RFC 6761 (6.4): a name under .invalid never resolves, and resolvers should answer so at once.
  // Node asks the network anyway; here it fails as Node's own lookup would, without leaving the runner.
  if (/\.invalid\.?$/i.test(host)) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host })
  try {
    const res = await client.request(req.method, req.url, req.body ?? null, req.headers)
    const text = await res.readBody()
    return { status: res.message.statusCode ?? 0, headers: res.message.headers, text }
  } catch (err) {
    // A refusal may come from the proxy the environment names (https_proxy), not the host.
    const proxy = getProxyUrl(req.url)
    if (proxy && err && typeof err === 'object') Object.assign(err, { proxy: hostPort(proxy) })
    throw err
  }
}
// Stryker restore all

function header(headers: RawResponse['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

export function requestIdOf(headers: RawResponse['headers']): string | undefined {
  return header(headers, 'x-request-id') ?? header(headers, 'x-adobe-request-id') ?? header(headers, 'x-github-request-id')
}

const SECONDS = /^\d+(\.\d+)?$/

/**
 * How long the provider asks us to wait before retrying, in ms, from `Retry-After`
 * (seconds or an HTTP date), `x-rate-limit-retry-after` (seconds) or `x-ratelimit-reset`
 * (epoch seconds), as it says it: zero or less for a date already past (clock skew).
 * Undefined when it does not say, or says something that is neither seconds nor a date.
 */
export function retryAfterMs(headers: RawResponse['headers'], nowMs: number): number | undefined {
  const ra = header(headers, 'retry-after') ?? header(headers, 'x-rate-limit-retry-after')
  if (ra !== undefined) {
    const s = ra.trim()
    if (SECONDS.test(s)) return Math.round(Number(s) * 1000)
    // An HTTP date names a weekday and a month; Date.parse alone would read "-5" or "1" as a year.
    const date = /[a-z]{3}/i.test(s) ? Date.parse(s) : NaN
    if (!Number.isNaN(date)) return date - nowMs
  }
  // An absent header reads "undefined", which is not seconds either.
  const reset = String(header(headers, 'x-ratelimit-reset')).trim()
  if (SECONDS.test(reset)) {
    const n = Number(reset)
    // Epoch seconds; a small number is a count of seconds from now.
    return n > 1e9 ? Math.round(n * 1000 - nowMs) : Math.round(n * 1000)
  }
  return undefined
}

/**
 * The longest wait a provider's rate-limit header is followed for. Both providers limit per
 * second (Trackstar) or per minute (Adobe's gateway), so a minute covers any window they
 * document; a longer ask (an hour, a date years ahead, a skewed clock) is a server mistake,
 * and waiting it out would spend the whole step on one answer.
 */
export const RETRY_AFTER_CAP_MS = 60_000
/** The shortest wait after a rate limit: a provider that says "0" or a past date is still limiting us. */
export const RATE_LIMIT_FLOOR_MS = 1_000
/** The shortest wait after any other failure, so no answer can make us retry in a tight loop. */
export const BACKOFF_FLOOR_MS = 250

/**
 * The wait before the next attempt: what the provider asked, capped at a minute, where it
 * asked for a positive time; otherwise the jittered backoff. Never below the floor.
 */
export function retryWaitMs(rateLimited: boolean, askedMs: number | undefined, backoffMs: number): number {
  const floor = rateLimited ? RATE_LIMIT_FLOOR_MS : BACKOFF_FLOOR_MS
  const wait = (askedMs ?? 0) > 0 ? Math.min(askedMs as number, RETRY_AFTER_CAP_MS) : backoffMs
  return Math.max(floor, wait)
}

/**
 * The wait that fits what is left of the step: the whole wait when it takes at most half of
 * the time left, else half of it (a capped retry, earlier than asked, still leaves as much
 * time for the attempt and what follows). Undefined when even that is below the floor.
 */
export function fitWaitMs(waitMs: number, remainingMs: number, rateLimited: boolean): number | undefined {
  const floor = rateLimited ? RATE_LIMIT_FLOOR_MS : BACKOFF_FLOOR_MS
  const fitted = Math.min(waitMs, Math.floor(remainingMs / 2))
  return fitted >= floor ? fitted : undefined
}

function networkReason(err: unknown): string {
  const e = err as { code?: string; message?: string }
  if (e?.code) return `${e.code}${e.message && !e.message.includes(e.code) ? ` (${e.message})` : ''}`
  return e?.message ?? String(err)
}

/**
 * How a request that got no answer failed, which decides what another attempt can do:
 * `unreachable` (refused, unknown host, no route) and `tls` (a certificate or handshake the
 * runner refuses) never reached the provider, and a wrong URL stays wrong however long one
 * waits; `lost` (a reset, a timeout, anything else) may have reached it, and may pass.
 */
export type NetworkFailure = 'unreachable' | 'tls' | 'lost'

const REFUSED = new Set(['ECONNREFUSED'])
// getaddrinfo's failures as Node names them (EAI_NONAME and EAI_NODATA arrive as ENOTFOUND).
const NOT_FOUND = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA'])
const NO_ROUTE = new Set(['EHOSTUNREACH', 'ENETUNREACH'])
// OpenSSL's certificate verification codes, as Node reports them, and its handshake failures.
const TLS = /^(ERR_TLS_|ERR_SSL_|EPROTO$)|CERT|^UNABLE_TO_(GET|VERIFY|DECRYPT|DECODE)_|^INVALID_(CA|PURPOSE)$|^PATH_LENGTH_EXCEEDED$|^HOSTNAME_MISMATCH$/

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

export function networkFailure(err: unknown): NetworkFailure {
  const code = codeOf(err) ?? ''
  if (REFUSED.has(code) || NOT_FOUND.has(code) || NO_ROUTE.has(code)) return 'unreachable'
  return TLS.test(code) ? 'tls' : 'lost'
}

/** Attempts at a host that refuses or cannot be found: enough for a blip, short of the whole `timeout`. */
export const UNREACHABLE_ATTEMPTS = 3

/** `host:port` of a URL (the scheme's port when it names none): never its credentials, path or query. */
export function hostPort(url: string): string {
  try {
    const u = new URL(url)
    const port = u.port || { 'http:': '80', 'https:': '443' }[u.protocol]
    return port ? `${u.hostname}:${port}` : u.hostname
  } catch {
    return 'the host'
  }
}

/** What a network failure was, where: one line for the log and the error. */
function networkFailureText(err: unknown, kind: NetworkFailure, where: string): string {
  const code = codeOf(err)
  const proxy = (err as { proxy?: unknown } | null | undefined)?.proxy
  const via = typeof proxy === 'string' ? ` through the proxy ${proxy}` : ''
  if (kind === 'lost') return `${networkReason(err)} from ${where}${via}`
  if (code !== undefined && REFUSED.has(code)) return `connection refused by ${typeof proxy === 'string' ? `the proxy ${proxy} on the way to ${where}` : where} (${code})`
  if (code !== undefined && NOT_FOUND.has(code)) return `the host of ${where} could not be found${via} (${code})`
  if (code !== undefined && NO_ROUTE.has(code)) return `no route to ${where}${via} (${code})`
  // OpenSSL's own text is long ("…:SSL routines:ssl3_get_record:wrong version number:…"): its reason only.
  const message = (err as { message?: unknown } | null | undefined)?.message
  const ssl = typeof message === 'string' ? /SSL routines:(?:[^:]*:)?([^:]+)/.exec(message)?.[1] : undefined
  const why = ssl ?? (typeof message === 'string' && code !== undefined && !message.includes(code) ? message : undefined)
  return `TLS with ${where}${via} failed: ${code}${why ? ` (${why})` : ''}`
}

/** What to check after a host that could not be reached, or whose TLS was refused. */
function unreachableHint(err: unknown, kind: NetworkFailure, where: string, tries: number, source: string | undefined): string {
  const code = codeOf(err) ?? ''
  const url = source ?? 'the URL'
  const proxy = typeof (err as { proxy?: unknown } | null | undefined)?.proxy === 'string' ? ' (or the proxy that https_proxy or http_proxy names, and no_proxy)' : ''
  const tried = `Tried ${tries} time${tries === 1 ? '' : 's'}`
  if (kind === 'tls') {
    const plain = code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ' (an http:// server behind an https:// URL?)' : ''
    return (
      `Not retried: waiting does not change what the host presents. Check that ${url} names the right host${plain}, and that the runner trusts ${where}'s certificate` +
      ` (behind a proxy that inspects TLS, give Node its CA with NODE_EXTRA_CA_CERTS)`
    )
  }
  if (REFUSED.has(code)) return `${tried}. Check ${url}${proxy} (a wrong host or port?) and that the runner can reach that host`
  if (NOT_FOUND.has(code)) return `${tried}. Check the host name in ${url}${proxy} and that the runner can resolve it (its DNS, a private network)`
  return `${tried}. Check ${url}${proxy} and that the runner's network can reach ${where}`
}

export class Http {
  private readonly transport: Transport
  private readonly requestTimeoutMs: number
  private readonly maxAttempts: number
  private readonly baseMs: number
  private readonly capMs: number
  private readonly random: () => number
  private readonly redact: Redact

  constructor(private readonly opts: HttpOptions) {
    this.transport = opts.transport ?? httpClientTransport
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000
    this.maxAttempts = opts.maxAttempts ?? 8
    this.baseMs = opts.backoffBaseMs ?? 500
    this.capMs = opts.backoffCapMs ?? 10_000
    this.random = opts.random ?? Math.random
    this.redact = opts.redact ?? opts.log.redact?.bind(opts.log) ?? (text => text)
  }

  async request<T = unknown>(req: Request): Promise<Response<T>> {
    const { deadline, log, provider } = this.opts
    const headers: Record<string, string> = { Accept: 'application/json', ...req.headers }
    let body: string | undefined
    if (req.json !== undefined) {
      body = JSON.stringify(req.json)
      headers['Content-Type'] = 'application/json'
    } else if (req.form) {
      body = new URLSearchParams(req.form).toString()
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
    } else if (req.jsonContentType) {
      headers['Content-Type'] = 'application/json'
    }

    let unknownOutcome = false
    /** attempts that found no host to answer (refused, not found, TLS refused) */
    let unreachable = 0
    for (let attempt = 1; ; attempt++) {
      deadline.check(`${req.action} (${provider})`)
      const timeoutMs = Math.min(this.requestTimeoutMs, deadline.remainingMs())
      log.debug(`${provider}: ${req.method} ${req.url} (attempt ${attempt})`)
      let res: RawResponse
      try {
        res = await this.send({ method: req.method, url: req.url, headers, body, timeoutMs })
      } catch (err) {
        if (err instanceof CancelledError) throw new CancelledError(`Cancelled while ${req.action} (${provider})`)
        const kind = networkFailure(err)
        const where = hostPort(req.url)
        const source = this.opts.urlSource?.(req.url)
        const reason = oneLine(this.redact(networkFailureText(err, kind, where)))
        const wait = retryWaitMs(false, undefined, this.backoff(attempt))
        if (kind !== 'lost') {
          // Nothing reached the provider. A wrong URL stays wrong: a few tries, then say which input to check.
          unreachable++
          const most = kind === 'tls' ? 1 : Math.min(this.maxAttempts, UNREACHABLE_ATTEMPTS)
          const fail = (): ProviderError =>
            new ProviderError({ provider, action: req.action, status: 0, providerMessage: reason, hint: oneLine(this.redact(unreachableHint(err, kind, where, unreachable, source))), afterUnknownOutcome: unknownOutcome })
          if (unreachable >= most || attempt >= this.maxAttempts) throw fail()
          await this.pause(req, attempt, wait, reason, false, Math.min(this.maxAttempts, attempt + most - unreachable), fail)
          continue
        }
        // The request may have reached the provider before the connection failed.
        unknownOutcome = true
        const from = source ? `; the URL is from ${source}` : ''
        if (attempt >= this.maxAttempts) {
          throw new ProviderError({ provider, action: req.action, status: 0, providerMessage: reason, hint: `Gave up after ${attempt} attempts${from}`, afterUnknownOutcome: true })
        }
        await this.pause(req, attempt, wait, `${reason}${source ? ` (the URL is from ${source})` : ''}`, false, this.maxAttempts)
        continue
      }

      const requestId = requestIdOf(res.headers)
      log.debug(`${provider}: ${req.method} ${req.url} -> ${res.status}${requestId ? ` (request id ${requestId})` : ''}`)
      const ok = (res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)
      if (ok) {
        return { status: res.status, body: parseJson(res.text) as T, headers: res.headers, requestId, attempts: attempt, afterUnknownOutcome: unknownOutcome }
      }

      const parsed = parseErrorBody(res.text, this.redact)
      if (UNKNOWN_OUTCOME_STATUSES.has(res.status)) unknownOutcome = true
      const error = new ProviderError({
        provider,
        action: req.action,
        status: res.status,
        code: parsed.code,
        providerMessage: parsed.message,
        requestId,
        hint: this.opts.hint?.(res.status, parsed.code, parsed.message),
        afterUnknownOutcome: unknownOutcome
      })
      const rateLimited = res.status === 429 || rateLimited403(res.status, res.headers)
      if (!(retryable(res.status, req.method, req.idempotent) || rateLimited) || attempt >= this.maxAttempts) throw error

      // Nothing asked, or nothing usable (zero, a past date): 0.
      const asked = retryAfterMs(res.headers, deadline.clock.now()) ?? 0
      const wait = retryWaitMs(rateLimited, asked, this.backoff(attempt))
      const reason = `HTTP ${res.status}${parsed.message ? ` ${parsed.message}` : ''}${requestId ? ` (request id ${oneLine(requestId)})` : ''}`
      if (fitWaitMs(wait, deadline.remainingMs(), rateLimited) === undefined && asked > 0) {
        throw new ProviderError({
          ...error.details,
          hint: [
            `The provider asked to wait ${Math.ceil(asked / 1000)} s before retrying; only ${(deadline.remainingMs() / 1000).toFixed(1)} s of \`${deadline.input}\` are left`,
            error.details.hint
          ]
            .filter(Boolean)
            .join('. ')
        })
      }
      await this.pause(req, attempt, wait, reason, rateLimited, this.maxAttempts)
    }
  }

  private backoff(attempt: number): number {
    const window = Math.min(this.capMs, this.baseMs * 2 ** (attempt - 1))
    return Math.round(this.random() * window)
  }

  /**
   * Waits before the next attempt, as long as fits the step's time; when nothing fits, ends
   * the step with `noTime`'s error, else as a timeout.
   */
  private async pause(req: Request, attempt: number, waitMs: number, reason: string, rateLimited: boolean, most: number, noTime?: () => Error): Promise<void> {
    const { deadline, log, provider } = this.opts
    const fitted = fitWaitMs(waitMs, deadline.remainingMs(), rateLimited)
    if (fitted === undefined) {
      throw (
        noTime?.() ??
        new DeadlineError(
          `Timed out after ${Math.round(deadline.totalMs / 1000)} s while ${req.action} (${provider}); last failure: ${reason}${deadline.input ? `. Raise the \`${deadline.input}\` input to retry for longer` : ''}`
        )
      )
    }
    const early = fitted < waitMs ? ` (${(waitMs / 1000).toFixed(1)} s asked; less is left of ${deadline.input ? `\`${deadline.input}\`` : 'its budget'})` : ''
    log.info(`${provider}: ${req.action}: ${reason}; retrying in ${(fitted / 1000).toFixed(1)} s${early} (attempt ${attempt + 1} of at most ${most})`)
    await deadline.sleep(fitted, `waiting to retry ${req.action} (${provider})`)
  }

  /** One attempt, cut short by its timeout or by a cancel. */
  private send(req: Parameters<Transport>[0]): Promise<RawResponse> {
    // The caller checked the signal just before: it was not raised yet.
    const { signal } = this.opts.deadline
    return new Promise<RawResponse>((resolve, reject) => {
      const timer = setTimeout(() => finish(() => reject(Object.assign(new Error(`no answer within ${(req.timeoutMs / 1000).toFixed(1)} s`), { code: 'ETIMEDOUT' }))), req.timeoutMs)
      const onAbort = (): void => finish(() => reject(new CancelledError()))
      // Whichever comes first settles the promise; the others then change nothing.
      const finish = (settle: () => void): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        settle()
      }
      signal.addEventListener('abort', onAbort)
      this.transport(req).then(
        r => finish(() => resolve(r)),
        e => finish(() => reject(e))
      )
    })
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** How often an answer that cannot be read is asked for, in all, before the step gives up on it. */
export const UNREADABLE_ATTEMPTS = 3

/**
 * The one policy for an answer that arrived but cannot be read (a proxy's page with 200, a
 * record for another name): `attempt` throws UnreadableAnswerError, and it is asked again
 * after 1 s, then 2 s, UNREADABLE_ATTEMPTS times in all, within the deadline. Only for asks
 * that are safe to repeat. Nothing is decided on an answer that could not be read.
 */
export async function askAgainIfUnreadable<T>(deadline: Deadline, log: Logger, action: string, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (err) {
      if (!(err instanceof UnreadableAnswerError) || n >= UNREADABLE_ATTEMPTS) throw err
      log.info(`${err.details.provider}: ${action}: ${err.details.providerMessage}; asking again in ${n} s (attempt ${n + 1} of at most ${UNREADABLE_ATTEMPTS})`)
      await deadline.sleep(n * 1000, `waiting to ${action} again`)
      deadline.check(action)
    }
  }
}
