// Log lines go through here so that every line is redacted before it reaches the runner,
// even when a secret arrives in a form the runner's mask would not catch.
import * as core from '@actions/core'
import type { Secrets } from './secrets'

export interface Logger {
  info(message: string): void
  notice(message: string): void
  warning(message: string): void
  debug(message: string): void
}

export function runnerLogger(secrets: Secrets): Logger {
  return {
    info: m => core.info(secrets.redact(m)),
    notice: m => core.notice(secrets.redact(m)),
    warning: m => core.warning(secrets.redact(m)),
    debug: m => core.debug(secrets.redact(m))
  }
}
