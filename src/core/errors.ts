// Error types the action tells apart. Every message here is shown to users, so it is
// written to be read: what failed, why, and what to check.
import { oneLine } from './log'

/** A bad input, found before any request is made. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string
  ) {
    super(`Input \`${input}\`: ${message}`)
    this.name = 'InputError'
  }
}

export interface ProviderErrorDetails {
  provider: string
  /** what the action was doing, e.g. "generate sandbox" */
  action: string
  /** HTTP status, or 0 when no answer came */
  status: number
  /** the provider's own error text */
  providerMessage?: string
  /** the provider's error code, e.g. SMS-2077-400 or 401013 */
  code?: string
  requestId?: string
  /** what to check */
  hint?: string
  /**
   * the provider may have carried this call out: an attempt timed out, lost its connection
   * or answered a 5xx (the last attempt included)
   */
  afterUnknownOutcome?: boolean
}

/** A provider answered with an error (or did not answer at all). */
export class ProviderError extends Error {
  readonly details: ProviderErrorDetails
  constructor(details: ProviderErrorDetails) {
    super(formatProviderError(details))
    this.name = 'ProviderError'
    this.details = details
  }
  get status(): number {
    return this.details.status
  }
}

/** The message of a ProviderError; the provider's own words (text, code, request id) kept to one command-free line. */
export function formatProviderError(d: ProviderErrorDetails): string {
  const parts = [`${d.provider}: ${d.action} failed`]
  parts[0] += d.status ? `: HTTP ${d.status}` : ': no answer'
  if (d.code) parts[0] += ` ${oneLine(d.code)}`
  if (d.providerMessage) parts[0] += `: ${oneLine(d.providerMessage)}`
  if (d.requestId) parts[0] += ` (request id ${oneLine(d.requestId)})`
  if (d.hint) parts.push(d.hint)
  return parts.join('. ')
}

/** The step's `timeout` ran out. */
/** An answer that cannot be read as what was asked for: it never permits a change. */
export class UnreadableAnswerError extends ProviderError {}

export class DeadlineError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DeadlineError'
  }
}

/** The runner asked the step to stop (the job was cancelled). */
export class CancelledError extends Error {
  constructor(message = 'The step was cancelled') {
    super(message)
    this.name = 'CancelledError'
  }
}

/** A provider refused for a reason the action checks itself (safety rules, states). */
export class ActionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ActionError'
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
