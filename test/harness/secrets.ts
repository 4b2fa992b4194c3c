// Assertions that a step never showed a secret: its first appearance in stdout is its own
// `::add-mask::` line, and it is in no other line, nor in the state or the summary, in any
// encoding; and no piece of it either.
import { expect } from 'vitest'
import { escapeData, unescapeData, type StepRun } from '../../scripts/local-runner'

export function forms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1)
  return [
    secret,
    json,
    json.replace(/\//g, '\\/'),
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url')
  ].filter((f, i, all) => f.length >= 6 && all.indexOf(f) === i)
}

export function expectMaskedEverywhere(run: StepRun, secrets: string[]): void {
  for (const secret of secrets.filter(s => s.length > 0)) {
    const lines = run.stdout.split('\n')
    const maskLine = `::add-mask::${escapeData(secret)}`
    const first = lines.findIndex(l => l.includes(secret) || l === maskLine)
    if (first >= 0) expect(lines[first], 'first appearance of a secret must be its mask').toBe(maskLine)
    for (const form of forms(secret)) {
      const leaks = lines.filter(l => l.includes(form) && !l.startsWith('::add-mask::'))
      expect(leaks, `secret leaked in stdout`).toEqual([])
      expect(run.stderr.includes(form), 'secret leaked in stderr').toBe(false)
      expect(run.files.state.includes(form), 'secret leaked in state').toBe(false)
      expect(run.files.summary.includes(form), 'secret leaked in summary').toBe(false)
    }
  }
}

/** The secret must have been masked (an `::add-mask::` line) by this step. */
export function expectMasked(run: StepRun, secret: string): void {
  expect(run.masks).toContain(secret)
}

/** Every stretch of `min` characters (code points) of a secret. */
export function fragments(secret: string, min = 4): string[] {
  const chars = [...secret]
  const out = new Set<string>()
  for (let i = 0; i + min <= chars.length; i++) out.add(chars.slice(i, i + min).join(''))
  return [...out]
}

/** What a step showed outside its own mask lines: stdout, stderr, the state and the summary. */
export function shownText(run: StepRun): string {
  const stdout = run.stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
  return [stdout, run.stderr, run.files.state, run.files.summary].join('\n')
}

/**
 * The masks the runner registers from a step's stdout, reading commands as it does: after
 * `::stop-commands::TOKEN` no command counts until a line `::TOKEN::`, and a command may
 * follow blanks at the start of a line.
 */
export function runnerMasks(stdout: string): string[] {
  const masks: string[] = []
  let stopToken: string | undefined
  for (const raw of stdout.split(/\r\n|\r|\n/)) {
    const line = raw.trimStart()
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined
      continue
    }
    const stop = /^::stop-commands::(.*)$/.exec(line)
    if (stop) stopToken = stop[1]
    else if (line.startsWith('::add-mask::')) masks.push(unescapeData(line.slice('::add-mask::'.length)))
  }
  return masks
}

/**
 * Pieces of `min` or more characters of any secret found in what a step showed (`shownText`:
 * stdout outside its `::add-mask::` lines, stderr, the state, the summary). Empty when nothing
 * was exposed.
 * Use secrets whose pieces cannot occur in ordinary text (see `distinctSecret`).
 */
export function exposedPieces(run: StepRun, secrets: string[], min = 4): string[] {
  const shown = shownText(run)
  return secrets.filter(s => s.length >= min).flatMap(secret => fragments(secret, min).filter(piece => shown.includes(piece)))
}

// Letters that never run four in a row in the action's own words, in URLs, ids or dates.
const RARE = 'QXZJVKWYqxzjvkwy'

/**
 * A random secret whose every 4-character piece is foreign to ordinary output. `extra`
 * characters (ones that JSON, URL or base64 encodings change, say) are spread through it, each
 * between rare letters.
 */
export function distinctSecret(length = 24, extra = '', random: () => number = Math.random): string {
  const letters = Array.from({ length }, () => RARE[Math.floor(random() * RARE.length)])
  const step = Math.floor(length / (extra.length + 1))
  ;[...extra].forEach((ch, i) => letters.splice((i + 1) * step + i, 0, ch))
  return letters.join('')
}
