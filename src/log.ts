// Log lines go through here so that every line is redacted before it reaches the runner,
// even when a secret arrives in a form the runner's mask would not catch, and so that no
// line can start a workflow command (`core.info` writes its text as it is).
import * as core from '@actions/core'
import type { Secrets } from './secrets'

export interface Logger {
  info(message: string): void
  notice(message: string): void
  warning(message: string): void
  debug(message: string): void
  /** the step's redaction, for text cut short before it is logged (an error excerpt) */
  redact?(text: string): string
  /** runs `fn` inside a collapsible log section (optional: test loggers may leave it out) */
  group?<T>(title: string, fn: () => Promise<T>): Promise<T>
}

/** A long phase in its own log section, where the logger has sections. */
export function inGroup<T>(log: Logger, title: string, fn: () => Promise<T>): Promise<T> {
  return log.group ? log.group(title, fn) : fn()
}

// Line breaks (the runner reads a command from the start of any line), the other C0 and C1
// controls (terminal escapes that could hide or rewrite what the log shows) and the Unicode
// line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g

/**
 * Text from the network made safe to put on one log line: control characters become spaces,
 * a leading `::` (after any blanks, which the runner skips) can no longer start a command,
 * and `##[`, the older command form the runner finds anywhere in a line, is broken up.
 */
export function oneLine(text: string): string {
  return commandFree(text.replace(CONTROL, ' '))
}

/** A line that cannot be read as a workflow command, whatever it holds. */
function commandFree(line: string): string {
  return line.replace(/##\[/g, '## [').replace(/^(\s*):(?=:)/, '$1: ')
}

/** Each line of a message made command-free; the line breaks of our own messages stay. */
export function safeLines(message: string): string {
  return message
    .split(/\r\n|\r|\n/)
    .map(line => commandFree(line.replace(CONTROL, ' ')))
    .join('\n')
}

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
