// How a failure reaches the user: an error annotation whose title names the action (the
// annotation list shows titles, not step names), and, where the request log would explain
// it, a pointer to debug logging.
import { DeadlineError, ProviderError } from './errors'

export const ACTION_NAME = 'Ephemeral Sandbox'

export function failureTitle(what?: string): string {
  return what ? `${ACTION_NAME}: ${what} failed` : `${ACTION_NAME} failed`
}

/**
 * A hint to re-run with debug logging, for failures in the talk with a provider: the debug
 * log lists every request and answer. Not when debug logging is on already, and not for
 * bad inputs or cancels, which the message explains in full.
 */
export function debugHint(err: unknown, env: NodeJS.ProcessEnv): string {
  if (env.RUNNER_DEBUG === '1') return ''
  if (!(err instanceof ProviderError) && !(err instanceof DeadlineError)) return ''
  return '. To see every request and answer, re-run the job with debug logging enabled (Re-run jobs → Enable debug logging)'
}
