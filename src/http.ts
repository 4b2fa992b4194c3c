// The one HTTP layer every provider uses: JSON or form bodies in, JSON out, a timeout per
// request bounded by the step's deadline, retries that honour the provider's rate-limit
// headers (else full-jitter backoff), the provider's request id, and one error shape.
import { HttpClient } from '@actions/http-client'
import { CancelledError, DeadlineError, ProviderError } from './errors'
import type { Deadline } from './deadline'
import type { Logger } from './log'
import { parseErrorBody } from './provider-errors'

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
// A 5xx whose request may still have been carried out by the provider.
const UNKNOWN_OUTCOME_STATUSES = new Set([500, 502, 504])
const USER_AGENT = 'ephemeral-sandbox-action'

export const httpClientTransport: Transport = async req => {
  // A client per request: keep-alive is off anyway, and the socket timeout follows the deadline.
  const client = new HttpClient(USER_AGENT, [], {
    socketTimeout: Math.max(1, req.timeoutMs),
    allowRetries: false,
    allowRedirects: false,
    keepAlive: false
  })
  const res = await client.request(req.method, req.url, req.body ?? null, req.headers)
  const text = await res.readBody()
  return { status: res.message.statusCode ?? 0, headers: res.message.headers, text }
}

function header(headers: RawResponse['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}

export function requestIdOf(headers: RawResponse['headers']): string | undefined {
  return header(headers, 'x-request-id') ?? header(headers, 'x-adobe-request-id') ?? header(headers, 'x-github-request-id')
}

/**
 * How long the provider asks us to wait before retrying, in ms, from `Retry-After`
 * (seconds or an HTTP date), `x-rate-limit-retry-after` (seconds) or `x-ratelimit-reset`
 * (epoch seconds). Undefined when it does not say.
 */
export function retryAfterMs(headers: RawResponse['headers'], nowMs: number): number | undefined {
  const ra = header(headers, 'retry-after') ?? header(headers, 'x-rate-limit-retry-after')
  if (ra !== undefined && ra.trim() !== '') {
    const s = ra.trim()
    if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000)
    const date = Date.parse(s)
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs)
  }
  const reset = header(headers, 'x-ratelimit-reset')
  if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset.trim())) {
    const n = Number(reset.trim())
    // Epoch seconds; a small number is a count of seconds from now.
    return n > 1e9 ? Math.max(0, Math.round(n * 1000 - nowMs)) : Math.round(n * 1000)
  }
  return undefined
}

function networkReason(err: unknown): string {
  const e = err as { code?: string; message?: string }
  if (e?.code) return `${e.code}${e.message && !e.message.includes(e.code) ? ` (${e.message})` : ''}`
  return e?.message ?? String(err)
}

export class Http {
  private readonly transport: Transport
  private readonly requestTimeoutMs: number
  private readonly maxAttempts: number
  private readonly baseMs: number
  private readonly capMs: number
  private readonly random: () => number

  constructor(private readonly opts: HttpOptions) {
    this.transport = opts.transport ?? httpClientTransport
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000
    this.maxAttempts = opts.maxAttempts ?? 8
    this.baseMs = opts.backoffBaseMs ?? 500
    this.capMs = opts.backoffCapMs ?? 10_000
    this.random = opts.random ?? Math.random
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
    }

    let unknownOutcome = false
    for (let attempt = 1; ; attempt++) {
      deadline.check(`${req.action} (${provider})`)
      const timeoutMs = Math.min(this.requestTimeoutMs, deadline.remainingMs())
      log.debug(`${provider}: ${req.method} ${req.url} (attempt ${attempt})`)
      let res: RawResponse
      try {
        res = await this.send({ method: req.method, url: req.url, headers, body, timeoutMs })
      } catch (err) {
        if (err instanceof CancelledError) throw new CancelledError(`Cancelled while ${req.action} (${provider})`)
        // The request may have reached the provider before the connection failed.
        unknownOutcome = true
        const reason = networkReason(err)
        if (attempt >= this.maxAttempts) {
          throw new ProviderError({ provider, action: req.action, status: 0, providerMessage: reason, hint: `Gave up after ${attempt} attempts` })
        }
        await this.pause(req, attempt, this.backoff(attempt), reason)
        continue
      }

      const requestId = requestIdOf(res.headers)
      log.debug(`${provider}: ${req.method} ${req.url} -> ${res.status}${requestId ? ` (request id ${requestId})` : ''}`)
      const ok = (res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)
      if (ok) {
        return { status: res.status, body: parseJson(res.text) as T, headers: res.headers, requestId, attempts: attempt, afterUnknownOutcome: unknownOutcome }
      }

      const parsed = parseErrorBody(res.text)
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
      if (!(retryable(res.status, req.method, req.idempotent) || rateLimited403(res.status, res.headers)) || attempt >= this.maxAttempts) throw error
      if (UNKNOWN_OUTCOME_STATUSES.has(res.status)) unknownOutcome = true

      const asked = retryAfterMs(res.headers, deadline.clock.now())
      const wait = asked ?? this.backoff(attempt)
      if (asked !== undefined && asked > deadline.remainingMs()) {
        throw new ProviderError({
          ...error.details,
          hint: [
            `The provider asked to wait ${Math.ceil(asked / 1000)} s before retrying, more than the ${Math.floor(deadline.remainingMs() / 1000)} s left of \`timeout\``,
            error.details.hint
          ]
            .filter(Boolean)
            .join('. ')
        })
      }
      const reason = `HTTP ${res.status}${parsed.message ? ` ${parsed.message}` : ''}${requestId ? ` (request id ${requestId})` : ''}`
      await this.pause(req, attempt, wait, reason)
    }
  }

  private backoff(attempt: number): number {
    const window = Math.min(this.capMs, this.baseMs * 2 ** (attempt - 1))
    return Math.round(this.random() * window)
  }

  private async pause(req: Request, attempt: number, waitMs: number, reason: string): Promise<void> {
    const { deadline, log, provider } = this.opts
    if (waitMs >= deadline.remainingMs()) {
      throw new DeadlineError(
        `Timed out after ${Math.round(deadline.totalMs / 1000)} s while ${req.action} (${provider}); last failure: ${reason}. Raise the \`timeout\` input to retry for longer`
      )
    }
    log.info(`${provider}: ${req.action}: ${reason}; retrying in ${(waitMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of at most ${this.maxAttempts})`)
    await deadline.sleep(waitMs, `waiting to retry ${req.action} (${provider})`)
  }

  /** One attempt, cut short by its timeout or by a cancel. */
  private send(req: Parameters<Transport>[0]): Promise<RawResponse> {
    const { signal } = this.opts.deadline
    return new Promise<RawResponse>((resolve, reject) => {
      if (signal.aborted) return reject(new CancelledError())
      const timer = setTimeout(() => finish(() => reject(Object.assign(new Error(`no answer within ${(req.timeoutMs / 1000).toFixed(1)} s`), { code: 'ETIMEDOUT' }))), req.timeoutMs)
      const onAbort = (): void => finish(() => reject(new CancelledError()))
      let done = false
      const finish = (f: () => void): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        f()
      }
      signal.addEventListener('abort', onAbort, { once: true })
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
