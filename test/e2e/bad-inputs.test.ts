// Bad input: every input that takes a restricted value, with its invalid values. Each case
// fails the bundled main step with one error that names the input, before any request.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator/index'
import { actionYml, errors, runStep } from '../../scripts/local-runner'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator()
})
afterAll(async () => emu?.close())
beforeEach(() => emu.clearLog())

type Base = 'trackstar' | 'adobe'
const bases = (): Record<Base, Record<string, string>> => ({
  trackstar: trackstarInputs(emu),
  adobe: adobeInputs(emu)
})

// [input, base, invalid values]; `null` removes the input (and its environment fallback)
const TABLE: [string, Base, (string | null)[]][] = [
  ['provider', 'trackstar', ['', 'aws', 'Trackstar']],
  ['operation', 'trackstar', ['create', 'reset', 'prune']],
  ['operation', 'adobe', ['generate', 'destroy']],
  ['cleanup', 'trackstar', ['always', 'true']],
  ['timeout', 'trackstar', ['0', '-5', '10m', '1.5', '999999']],
  ['wait', 'adobe', ['yes', '1', 'on']],
  ['summary', 'trackstar', ['no']],
  ['export-env', 'trackstar', ['enabled']],
  ['trackstar-api-key', 'trackstar', [null]],
  ['integration-type', 'trackstar', ['erp', 'WMS']],
  ['trackstar-api-url', 'trackstar', ['http://api.example.com', 'ftp://127.0.0.1', 'not-a-url', 'https://user:pw@example.com']],
  ['verify', 'trackstar', ['maybe']],
  ['adobe-client-secret', 'adobe', [null]],
  ['adobe-client-id', 'adobe', [null]],
  ['adobe-org-id', 'adobe', [null, 'my-org']],
  ['adobe-scopes', 'adobe', [',', 'openid,has space']],
  ['adobe-ims-url', 'adobe', ['http://ims.example.com']],
  ['adobe-platform-url', 'adobe', ['http://192.168.1.10']],
  ['sandbox-name', 'adobe', ['Dev_Box', '1dev', `a${'b'.repeat(256)}`]],
  ['sandbox-title', 'adobe', ['t'.repeat(257)]],
  ['if-exists', 'adobe', ['replace']],
  ['ignore-warnings', 'adobe', ['sure']],
  ['allow-production', 'adobe', ['y']],
  ['prune-older-than', 'adobe', ['yesterday', '0', '1w']],
  ['dry-run', 'adobe', ['perhaps']],
  ['cleanup-timeout', 'adobe', ['0', '-5', '10m', '1.5', '999999']],
  ['cleanup-timeout', 'trackstar', ['soon']]
]

// Cases where the input is valid on its own but not with the operation it is given with.
const COMBINATIONS: [string, string, Record<string, string>][] = [
  ['sandbox-name', 'required for reset', { operation: 'reset' }],
  ['sandbox-name', 'required for delete', { operation: 'delete' }],
  ['prune-prefix', 'required for prune', { operation: 'prune' }],
  ['prune-prefix', 'must start a valid name', { operation: 'prune', 'prune-prefix': 'GH_' }],
  ['cleanup', 'reset after delete', { operation: 'delete', 'sandbox-name': 'x', cleanup: 'reset' }],
  ['adobe-api-key', 'needed with a bare token', { 'adobe-client-id': '', 'adobe-client-secret': '', 'adobe-access-token': 'tok-123456789' }]
]

// Inputs whose cases each feature branch adds with its feature; empty once they are merged.
const PENDING: string[] = ['pool', 'lease-ttl', 'if-full', 'adobe-role-id', 'adobe-package-id', 'github-token', 'prune-closed', 'pr-comment']

// Free-form inputs: any text is a valid value, so they have no invalid values to test.
const FREE_FORM = ['trackstar-access-token', 'adobe-access-token', 'adobe-api-key', 'prune-prefix']

async function expectRejected(name: string, inputs: Record<string, string>): Promise<void> {
  const run = await runStep({ inputs })
  expect(run.exitCode, run.stdout).toBe(1)
  const errs = errors(run)
  expect(errs).toHaveLength(1)
  expect(errs[0]).toContain(`Input \`${name}\``)
  expect(emu.requests, 'no request may be made before the inputs are valid').toEqual([])
}

describe('bad inputs fail before any request', () => {
  const cases = TABLE.flatMap(([name, base, values]) => values.map(value => [name, base, value] as const))
  it.each(cases)('%s (%s) = %j', async (name, base, value) => {
    const inputs = { ...bases()[base] }
    if (value === null) delete inputs[name]
    else inputs[name] = value
    await expectRejected(name, inputs)
  })

  it.each(COMBINATIONS)('%s: %s', async (name, _why, extra) => {
    await expectRejected(name, { ...bases().adobe, ...extra })
  })

  it('the table covers every input of action.yml that takes a restricted value', () => {
    const covered = new Set([...TABLE.map(([name]) => name), ...COMBINATIONS.map(([name]) => name), ...FREE_FORM, ...PENDING])
    expect(Object.keys(actionYml().inputs).filter(name => !covered.has(name))).toEqual([])
  })
})
