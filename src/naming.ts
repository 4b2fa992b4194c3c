// The default Adobe sandbox name and title: unique per invocation, valid for the Sandbox
// API, and readable enough that a person can tell which PR or run left it behind.
import { randomInt } from 'node:crypto'
import { runUrl, type RunInfo } from './github-context'

const MAX_NAME = 256
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

export function randomSuffix(length = 6, pick: (n: number) => number = randomInt): string {
  let out = ''
  for (let i = 0; i < length; i++) out += ALPHABET[pick(ALPHABET.length)]
  return out
}

/** Lower-case, every other character a hyphen, runs of hyphens folded, no hyphen at the ends. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

export function defaultSandboxName(info: RunInfo, suffix: string = randomSuffix()): string {
  const tail = info.prNumber !== undefined ? `-pr-${info.prNumber}-${suffix}` : `-run-${info.runId}-${suffix}`
  const room = MAX_NAME - 'gh-'.length - tail.length
  const repo = slug(info.repo).slice(0, room).replace(/-+$/, '') || 'repo'
  return `gh-${repo}${tail}`
}

export function defaultSandboxTitle(info: RunInfo): string {
  const where = info.repository || info.repo
  const what = info.prNumber !== undefined ? `PR #${info.prNumber}` : `run ${info.runId}`
  const url = runUrl(info)
  return `CI sandbox for ${where} ${what}${url ? ` (${url})` : ''}`
}
