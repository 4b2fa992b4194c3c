// Checks before a licence slot is spent: a wrong adobe-role-id or adobe-package-id fails
// create, reset and lease right after the token is minted, before any Sandbox API request,
// with an error that names the input, the id and (for a package) its status.
import { describe, expect } from 'vitest'
import { ROLES_BASE, type Emulator } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob } from '../../scripts/local-runner'
import { adobeInputs, credentialRole } from '../../scripts/emulator-inputs'
import { expectOnlyLive } from '../harness/adobe'
import { expectNoInjectedCommands, sandboxApiCalls } from './platform-helpers'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 400, resetMs: 400, deleteMs: 200 } }, emu => {
  emu.platform.roles.seed(credentialRole('role-ci'))
  emu.platform.tooling.seed({ id: 'pkg-ok' })
  emu.platform.tooling.seed({ id: 'pkg-draft', status: 'DRAFT' })
  emu.platform.tooling.seed({ id: 'pkg-failed', status: 'PUBLISH_FAILED' })
  emu.adobe.seed({ name: 'pool-a', state: 'active' })
})

const OPERATIONS: Record<string, Record<string, string>> = {
  create: { operation: 'create', 'sandbox-name': 'never-made' },
  reset: { operation: 'reset', 'sandbox-name': 'pool-a' },
  lease: { operation: 'lease', pool: 'pool-*' }
}

interface Wrong {
  inputs: Record<string, string>
  setup?: (e: Emulator) => void
  error: string
}
const WRONG: Record<string, Wrong> = {
  'a role that does not exist': {
    inputs: { 'adobe-role-id': 'role-ci,no-such-role' },
    error: 'Role "no-such-role" (adobe-role-id) does not exist (HTTP 404)'
  },
  'a role whose sandboxes cannot be read': {
    inputs: { 'adobe-role-id': 'role-ci' },
    setup: e => e.faults.add({ method: 'GET', path: `${ROLES_BASE}/roles/role-ci`, faults: [{ kind: 'wrong-shape', body: { id: 'role-ci', name: 'CI' } }] }),
    error: 'the answer for role "role-ci" (adobe-role-id) has no readable list of sandboxes'
  },
  'a package that does not exist': {
    inputs: { 'adobe-package-id': 'pkg-missing' },
    error: 'Package "pkg-missing" (adobe-package-id) was not found by Adobe sandbox tooling (HTTP 404)'
  },
  'a DRAFT package': {
    inputs: { 'adobe-package-id': 'pkg-draft' },
    error: 'Package "pkg-draft" (adobe-package-id) is DRAFT: only a PUBLISHED package can be imported'
  },
  'a PUBLISH_FAILED package': {
    inputs: { 'adobe-package-id': 'pkg-failed' },
    error: 'Package "pkg-failed" (adobe-package-id) is PUBLISH_FAILED: its publication failed'
  },
  'a good role with a missing package': {
    inputs: { 'adobe-role-id': 'role-ci', 'adobe-package-id': 'pkg-missing' },
    error: 'Package "pkg-missing" (adobe-package-id) was not found'
  }
}

const cases = Object.keys(OPERATIONS).flatMap(op => Object.keys(WRONG).map(wrong => [op, wrong] as const))

describe('checks before a licence slot is spent', () => {
  it.each(cases)('%s with %s fails before any Sandbox API request, naming the input and the id', async (op, wrong) => {
    const w = WRONG[wrong]
    w.setup?.(emu)
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { ...OPERATIONS[op], ...w.inputs }) })
    expect(main.exitCode, main.stdout).toBe(1)
    expect(errors(main)[0]).toContain(w.error)
    expect(sandboxApiCalls(emu)).toEqual([])
    expect(emu.requests.filter(r => r.method !== 'GET' && r.path.startsWith('/data/foundation/'))).toEqual([])
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('nothing to clean up')
    expect(emu.adobe.history().filter(h => h.cause !== 'seed')).toEqual([])
    expectOnlyLive(emu, ['pool-a'])
  })

  it('a package status full of commands is shown on one harmless line', async () => {
    emu.platform.tooling.seed({ id: 'pkg-odd', status: '\n::error::injected' as 'DRAFT' })
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'odd-status', 'adobe-package-id': 'pkg-odd' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Package "pkg-odd" (adobe-package-id) is : :error: :injected: only a PUBLISHED package can be imported')
    expect(sandboxApiCalls(emu)).toEqual([])
    expectNoInjectedCommands(main, 'injected')
  })
})
