// Shared by the end-to-end tests of role grants, package imports and the checks before a
// slot is spent: which form of each request the action sent (read from the emulator's request
// log), and that no text from Adobe became a workflow command.
import { expect } from 'vitest'
import { ADOBE_BASE, PLATFORM_MODES, ROLES_BASE, TOOLING_BASE, type Emulator, type LoggedRequest, type PlatformMode } from '../../emulator/index'
import type { StepRun } from '../../scripts/local-runner'

export const MODES: readonly PlatformMode[] = PLATFORM_MODES

/** The form of a role PATCH body: the OpenAPI's one object, the docs' wrapper, or something else. */
export function patchForm(body: string): 'spec' | 'docs' | 'other' {
  let v: unknown
  try {
    v = JSON.parse(body)
  } catch {
    return 'other'
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'other'
  const o = v as Record<string, unknown>
  if (Array.isArray(o.operations) && Object.keys(o).length === 1) return 'docs'
  if (typeof o.op === 'string' && typeof o.path === 'string' && 'value' in o) return 'spec'
  return 'other'
}

/** Role PATCHes in order, as `form status` ("spec 200", "docs 422"). */
export function rolePatches(emu: Emulator, since = 0): string[] {
  return emu.requests
    .slice(since)
    .filter(r => r.method === 'PATCH' && r.path.startsWith(`${ROLES_BASE}/roles/`))
    .map(r => `${patchForm(r.body)} ${r.status}`)
}

/** The operation inside a role PATCH, whatever its form. */
export function patchOp(r: LoggedRequest): unknown {
  const v = JSON.parse(r.body) as { operations?: unknown[] }
  return Array.isArray(v.operations) ? v.operations[0] : v
}

/** The form of a job-list query: the OpenAPI's declared parameters, the docs', or something else. */
export function listForm(r: LoggedRequest): 'spec' | 'docs' | 'other' {
  const keys = Object.keys(r.query).sort().join(',')
  if (keys === 'limit,orderBy,requestType,start' && r.query.requestType === 'IMPORT') return 'spec'
  if (keys === 'limit,orderby,property,start' && r.query.property === 'requestType==IMPORT') return 'docs'
  return 'other'
}

export const toolingCalls = (emu: Emulator, path: string | RegExp): LoggedRequest[] =>
  emu.requests.filter(r => r.path.startsWith(TOOLING_BASE) && (typeof path === 'string' ? r.path === `${TOOLING_BASE}${path}` : path.test(r.path)))

/** Requests to the Sandbox API: none may come before the roles and the package were checked. */
export const sandboxApiCalls = (emu: Emulator): string[] =>
  emu.requests.filter(r => r.path === ADOBE_BASE || r.path.startsWith(`${ADOBE_BASE}/`)).map(r => `${r.method} ${r.path}`)

// The workflow commands the action itself writes; anything else at the start of a line would
// be a command smuggled in through text from the network.
const OWN_COMMAND = /^::(add-mask|debug|group|endgroup|error|warning|notice)( [^:]*)?::/

/** No line of the step's output is a command the action did not write, nor one that starts with `token`. */
export function expectNoInjectedCommands(run: StepRun, token: string): void {
  const lines = run.stdout.split('\n')
  const commands = lines.filter(l => /^\s*::/.test(l))
  expect(commands.filter(l => !OWN_COMMAND.test(l)), 'commands the action did not write').toEqual([])
  expect(commands.filter(l => new RegExp(`^::[a-z-]+( [^:]*)?::\\s*${token}`).test(l)), `commands carrying ${token}`).toEqual([])
  expect(lines.filter(l => l.includes('##[')), 'old-style commands').toEqual([])
}
