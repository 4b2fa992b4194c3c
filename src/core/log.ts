// The logger every layer writes to, and the text rules for a log line: no line can start a
// workflow command, whatever the network sent. The runner's logger (src/runner/log.ts) and
// the command line's put these rules in front of their output.

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
