// The HTTP layer on a simulated clock and a scripted transport: retries, Retry-After clamping,
// the step's deadline, unknown outcomes, and provider text redacted before it is cut.
import { describe, expect, it, vi } from 'vitest'
import { Deadline } from '../../../src/core/deadline'
import { CancelledError, DeadlineError, ProviderError } from '../../../src/core/errors'
import { listLogger as logger, virtualClock } from '../../harness/virtual-time'
import {
  BACKOFF_FLOOR_MS,
  fitWaitMs,
  hostPort,
  Http,
  networkFailure,
  RATE_LIMIT_FLOOR_MS,
  RETRY_AFTER_CAP_MS,
  retryable,
  retryAfterMs,
  retryWaitMs,
  UNREACHABLE_ATTEMPTS,
  type HttpOptions,
  type RawResponse,
  type Request,
  type Transport
} from '../../../src/core/http'
import { Secrets } from '../../../src/core/secrets'

type Answer = Partial<RawResponse> | Error
interface Script {
  transport: Transport
  /** virtual time of each attempt */
  at: number[]
  sent: Parameters<Transport>[0][]
}

/** Answers in order; the last answer repeats. */
function scripted(clock: { t: number }, answers: Answer[]): Script {
  const at: number[] = []
  const sent: Parameters<Transport>[0][] = []
  const transport: Transport = async req => {
    at.push(clock.t)
    sent.push(req)
    const a = answers[Math.min(at.length - 1, answers.length - 1)]
    if (a instanceof Error) throw a
    return { status: a.status ?? 200, headers: a.headers ?? {}, text: a.text ?? '' }
  }
  return { transport, at, sent }
}

function client(answers: Answer[], opts: Partial<HttpOptions> & { timeoutMs?: number } = {}) {
  const clock = virtualClock(Date.parse('2026-01-01T00:00:00Z'))
  const log = logger()
  const script = scripted(clock, answers)
  const deadline = opts.deadline ?? new Deadline(opts.timeoutMs ?? 900_000, clock)
  const http = new Http({ provider: 'Test', deadline, log, transport: script.transport, random: () => 0.5, ...opts })
  return { http, clock, log, script, deadline }
}

const POST: Request = { method: 'POST', url: 'https://p.example/items', action: 'create item' }
const GET: Request = { method: 'GET', url: 'https://p.example/items/1', action: 'read item' }

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a failure')
}

/** Most attempts made in any one second of virtual time. */
function peakPerSecond(at: number[]): number {
  return Math.max(...at.map(t => at.filter(u => u >= t && u < t + 1000).length))
}

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': ' 3 ' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after': '0' }, 0],
    [{ 'retry-after': ['2', '9'] }, 2000],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }, 7000],
    [{ 'retry-after': 'Wed, 31 Dec 2025 23:59:50 GMT' }, -10_000],
    [{ 'x-rate-limit-retry-after': '2' }, 2000],
    [{ 'retry-after': '4', 'x-rate-limit-retry-after': '2' }, 4000],
    [{ 'x-ratelimit-reset': String(now / 1000 + 4) }, 4000],
    [{ 'x-ratelimit-reset': String(now / 1000 - 30) }, -30_000],
    [{ 'x-ratelimit-reset': '1000000000' }, 1000000000 * 1000],
    [{ 'x-ratelimit-reset': '1000000001' }, 1000000001 * 1000 - now],
    [{ 'x-ratelimit-reset': '5' }, 5000],
    [{ 'x-ratelimit-reset': ' 5 ' }, 5000],
    [{ 'retry-after': 'soon', 'x-ratelimit-reset': '6' }, 6000],
    [{ 'retry-after': '-5' }, undefined],
    [{ 'retry-after': '-555' }, undefined],
    [{ 'retry-after': '2026-01-01T00:00:07Z' }, undefined],
    [{ 'retry-after': '0.25' }, 250],
    [{ 'retry-after': '1' + '0'.repeat(400) }, Infinity],
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'retry-after': '' }, undefined],
    [{ 'retry-after': '1e3' }, undefined],
    [{ 'retry-after': '12abc' }, undefined],
    [{ 'retry-after': 'abc12' }, undefined],
    [{ 'x-ratelimit-reset': 'later' }, undefined],
    [{ 'x-ratelimit-reset': '-4' }, undefined],
    [{}, undefined]
  ])('%j → %s ms', (headers, ms) => expect(retryAfterMs(headers, now)).toBe(ms))
})

describe('retryWaitMs', () => {
  it.each([
    ['a rate limit asking 3 s', true, 3000, 400, 3000],
    ['a rate limit asking 0', true, 0, 400, RATE_LIMIT_FLOOR_MS],
    ['a rate limit asking a past date', true, -5000, 400, RATE_LIMIT_FLOOR_MS],
    ['a rate limit asking 0 with a long backoff', true, 0, 4000, 4000],
    ['a rate limit asking 0.2 s', true, 200, 4000, RATE_LIMIT_FLOOR_MS],
    ['a rate limit asking nothing', true, undefined, 300, RATE_LIMIT_FLOOR_MS],
    ['a rate limit asking an hour', true, 3_600_000, 400, RETRY_AFTER_CAP_MS],
    ['a rate limit asking forever', true, Infinity, 400, RETRY_AFTER_CAP_MS],
    ['a rate limit asking exactly the cap', true, RETRY_AFTER_CAP_MS, 400, RETRY_AFTER_CAP_MS],
    ['503 asking 2 s', false, 2000, 400, 2000],
    ['503 asking 0.1 s', false, 100, 400, BACKOFF_FLOOR_MS],
    ['503 asking 0', false, 0, 700, 700],
    ['503 asking nothing, backoff 0', false, undefined, 0, BACKOFF_FLOOR_MS],
    ['a network failure', false, undefined, 900, 900]
  ])('%s → %s ms', (_case, rateLimited, asked, backoff, expected) => {
    expect(retryWaitMs(rateLimited, asked, backoff)).toBe(expected)
  })

  it('has a cap of a minute and floors of 1 s (429) and 0.25 s', () => {
    expect([RETRY_AFTER_CAP_MS, RATE_LIMIT_FLOOR_MS, BACKOFF_FLOOR_MS]).toEqual([60_000, 1_000, 250])
  })
})

describe('fitWaitMs', () => {
  it.each([
    ['fits in half of what is left', 10_000, 20_000, true, 10_000],
    ['more than half: waits half', 10_001, 20_000, true, 10_000],
    ['a capped minute with 20 s left', 60_000, 20_000, true, 10_000],
    ['odd remaining', 60_000, 2_001, true, 1_000],
    ['half is just below the floor of a rate limit', 60_000, 1_999, true, undefined],
    ['half is just below the floor of other failures', 60_000, 499, false, undefined],
    ['the floor of other failures still fits', 60_000, 500, false, 250],
    ['nothing left', 1_000, 0, false, undefined]
  ])('%s', (_case, wait, remaining, rateLimited, expected) => {
    expect(fitWaitMs(wait, remaining, rateLimited)).toBe(expected)
  })
})

describe('retryable', () => {
  it.each([
    [429, 'POST', false, true],
    [502, 'POST', false, true],
    [503, 'PUT', false, true],
    [504, 'POST', false, true],
    [500, 'POST', false, false],
    [500, 'PUT', false, false],
    [500, 'POST', true, true],
    [500, 'GET', false, true],
    [500, 'DELETE', false, true],
    [501, 'GET', true, false],
    [400, 'GET', true, false],
    [401, 'GET', false, false],
    [404, 'DELETE', false, false],
    [409, 'POST', true, false]
  ] as const)('%i on %s (idempotent %s) → %s', (status, method, idempotent, expected) => {
    expect(retryable(status, method, idempotent)).toBe(expected)
  })
})

describe('Http.request', () => {
  it('sends JSON with its content type and returns the parsed answer', async () => {
    const { http, script } = client([{ status: 201, text: '{"id":"a1"}', headers: { 'x-request-id': 'req-9' } }])
    const res = await http.request({ ...POST, json: { name: 'x' }, headers: { 'x-api-key': 'k' } })
    expect(res).toMatchObject({ status: 201, body: { id: 'a1' }, requestId: 'req-9', attempts: 1, afterUnknownOutcome: false })
    expect(script.sent[0]).toMatchObject({
      method: 'POST',
      url: POST.url,
      body: '{"name":"x"}',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'x-api-key': 'k' }
    })
  })

  it('sends a form body form-encoded', async () => {
    const { http, script } = client([{ status: 200, text: '' }])
    const res = await http.request({ ...POST, form: { a: 'b c', d: '&' } })
    expect(res.body).toBeUndefined()
    expect(script.sent[0].body).toBe('a=b+c&d=%26')
    expect(script.sent[0].headers['Content-Type']).toBe('application/x-www-form-urlencoded')
  })

  it('reads a blank answer as no body', async () => {
    const { http } = client([{ status: 200, text: '  \n' }])
    expect((await http.request(GET)).body).toBeUndefined()
  })

  it.each([199, 300, 302])('takes a %i as an error', async status => {
    const { http } = client([{ status, text: '{"message":"odd"}' }])
    const err = await failure(http.request(GET))
    expect(err.message).toBe(`Test: read item failed: HTTP ${status}: odd`)
  })

  it('writes a debug line per attempt and per answer', async () => {
    const debug: string[] = []
    const { http } = client([{ status: 503 }, { status: 200, text: '{}', headers: { 'x-request-id': 'r-7' } }], {
      log: { info: () => undefined, notice: () => undefined, warning: () => undefined, debug: m => void debug.push(m) }
    })
    await http.request(GET)
    expect(debug).toEqual([
      'Test: GET https://p.example/items/1 (attempt 1)',
      'Test: GET https://p.example/items/1 -> 503',
      'Test: GET https://p.example/items/1 (attempt 2)',
      'Test: GET https://p.example/items/1 -> 200 (request id r-7)'
    ])
  })

  it('leaves no timer and no abort listener behind once an attempt is answered', async () => {
    vi.useFakeTimers()
    try {
      const listeners = new Map<string, number>()
      const count = (type: string, by: number): void => void listeners.set(type, (listeners.get(type) ?? 0) + by)
      const signal = {
        aborted: false,
        addEventListener: (type: string) => count(type, 1),
        removeEventListener: (type: string) => count(type, -1)
      } as unknown as AbortSignal
      const http = new Http({ provider: 'Test', deadline: new Deadline(60_000, undefined, signal), log: logger(), transport: async () => ({ status: 200, headers: {}, text: '{}' }) })
      await http.request(GET)
      expect(vi.getTimerCount()).toBe(0)
      expect([...listeners]).toEqual([['abort', 0]])
    } finally {
      vi.useRealTimers()
    }
  })

  it('sends no body and no content type without one, and keeps text that is not JSON', async () => {
    const { http, script } = client([{ status: 200, text: 'plain words' }])
    expect((await http.request(GET)).body).toBe('plain words')
    expect(script.sent[0].body).toBeUndefined()
    expect(script.sent[0].headers['Content-Type']).toBeUndefined()
  })

  it('reads the GitHub request id', async () => {
    const { http } = client([{ status: 200, text: '{}', headers: { 'x-github-request-id': 'gh-1' } }])
    expect((await http.request(GET)).requestId).toBe('gh-1')
  })

  it('takes an accepted status as an answer, and reads the Adobe request id', async () => {
    const { http } = client([{ status: 404, text: '{}', headers: { 'x-adobe-request-id': 'ad-1' } }])
    const res = await http.request({ ...GET, accept: [404] })
    expect(res).toMatchObject({ status: 404, requestId: 'ad-1' })
  })

  it('gives each attempt the shorter of its own timeout and what is left of the step', async () => {
    const { http, script, clock } = client([{ status: 503 }, { status: 200 }], { timeoutMs: 30_100, requestTimeoutMs: 30_000 })
    await http.request(GET)
    expect(script.sent[0].timeoutMs).toBe(30_000)
    expect(script.sent[1].timeoutMs).toBe(30_100 - (clock.t - script.at[0]))
  })

  it('does not retry a 4xx, and shapes its error with code, text, request id and hint', async () => {
    const { http, script } = client([{ status: 401, text: '{"error_code":"401013","message":"Oauth token is not valid"}', headers: { 'x-request-id': 'r-1' } }], {
      hint: (status, code, message) => `hint ${status} ${code} ${message}`
    })
    const err = (await failure(http.request(POST))) as ProviderError
    expect(err).toBeInstanceOf(ProviderError)
    expect(err.message).toBe('Test: create item failed: HTTP 401 401013: Oauth token is not valid (request id r-1). hint 401 401013 Oauth token is not valid')
    expect(err.details.afterUnknownOutcome).toBe(false)
    expect(script.at).toHaveLength(1)
  })

  it('retries 502, 503 and 504 and says why on one line each', async () => {
    const { http, script, log } = client([{ status: 502 }, { status: 503, text: '{"error":"busy"}', headers: { 'x-request-id': 'q-2' } }, { status: 504 }, { status: 200, text: '{}' }])
    const res = await http.request(POST)
    expect(res.attempts).toBe(4)
    expect(script.at).toHaveLength(4)
    expect(log.lines).toHaveLength(3)
    expect(log.lines[1]).toMatch(/^Test: create item: HTTP 503 busy \(request id q-2\); retrying in \d+\.\d s \(attempt 3 of at most 8\)$/)
  })

  it.each([500, 502, 503, 504])('marks the outcome unknown after a %i', async status => {
    const { http } = client([{ status }, { status: 200, text: '{}' }], { maxAttempts: 3 })
    const res = await http.request({ ...POST, idempotent: true })
    expect(res.afterUnknownOutcome).toBe(true)
  })

  it.each([429, 400])('does not mark the outcome unknown after a %i', async status => {
    const { http } = client([{ status }, { status: 200, text: '{}' }])
    const res = await http.request({ ...POST, accept: [400] })
    expect(res.afterUnknownOutcome).toBe(false)
  })

  it('says the outcome is unknown when the last answer of a create is a 503 or a 500', async () => {
    for (const status of [503, 500]) {
      const { http } = client([{ status }], { maxAttempts: 2 })
      const err = (await failure(http.request(POST))) as ProviderError
      expect(err.details.afterUnknownOutcome, String(status)).toBe(true)
    }
  })

  it('retries a 500 only where repeating is harmless', async () => {
    const post = client([{ status: 500 }, { status: 200, text: '{}' }])
    expect(await failure(post.http.request(POST))).toBeInstanceOf(ProviderError)
    expect(post.script.at).toHaveLength(1)
    const idem = client([{ status: 500 }, { status: 200, text: '{}' }])
    expect((await idem.http.request({ ...POST, idempotent: true })).attempts).toBe(2)
  })

  it('gives up after maxAttempts with the last error', async () => {
    const { http, script } = client([{ status: 502, text: '{"error":"down"}' }], { maxAttempts: 3 })
    const err = (await failure(http.request(GET))) as ProviderError
    expect(err.message).toContain('HTTP 502: down')
    expect(script.at).toHaveLength(3)
  })

  it('retries a lost connection, marks the outcome unknown, and gives up saying how often it tried', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
    const { http, script, log } = client([reset], { maxAttempts: 3, random: () => 0 })
    const err = (await failure(http.request(POST))) as ProviderError
    expect(err.message).toBe('Test: create item failed: no answer: ECONNRESET from p.example:443. Gave up after 3 attempts')
    expect(err.details.afterUnknownOutcome).toBe(true)
    expect(script.at).toHaveLength(3)
    // Not a rate limit: the short floor, not the second a 429 waits.
    expect(script.at[1] - script.at[0]).toBe(BACKOFF_FLOOR_MS)
    expect(log.lines[0]).toMatch(/^Test: create item: ECONNRESET from p\.example:443; retrying in 0\.3 s \(attempt 2 of at most 3\)$/)
  })

  it('names a failure that is not even an Error', async () => {
    const { http } = client([], { maxAttempts: 1, transport: () => Promise.reject(undefined) })
    expect((await failure(http.request(GET))).message).toBe('Test: read item failed: no answer: undefined from p.example:443. Gave up after 1 attempts')
  })

  it('names a network error by its code and adds its message only when it says more', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
    const { http } = client([reset], { maxAttempts: 1 })
    expect((await failure(http.request(GET))).message).toContain('no answer: ECONNRESET (socket hang up) from p.example:443.')
    const bare = client([new Error('boom')], { maxAttempts: 1 })
    expect((await failure(bare.http.request(GET))).message).toContain('no answer: boom from p.example:443.')
    const coded = client([Object.assign(new Error('ETIMEDOUT'), { code: 'ETIMEDOUT' })], { maxAttempts: 1 })
    expect((await failure(coded.http.request(GET))).message).toContain('no answer: ETIMEDOUT from p.example:443.')
  })

  it('answers a network failure after a success with a success that knows the outcome was unknown', async () => {
    const { http } = client([new Error('reset'), { status: 409, text: '{}' }])
    const res = await http.request({ ...POST, accept: [409] })
    expect(res).toMatchObject({ status: 409, attempts: 2, afterUnknownOutcome: true })
  })

  it('stops at once on a cancel, naming the call', async () => {
    const ctrl = new AbortController()
    ctrl.abort()
    const clock = virtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const { http } = client([{ status: 200 }], { deadline: new Deadline(60_000, clock, ctrl.signal) })
    const err = await failure(http.request(GET))
    expect(err).toBeInstanceOf(CancelledError)
    expect(err.message).toBe('Cancelled while read item (Test)')
  })

  it('turns a cancel during an attempt into a CancelledError naming the call', async () => {
    const ctrl = new AbortController()
    const clock = virtualClock(Date.parse('2026-01-01T00:00:00Z'))
    const http = new Http({
      provider: 'Test',
      deadline: new Deadline(60_000, clock, ctrl.signal),
      log: logger(),
      transport: () => {
        ctrl.abort()
        return new Promise(() => undefined)
      }
    })
    const err = await failure(http.request(GET))
    expect(err).toBeInstanceOf(CancelledError)
    expect(err.message).toBe('Cancelled while read item (Test)')
  })

  it('ends an attempt that gets no answer within its timeout, and retries it', async () => {
    let calls = 0
    const http = new Http({
      provider: 'Test',
      deadline: new Deadline(60_000),
      log: logger(),
      requestTimeoutMs: 30,
      maxAttempts: 2,
      backoffBaseMs: 1,
      transport: () => (++calls === 1 ? new Promise(() => undefined) : Promise.resolve({ status: 200, headers: {}, text: '{"ok":true}' }))
    })
    const res = await http.request(GET)
    expect(res).toMatchObject({ attempts: 2, body: { ok: true }, afterUnknownOutcome: true })
  })

  it('reports the timeout of an attempt that never answers', async () => {
    const http = new Http({ provider: 'Test', deadline: new Deadline(60_000), log: logger(), requestTimeoutMs: 20, maxAttempts: 1, transport: () => new Promise(() => undefined) })
    expect((await failure(http.request(GET))).message).toBe('Test: read item failed: no answer: ETIMEDOUT (no answer within 0.0 s) from p.example:443. Gave up after 1 attempts')
  })
})

describe('Retry-After and backoff', () => {
  it('waits for a 403 that says it is a rate limit like for a 429, at least a second', async () => {
    const { http, script } = client([{ status: 403, headers: { 'x-ratelimit-remaining': '0' } }, { status: 403, headers: { 'retry-after': '0' } }, { status: 200, text: '{}' }], { random: () => 0 })
    expect((await http.request(GET)).attempts).toBe(3)
    for (const gap of script.at.slice(1).map((t, i) => t - script.at[i])) expect(gap).toBe(RATE_LIMIT_FLOOR_MS)
  })

  it('does not retry a 403 that is not a rate limit', async () => {
    const { http, script } = client([{ status: 403, headers: { 'x-ratelimit-remaining': '12' } }])
    await failure(http.request(GET))
    expect(script.at).toHaveLength(1)
  })

  it('waits what a 429 asks, then retries', async () => {
    const { http, script, log } = client([{ status: 429, headers: { 'retry-after': '7' } }, { status: 200, text: '{}' }])
    await http.request(POST)
    expect(script.at[1] - script.at[0]).toBe(7000)
    expect(log.lines[0]).toMatch(/HTTP 429; retrying in 7\.0 s \(attempt 2 of at most 8\)$/)
  })

  it.each([
    ['zero', { 'retry-after': '0' }],
    ['negative', { 'retry-after': '-30' }],
    ['a date in the past', { 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }],
    ['a reset in the past', { 'x-ratelimit-reset': String(Date.parse('2025-12-31T23:00:00Z') / 1000) }],
    ['unparseable', { 'retry-after': 'in a while' }],
    ['missing', {}]
  ])('a 429 whose Retry-After is %s waits at least a second: no retry storm', async (_case, headers) => {
    const { http, script } = client([{ status: 429, headers }], { random: () => 0, maxAttempts: 8 })
    await failure(http.request(POST))
    expect(script.at).toHaveLength(8)
    for (let i = 1; i < script.at.length; i++) expect(script.at[i] - script.at[i - 1]).toBeGreaterThanOrEqual(RATE_LIMIT_FLOOR_MS)
    expect(peakPerSecond(script.at)).toBe(1)
  })

  it('a 503 answered at once, again and again, is retried at most four times a second', async () => {
    const { http, script } = client([{ status: 503, headers: { 'retry-after': '0' } }], { random: () => 0, maxAttempts: 8 })
    await failure(http.request(GET))
    expect(script.at).toHaveLength(8)
    expect(peakPerSecond(script.at)).toBeLessThanOrEqual(4)
    for (let i = 1; i < script.at.length; i++) expect(script.at[i] - script.at[i - 1]).toBeGreaterThanOrEqual(BACKOFF_FLOOR_MS)
  })

  it('falls back to full-jitter exponential backoff, capped', async () => {
    const { http, script } = client([{ status: 503 }], { random: () => 1, maxAttempts: 7, backoffBaseMs: 500, backoffCapMs: 10_000 })
    await failure(http.request(GET))
    const gaps = script.at.slice(1).map((t, i) => t - script.at[i])
    expect(gaps).toEqual([500, 1000, 2000, 4000, 8000, 10_000])
  })

  it('draws the backoff from the jitter', async () => {
    const { http, script } = client([{ status: 503 }, { status: 200, text: '{}' }], { random: () => 0.8, backoffBaseMs: 1000 })
    await http.request(GET)
    expect(script.at[1] - script.at[0]).toBe(800)
  })

  it('an absurdly large Retry-After is capped at a minute', async () => {
    const { http, script, log } = client([{ status: 429, headers: { 'retry-after': '999999999' } }, { status: 200, text: '{}' }])
    await http.request(POST)
    expect(script.at[1] - script.at[0]).toBe(RETRY_AFTER_CAP_MS)
    expect(log.lines[0]).toContain('retrying in 60.0 s (attempt 2')
  })

  it('a Retry-After longer than the step has left still gets a capped retry, halfway through what is left', async () => {
    const { http, script, log } = client([{ status: 429, headers: { 'retry-after': '3600' } }, { status: 200, text: '{}' }], { timeoutMs: 20_000 })
    const res = await http.request(POST)
    expect(res.attempts).toBe(2)
    expect(script.at[1] - script.at[0]).toBe(10_000)
    expect(log.lines[0]).toBe('Test: create item: HTTP 429; retrying in 10.0 s (60.0 s asked; less is left of `timeout`) (attempt 2 of at most 8)')
  })

  it('keeps halving while the provider keeps asking too much, then fails naming the ask and the budget', async () => {
    const { http, script } = client([{ status: 429, headers: { 'retry-after': '3600' }, text: '{"error":"slow down"}' }], { timeoutMs: 20_000 })
    const err = (await failure(http.request(POST))) as ProviderError
    expect(err).toBeInstanceOf(ProviderError)
    expect(err.message).toMatch(/^Test: create item failed: HTTP 429: slow down\. The provider asked to wait 3600 s before retrying; only 1\.\d s of `timeout` are left$/)
    const gaps = script.at.slice(1).map((t, i) => t - script.at[i])
    expect(gaps).toEqual([10_000, 5_000, 2_500, 1_250])
  })

  it('keeps the provider hint after the one about the wait', async () => {
    const { http } = client([{ status: 429, headers: { 'retry-after': '100' } }], { timeoutMs: 1_500, hint: () => 'Fewer jobs at once' })
    const err = await failure(http.request(POST))
    expect(err.message).toMatch(/The provider asked to wait 100 s before retrying; only 1\.5 s of `timeout` are left\. Fewer jobs at once$/)
  })

  it('a retry that no longer fits without a Retry-After ends as a timeout naming the last failure', async () => {
    const { http } = client([{ status: 503, text: '{"error":"down"}' }], { timeoutMs: 300 })
    const err = await failure(http.request(GET))
    expect(err).toBeInstanceOf(DeadlineError)
    expect(err.message).toBe('Timed out after 0 s while read item (Test); last failure: HTTP 503 down. Raise the `timeout` input to retry for longer')
  })

  it('a 429 that asks for no wait, with too little time left for the 1 s floor, ends as a timeout', async () => {
    const { http } = client([{ status: 429, headers: { 'retry-after': '0' } }], { timeoutMs: 1_500 })
    const err = await failure(http.request(POST))
    expect(err).toBeInstanceOf(DeadlineError)
    expect(err.message).toMatch(/last failure: HTTP 429/)
  })

  it('a cancel while waiting to retry says so', async () => {
    const ctrl = new AbortController()
    const clock = virtualClock()
    const http = new Http({
      provider: 'Test',
      deadline: new Deadline(60_000, clock, ctrl.signal),
      // The job is cancelled right as the retry is announced, before its wait.
      log: { ...logger(), info: () => ctrl.abort() },
      transport: async () => ({ status: 503, headers: {}, text: '' })
    })
    const err = await failure(http.request(GET))
    expect(err).toBeInstanceOf(CancelledError)
    expect(err.message).toBe('Cancelled while waiting to retry read item (Test)')
  })

  it('a network failure with no time left for a wait ends as a timeout', async () => {
    const { http } = client([Object.assign(new Error('x'), { code: 'ECONNRESET' })], { timeoutMs: 2_000, random: () => 1, backoffBaseMs: 5_000 })
    const err = await failure(http.request(GET))
    expect(err).toBeInstanceOf(DeadlineError)
    expect(err.message).toMatch(/^Timed out after 2 s while read item \(Test\); last failure: ECONNRESET \(x\)/)
  })

  it('the retries of one call stay inside the step deadline', async () => {
    const { http, script, clock, deadline } = client([{ status: 503 }], { timeoutMs: 5_000, random: () => 1, maxAttempts: 50 })
    await failure(http.request(GET))
    expect(clock.t).toBeLessThanOrEqual(deadline.endsAt)
    expect(script.at.length).toBeLessThan(12)
  })
})

describe('provider text in errors', () => {
  const KEY = 'k3y/with"odd+chars é'
  function withSecret() {
    const secrets = new Secrets(() => undefined)
    secrets.add(KEY)
    return secrets
  }

  it.each([
    ['JSON with \\/ escapes', `{"error":"bad key ${JSON.stringify(KEY).slice(1, -1).replace(/\//g, '\\/')}"}`],
    ['JSON with \\u escapes', `{"error":"bad key ${[...KEY].map(c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"}`],
    ['URL-encoded', `{"error":"bad key ${encodeURIComponent(KEY)}"}`],
    ['form-encoded', `bad key ${new URLSearchParams({ k: KEY }).toString().slice(2)}`],
    ['base64', `bad key ${Buffer.from(KEY).toString('base64')}`],
    ['in HTML', `<html><body><p>bad key ${KEY.replace(/"/g, '&quot;')}</p></body></html>`],
    ['in a body of unknown shape', `{"detail":{"key":"bad key ${JSON.stringify(KEY).slice(1, -1)}"}}`]
  ])('a secret echoed %s is redacted in the error', async (_how, text) => {
    const { http } = client([{ status: 401, text }], { redact: t => withSecret().redact(t) })
    const err = await failure(http.request(POST))
    expect(err.message).toContain('bad key ***')
    expect(err.message).not.toContain('k3y')
    expect(err.message).not.toContain('chars')
  })

  it('redacts before the excerpt is cut: no part of a secret is left at the cut', async () => {
    const pad = 'x'.repeat(190)
    const { http } = client([{ status: 400, text: `<p>${pad} ${KEY} tail</p>` }], { redact: t => withSecret().redact(t) })
    const err = await failure(http.request(POST))
    expect(err.message).toContain(`${pad} *** tail`)
    expect(err.message).not.toContain('k3y')
  })

  it('uses the logger\'s redaction when none is given', async () => {
    const log = { ...logger(), redact: (t: string) => withSecret().redact(t) }
    const { http } = client([{ status: 401, text: `{"error":"bad key ${encodeURIComponent(KEY)}"}` }], { log })
    expect((await failure(http.request(POST))).message).toContain('bad key ***')
  })

  it('keeps provider text on one line that cannot start a workflow command', async () => {
    const { http, log } = client([{ status: 503, text: '{"error":"busy\\n::stop-commands::x"}', headers: { 'x-request-id': '::id' } }, { status: 400, text: '::add-mask::\r\nx' }])
    const err = await failure(http.request(POST))
    expect(log.lines[0]).toContain('HTTP 503 busy ::stop-commands::x (request id : :id)')
    expect(err.message).toContain('HTTP 400: : :add-mask:: x')
    for (const line of [...log.lines, err.message]) expect(line).not.toMatch(/[\r\n]/)
  })
})

describe('network failures name the host and the input, and a wrong URL is not waited out', () => {
  // A base URL with what must never reach a message: credentials, a path, a query.
  const URL_WITH_SECRETS = 'https://user:pa55word@api.example:8443/v1/items?key=s3cret'
  const source = (url: string): string | undefined => (url.startsWith('https://user:pa55word@api.example:8443/') ? 'the `x-url` input' : undefined)
  const OPENSSL = '80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/ssl/record/ssl3_record.c:354:'
  const err = (code: string | undefined, message: string): Error => Object.assign(new Error(message), code === undefined ? {} : { code })

  type Kind = 'unreachable' | 'tls' | 'lost'
  // [code, the error's own message, kind, what the message says of it]
  const TABLE: [string | undefined, string, Kind, string][] = [
    ['ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.7:8443', 'unreachable', 'connection refused by api.example:8443 (ECONNREFUSED)'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND api.example', 'unreachable', 'the host of api.example:8443 could not be found (ENOTFOUND)'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN api.example', 'unreachable', 'the host of api.example:8443 could not be found (EAI_AGAIN)'],
    ['EAI_FAIL', 'getaddrinfo EAI_FAIL api.example', 'unreachable', 'the host of api.example:8443 could not be found (EAI_FAIL)'],
    ['EAI_NODATA', 'getaddrinfo EAI_NODATA api.example', 'unreachable', 'the host of api.example:8443 could not be found (EAI_NODATA)'],
    ['EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.7:8443', 'unreachable', 'no route to api.example:8443 (EHOSTUNREACH)'],
    ['ENETUNREACH', 'connect ENETUNREACH 10.0.0.7:8443', 'unreachable', 'no route to api.example:8443 (ENETUNREACH)'],
    ['CERT_HAS_EXPIRED', 'certificate has expired', 'tls', 'TLS with api.example:8443 failed: CERT_HAS_EXPIRED (certificate has expired)'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate', 'tls', 'TLS with api.example:8443 failed: DEPTH_ZERO_SELF_SIGNED_CERT (self-signed certificate)'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', 'tls', 'failed: SELF_SIGNED_CERT_IN_CHAIN (self-signed certificate in certificate chain)'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', 'tls', 'failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE (unable to verify the first certificate)'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate', 'tls', 'failed: UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
    ['CERT_NOT_YET_VALID', 'certificate is not yet valid', 'tls', 'failed: CERT_NOT_YET_VALID'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames: Host: api.example. is not in the cert's altnames: DNS:other.example", 'tls', 'failed: ERR_TLS_CERT_ALTNAME_INVALID (Hostname/IP'],
    ['EPROTO', `write EPROTO ${OPENSSL}`, 'tls', 'TLS with api.example:8443 failed: EPROTO (wrong version number)'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', `${OPENSSL}`, 'tls', 'failed: ERR_SSL_WRONG_VERSION_NUMBER (wrong version number)'],
    ['ECONNRESET', 'socket hang up', 'lost', 'ECONNRESET (socket hang up) from api.example:8443'],
    ['ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.7:8443', 'lost', 'ETIMEDOUT from api.example:8443'],
    ['EPIPE', 'write EPIPE', 'lost', 'EPIPE from api.example:8443'],
    ['ECONNABORTED', 'aborted', 'lost', 'ECONNABORTED (aborted) from api.example:8443'],
    [undefined, 'something odd', 'lost', 'something odd from api.example:8443']
  ]
  const ATTEMPTS: Record<Kind, number> = { unreachable: UNREACHABLE_ATTEMPTS, tls: 1, lost: 8 }

  it('tries an unreachable host three times', () => expect(UNREACHABLE_ATTEMPTS).toBe(3))

  it.each(TABLE)('%s: sorted as the table says', (code, message, kind) => {
    expect(networkFailure(err(code, message))).toBe(kind)
  })

  it.each(TABLE)('%s (%s): attempts, message and outcome', async (code, message, kind, says) => {
    const { http, script, clock, deadline } = client([err(code, message)], { urlSource: source, random: () => 1 })
    const failed = (await failure(http.request({ method: 'POST', url: URL_WITH_SECRETS, action: 'create item' }))) as ProviderError
    expect(failed).toBeInstanceOf(ProviderError)
    expect(script.at).toHaveLength(ATTEMPTS[kind])
    expect(failed.message).toContain(`Test: create item failed: no answer: ${says.startsWith('failed: ') ? '' : says}`)
    expect(failed.message).toContain(says)
    // The host and port, and the input that set the URL; never its credentials, path or query.
    expect(failed.message).toContain('api.example:8443')
    expect(failed.message).toContain('the `x-url` input')
    for (const hidden of ['pa55word', 'user:', 's3cret', 'key=', '/v1/items']) expect(failed.message).not.toContain(hidden)
    // Only a lost connection may have reached the provider.
    expect(failed.details.afterUnknownOutcome).toBe(kind === 'lost')
    if (kind === 'lost') {
      expect(failed.message).toMatch(/\. Gave up after 8 attempts; the URL is from the `x-url` input$/)
    } else {
      // A wrong URL stays wrong: the advice is the URL, never more time, and the time spent is a few backoffs.
      expect(failed.message).not.toMatch(/timeout/i)
      expect(clock.t - deadline.startedAt).toBeLessThan(3_000)
      expect(failed.message).toMatch(kind === 'tls' ? /\. Not retried: .*Check that the `x-url` input names the right host/ : /\. Tried 3 times\. Check (the host name in )?the `x-url` input/)
    }
  })

  it.each(TABLE.filter(([, , kind]) => kind !== 'lost'))('%s with too little time left for a retry still names the URL, not the timeout', async (code, message) => {
    const { http, script } = client([err(code, message)], { urlSource: source, timeoutMs: 400 })
    const failed = await failure(http.request({ method: 'GET', url: URL_WITH_SECRETS, action: 'read item' }))
    expect(failed).toBeInstanceOf(ProviderError)
    expect(script.at).toHaveLength(1)
    expect(failed.message).toContain('the `x-url` input')
    expect(failed.message).not.toMatch(/timeout/i)
  })

  it('a lost connection with too little time left ends as a timeout naming the host and the input', async () => {
    const { http } = client([err('ECONNRESET', 'socket hang up')], { urlSource: source, timeoutMs: 400 })
    const failed = await failure(http.request({ method: 'GET', url: URL_WITH_SECRETS, action: 'read item' }))
    expect(failed).toBeInstanceOf(DeadlineError)
    expect(failed.message).toBe('Timed out after 0 s while read item (Test); last failure: ECONNRESET (socket hang up) from api.example:8443 (the URL is from the `x-url` input). Raise the `timeout` input to retry for longer')
  })

  it('the refused advice and the logged retries', async () => {
    const { http, log } = client([err('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.7:8443')], { urlSource: source, random: () => 0 })
    const failed = await failure(http.request({ method: 'GET', url: URL_WITH_SECRETS, action: 'read item' }))
    expect(failed.message).toBe(
      'Test: read item failed: no answer: connection refused by api.example:8443 (ECONNREFUSED). Tried 3 times. Check the `x-url` input (a wrong host or port?) and that the runner can reach that host'
    )
    expect(log.lines).toEqual([
      'Test: read item: connection refused by api.example:8443 (ECONNREFUSED); retrying in 0.3 s (attempt 2 of at most 3)',
      'Test: read item: connection refused by api.example:8443 (ECONNREFUSED); retrying in 0.3 s (attempt 3 of at most 3)'
    ])
  })

  it('an unknown host and a certificate get their own advice; without a known source, "the URL"', async () => {
    const notFound = client([err('ENOTFOUND', 'getaddrinfo ENOTFOUND sandbox.invalid')])
    expect((await failure(notFound.http.request({ method: 'GET', url: 'https://sandbox.invalid/x', action: 'read item' }))).message).toBe(
      'Test: read item failed: no answer: the host of sandbox.invalid:443 could not be found (ENOTFOUND). Tried 3 times. Check the host name in the URL and that the runner can resolve it (its DNS, a private network)'
    )
    const plain = client([err('EPROTO', `write EPROTO ${OPENSSL}`)])
    expect((await failure(plain.http.request({ method: 'GET', url: 'https://127.0.0.1:9/x', action: 'read item' }))).message).toBe(
      "Test: read item failed: no answer: TLS with 127.0.0.1:9 failed: EPROTO (wrong version number). Not retried: waiting does not change what the host presents. Check that the URL names the right host (an http:// server behind an https:// URL?), and that the runner trusts 127.0.0.1:9's certificate (behind a proxy that inspects TLS, give Node its CA with NODE_EXTRA_CA_CERTS)"
    )
    const route = client([err('EHOSTUNREACH', 'x')], { urlSource: source })
    expect((await failure(route.http.request({ method: 'GET', url: URL_WITH_SECRETS, action: 'read item' }))).message).toMatch(
      /no route to api\.example:8443 \(EHOSTUNREACH\)\. Tried 3 times\. Check the `x-url` input and that the runner's network can reach api\.example:8443$/
    )
  })

  it('a refusal by the proxy says so, and which settings to check', async () => {
    const viaProxy = Object.assign(err('ECONNREFUSED', 'connect ECONNREFUSED 10.1.1.1:3128'), { proxy: 'proxy.corp:3128' })
    const { http } = client([viaProxy], { urlSource: source })
    const failed = await failure(http.request({ method: 'GET', url: URL_WITH_SECRETS, action: 'read item' }))
    expect(failed.message).toContain('connection refused by the proxy proxy.corp:3128 on the way to api.example:8443 (ECONNREFUSED)')
    expect(failed.message).toContain('Check the `x-url` input (or the proxy that https_proxy or http_proxy names, and no_proxy)')
    const lost = client([Object.assign(err('ECONNRESET', 'socket hang up'), { proxy: 'proxy.corp:3128' })], { maxAttempts: 1 })
    expect((await failure(lost.http.request(GET))).message).toContain('ECONNRESET (socket hang up) from p.example:443 through the proxy proxy.corp:3128')
  })

  it('counts only the attempts that found no host: after 503s, a refusal still gets its three tries, within maxAttempts', async () => {
    const refused = err('ECONNREFUSED', 'connect ECONNREFUSED')
    const mixed = client([{ status: 503 }, { status: 503 }, refused, refused, refused, { status: 200, text: '{}' }])
    expect(await failure(mixed.http.request(GET))).toBeInstanceOf(ProviderError)
    expect(mixed.script.at).toHaveLength(5)
    const capped = client([{ status: 503 }, refused], { maxAttempts: 3 })
    const failed = await failure(capped.http.request(GET))
    expect(capped.script.at).toHaveLength(3)
    expect(failed.message).toContain('Tried 2 times')
    expect(capped.log.lines[1]).toContain('(attempt 3 of at most 3)')
    const single = client([refused], { maxAttempts: 1 })
    await failure(single.http.request(GET))
    expect(single.script.at).toHaveLength(1)
  })

  it('a refusal that clears on the second try is an answer, with its outcome known', async () => {
    const { http } = client([err('ECONNREFUSED', 'x'), { status: 201, text: '{}' }])
    expect(await http.request(POST)).toMatchObject({ status: 201, attempts: 2, afterUnknownOutcome: false })
  })

  it('a refusal after a lost connection keeps the outcome unknown', async () => {
    const { http } = client([err('ECONNRESET', 'x'), err('ECONNREFUSED', 'x')])
    const failed = (await failure(http.request(POST))) as ProviderError
    expect(failed.details.afterUnknownOutcome).toBe(true)
  })

  it('the post step says `cleanup-timeout`, the input that bounds it', async () => {
    const clock = virtualClock(0)
    const { http } = client([err('ECONNRESET', 'x')], { deadline: new Deadline(400, clock, undefined, 'cleanup-timeout') })
    expect((await failure(http.request(GET))).message).toMatch(/Raise the `cleanup-timeout` input to retry for longer$/)
  })
})

describe('hostPort', () => {
  it.each([
    ['https://platform.adobe.io/data/foundation', 'platform.adobe.io:443'],
    ['http://127.0.0.1:4010/x?y=1', '127.0.0.1:4010'],
    ['http://localhost/', 'localhost:80'],
    ['https://user:secret@h.example:8443/p', 'h.example:8443'],
    ['http://[::1]:9/', '[::1]:9'],
    ['ftp://files.example/x', 'files.example'],
    ['not a url', 'the host']
  ])('%s → %s', (url, expected) => expect(hostPort(url)).toBe(expected))
})
