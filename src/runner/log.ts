// Log lines go through here so that every line is redacted before it reaches the runner,
// even when a secret arrives in a form the runner's mask would not catch, and so that no
// line can start a workflow command (`core.info` writes its text as it is).
import * as core from '@actions/core'
import { oneLine, safeLines, type Logger } from '../core/log'
import type { Secrets } from '../core/secrets'

/** Where the runner logger writes: @actions/core, or a stand-in in tests. */
export type LogSink = Pick<typeof core, 'info' | 'notice' | 'warning' | 'debug'>

export function runnerLogger(secrets: Secrets, sink: LogSink = core): Logger {
  // Redact first: a secret that holds a line break is still whole when it is looked for.
  const clean = (m: string): string => safeLines(secrets.redact(m))
  return {
    info: m => sink.info(clean(m)),
    notice: m => sink.notice(clean(m)),
    warning: m => sink.warning(clean(m)),
    debug: m => sink.debug(clean(m)),
    redact: text => secrets.redact(text),
    group: (title, fn) => core.group(oneLine(secrets.redact(title)), fn)
  }
}
