// The command line's log: every line to stderr (stdout carries the outputs), redacted first
// and then made command-safe, the same two rules as the runner's log.
import { safeLines, type Logger } from '../core/log'
import type { Secrets } from '../core/secrets'

export type Write = (text: string) => void

export const stderrWrite: Write = text => void process.stderr.write(text)

/** Debug lines only when asked for: RUNNER_DEBUG=1 (as on a runner) or EPHEMERAL_SANDBOX_DEBUG=1. */
export function debugOn(env: NodeJS.ProcessEnv): boolean {
  return env.RUNNER_DEBUG === '1' || env.EPHEMERAL_SANDBOX_DEBUG === '1'
}

export function cliLogger(secrets: Secrets, env: NodeJS.ProcessEnv, write: Write = stderrWrite): Logger {
  const clean = (m: string): string => safeLines(secrets.redact(m))
  const line = (prefix: string, m: string): void => write(`${prefix}${clean(m)}\n`)
  return {
    info: m => line('', m),
    notice: m => line('notice: ', m),
    warning: m => line('warning: ', m),
    debug: m => (debugOn(env) ? line('debug: ', m) : undefined),
    redact: text => secrets.redact(text),
    group: async (title, fn) => {
      line('▸ ', title)
      return fn()
    }
  }
}

/** A failure's message for a terminal: flags instead of the action's input words, and how to see the requests here. */
export function cliMessage(message: string): string {
  return message
    .replace(/Input `([a-z-]+)`:/g, '--$1:')
    .replace(/re-run the job with debug logging enabled \(Re-run jobs → Enable debug logging\)/, 'run again with EPHEMERAL_SANDBOX_DEBUG=1')
}
