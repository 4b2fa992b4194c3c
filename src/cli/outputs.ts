// The results of an operation for the terminal and for files. stdout shows every output with
// each secret replaced by *** (a CI log is kept, and GitLab masks only what it defined);
// --outputs-file gets them all, secrets included, with mode 0600: dotenv, or JSON for *.json.
import { closeSync, fchmodSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Secrets } from '../core/secrets'

/** `sandbox_name` → `SANDBOX_NAME`; names that are upper case already stay. */
export function dotenvKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()
}

/** A dotenv value: bare when plain, in single quotes when it has blanks or quotes, JSON-quoted when it has a line break or a single quote. */
export function dotenvValue(value: string): string {
  if (/^[A-Za-z0-9_./:@,+=*-]*$/.test(value)) return value
  if (!/['\r\n]/.test(value)) return `'${value}'`
  return JSON.stringify(value)
}

export function formatDotenv(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${dotenvKey(k)}=${dotenvValue(v)}\n`)
    .join('')
}

/** What stdout shows: the dotenv lines with every secret as ***. */
export function shownOutputs(values: Record<string, string>, secrets: Secrets): string {
  return secrets.redact(formatDotenv(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, secrets.redact(v)]))))
}

/** Writes the file with mode 0600 from its first byte (a new file beside it, renamed over the path). */
export function writeOutputsFile(path: string, values: Record<string, string>): void {
  const text = path.endsWith('.json') ? `${JSON.stringify(values, null, 2)}\n` : formatDotenv(values)
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    fchmodSync(fd, 0o600)
    writeSync(fd, text)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}
