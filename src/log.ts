// Log lines go through here so that every line is redacted before it reaches the runner,
// even when a secret arrives in a form the runner's mask would not catch.
import * as core from '@actions/core'
import type { Secrets } from './secrets'

export interface Logger {
  info(message: string): void
  notice(message: string): void
  warning(message: string): void
  debug(message: string): void
  /** runs `fn` inside a collapsible log section (optional: test loggers may leave it out) */
  group?<T>(title: string, fn: () => Promise<T>): Promise<T>
}

/** A long phase in its own log section, where the logger has sections. */
export function inGroup<T>(log: Logger, title: string, fn: () => Promise<T>): Promise<T> {
  return log.group ? log.group(title, fn) : fn()
}

export function runnerLogger(secrets: Secrets): Logger {
  return {
    info: m => core.info(secrets.redact(m)),
    notice: m => core.notice(secrets.redact(m)),
    warning: m => core.warning(secrets.redact(m)),
    debug: m => core.debug(secrets.redact(m)),
    group: (title, fn) => core.group(secrets.redact(title), fn)
  }
}
