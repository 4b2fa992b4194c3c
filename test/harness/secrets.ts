// Assertions that a step never showed a secret: its first appearance in stdout is its own
// `::add-mask::` line, and it is in no other line, nor in the state or the summary, in any
// encoding.
import { expect } from 'vitest'
import { escapeData, type StepRun } from '../../scripts/local-runner'

export function forms(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64')
  ].filter((f, i, all) => f.length >= 6 && all.indexOf(f) === i)
}

export function expectMaskedEverywhere(run: StepRun, secrets: string[]): void {
  for (const secret of secrets.filter(s => s.length > 0)) {
    const lines = run.stdout.split('\n')
    const first = lines.findIndex(l => l.includes(secret) || l === `::add-mask::${escapeData(secret)}`)
    if (first >= 0) expect(lines[first], 'first appearance of a secret must be its mask').toBe(`::add-mask::${escapeData(secret)}`)
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
