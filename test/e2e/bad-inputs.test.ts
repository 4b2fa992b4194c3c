// Bad input: every input that takes a restricted value, with its invalid values. Each case
// fails the bundled main step with one error that names the input, before any request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator/index'
import { actionYml, errors, runStep } from '../../scripts/local-runner'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator()
})
afterAll(async () => {
  // the last case to finish is checked here
  expect(emu.requests, 'no request may be made before the inputs are valid').toEqual([])
  await emu?.close()
})

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
  ['timeout', 'trackstar', ['0', '-5', '10x', '0m', '7h', '1.5', '999999']],
  ['cleanup-timeout', 'trackstar', ['0', '1d', 'soon']],
  ['wait', 'adobe', ['yes', '1', 'on']],
  ['summary', 'trackstar', ['no']],
  ['export-env', 'trackstar', ['enabled']],
  ['trackstar-api-key', 'trackstar', [null, 'ts-emulator-key\nmore', 'key\twith-tab', 'key\u007fdel', 'key\u20ac']],
  ['trackstar-access-token', 'trackstar', ['tok\nen', 'tok\u0001', 'tok\u4e00']],
  ['integration-type', 'trackstar', ['erp', 'WMS']],
  ['trackstar-api-url', 'trackstar', ['http://api.example.com', 'ftp://127.0.0.1', 'not-a-url', 'https://user:pw@example.com']],
  ['verify', 'trackstar', ['maybe']],
  ['adobe-client-secret', 'adobe', [null, 'sec\nret', 'sec\rret', 'sec\u001bret']],
  ['adobe-client-id', 'adobe', [null, 'emulator\nclient-id', 'id\u20ac']],
  ['adobe-access-token', 'adobe', ['tok\nen', 'tok\u20ac']],
  ['adobe-api-key', 'adobe', ['key\nx', 'k\u20acy']],
  ['github-token', 'adobe', ['ghs_abc\ndef', 'ghs_\u0007']],
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
  ['adobe-role-id', 'adobe', ['role-a,,role-b', ',', 'role-a,', 'role one', 'role-a, role b']],
  ['adobe-package-id', 'adobe', ['pkg one', 'pkg-a,pkg-b', 'pkg/../x']],
  ['prune-closed', 'adobe', ['yes', 'closed']],
  ['pr-comment', 'adobe', ['on']],
  ['if-full', 'adobe', ['queue', 'WAIT']],
  ['lease-ttl', 'adobe', ['forever', '0', '30s', '7h', '2d']],
  ['deployment', 'adobe', ['on', 'yes']],
  ['deployment-environment', 'adobe', ['a\nb', 'x'.repeat(256)]],
  ['heartbeat', 'adobe', ['yes', 'on', 'TRUE!']],
  ['reseed-on-release', 'adobe', ['maybe', '1']]
]

// The inputs added since the first release, each with the values that would change a request's
// path (an id in /roles/{id}), separators, whitespace, empty items and a value past any real
// one: [input, the other inputs it is given with]. src/core/inputs.ts's unit table holds more values.
const NEWER: [string, Record<string, string>][] = [
  ['pool', { operation: 'lease' }],
  ['lease-ttl', { operation: 'lease', pool: 'ci-pool-*' }],
  ['if-full', {}],
  ['cleanup-timeout', {}],
  ['adobe-role-id', {}],
  ['adobe-package-id', {}],
  ['github-token', { operation: 'prune', 'prune-prefix': 'gh-', 'prune-closed': 'true' }],
  ['prune-closed', { operation: 'prune', 'prune-prefix': 'gh-' }],
  ['pr-comment', {}]
]
const PATHLIKE = ['.', '..', '/', '%2F', '%2e%2e', '?', '#', '\\', 'a b', 'a,,b', 'x'.repeat(5000)]

// Cases where the input is valid on its own but not with the operation it is given with.
const COMBINATIONS: [string, string, Record<string, string>][] = [
  ['sandbox-name', 'required for reset', { operation: 'reset' }],
  ['sandbox-name', 'required for delete', { operation: 'delete' }],
  ['prune-prefix', 'required for prune', { operation: 'prune' }],
  ['prune-prefix', 'must start a valid name', { operation: 'prune', 'prune-prefix': 'GH_' }],
  ['cleanup', 'reset after delete', { operation: 'delete', 'sandbox-name': 'x', cleanup: 'reset' }],
  ['adobe-api-key', 'needed with a bare token', { 'adobe-client-id': '', 'adobe-client-secret': '', 'adobe-access-token': 'tok-123456789' }],
  ['adobe-role-id', 'needs an active sandbox (wait: true)', { 'adobe-role-id': 'role-a', wait: 'false' }],
  ['adobe-role-id', 'not with delete', { operation: 'delete', 'sandbox-name': 'x', 'adobe-role-id': 'role-a' }],
  ['adobe-package-id', 'needs an active sandbox (wait: true)', { 'adobe-package-id': 'pkg-a', wait: 'false' }],
  ['adobe-package-id', 'not with prune', { operation: 'prune', 'prune-prefix': 'gh-', 'adobe-package-id': 'pkg-a' }],
  ['github-token', 'required with prune-closed', { operation: 'prune', 'prune-prefix': 'gh-', 'prune-closed': 'true', 'github-token': '' }],
  ['prune-closed', 'only with prune', { 'prune-closed': 'true', 'github-token': 'ghs_x' }],
  ['pool', 'required for lease', { operation: 'lease' }],
  ['pool', 'a * only at the end', { operation: 'lease', pool: 'ci-*-pool' }],
  ['pool', 'a * not inside a list', { operation: 'lease', pool: 'ci-pool-1,ci-*' }],
  ['pool', 'an empty item', { operation: 'lease', pool: 'ci-pool-1,,ci-pool-2' }],
  ['pool', 'an invalid sandbox name', { operation: 'lease', pool: 'CI_Pool' }],
  ['cleanup', 'no delete after lease', { operation: 'lease', pool: 'ci-pool-*', cleanup: 'delete' }],
  ['sandbox-name', 'required for get', { operation: 'get' }],
  ['cleanup', 'nothing to undo after get', { operation: 'get', 'sandbox-name': 'x', cleanup: 'reset' }],
  ['deployment', 'not with delete', { operation: 'delete', 'sandbox-name': 'x', deployment: 'true', 'github-token': 'ghs_x' }],
  ['github-token', 'required with deployment', { deployment: 'true', 'github-token': '' }],
  ['pool-size', 'required for maintain with a prefix pool', { operation: 'maintain', pool: 'ci-pool-*' }],
  ['pool-size', 'a whole number', { operation: 'maintain', pool: 'ci-pool-*', 'pool-size': '2.5' }],
  ['pool-size', 'at least 1', { operation: 'maintain', pool: 'ci-pool-*', 'pool-size': '0' }],
  ['pool-size', 'at most the bound', { operation: 'maintain', pool: 'ci-pool-*', 'pool-size': '101' }],
  ['pool-size', 'more than a list pool names', { operation: 'maintain', pool: 'ci-pool-1,ci-pool-2', 'pool-size': '3' }],
  ['pool-size', 'only with maintain', { operation: 'lease', pool: 'ci-pool-*', 'pool-size': '2' }],
  ['reseed-on-release', 'only with lease', { 'reseed-on-release': 'true', 'adobe-package-id': 'pkg-a' }],
  ['reseed-on-release', 'needs adobe-package-id', { operation: 'lease', pool: 'ci-pool-*', 'reseed-on-release': 'true' }]
]

// Inputs whose cases each feature branch adds with its feature; empty once they are merged.
const PENDING: string[] = []

// Free-form inputs: any text is a valid value, so they have no invalid values to test.
const FREE_FORM = ['prune-prefix']

async function expectRejected(name: string, inputs: Record<string, string>, says?: string): Promise<void> {
  const run = await runStep({ inputs })
  expect(run.exitCode, run.stdout).toBe(1)
  const errs = errors(run)
  expect(errs).toHaveLength(1)
  expect(errs[0]).toContain(`Input \`${name}\``)
  if (says !== undefined) expect(errs[0]).toContain(says)
  expect(emu.requests, 'no request may be made before the inputs are valid').toEqual([])
}

// The cases run side by side against one emulator that must see no request at all: a
// request from any case fails the checks that follow it.
describe.concurrent('bad inputs fail before any request', () => {
  const cases = TABLE.flatMap(([name, base, values]) => values.map(value => [name, base, value] as const))
  it.each(cases)('%s (%s) = %j', async (name, base, value) => {
    const inputs = { ...bases()[base] }
    if (value === null) delete inputs[name]
    else inputs[name] = value
    await expectRejected(name, inputs)
  })

  const newer = NEWER.flatMap(([name, extra]) => PATHLIKE.map(value => [name, value.length > 80 ? `${value.slice(0, 8)}… (${value.length} characters)` : value, value, extra] as const))
  it.each(newer)('%s = %j', async (name, _shown, value, extra) => {
    await expectRejected(name, { ...bases().adobe, ...extra, [name]: value })
  })

  it.each(COMBINATIONS)('%s: %s', async (name, _why, extra) => {
    await expectRejected(name, { ...bases().adobe, ...extra })
  })

  it.each([
    ['sandbox-name', { 'sandbox-name': 'gh-Shop_API-pr-1' }, 'did you mean "gh-shop-api-pr-1"?'],
    ['pool', { operation: 'lease', pool: 'CI Pool 1' }, 'did you mean "ci-pool-1"?'],
    ['prune-prefix', { operation: 'prune', 'prune-prefix': 'GH_' }, 'did you mean "gh-"?'],
    ['prune-prefix', { operation: 'prune' }, 'is required for operation "prune": only development sandboxes whose name starts with it are pruned (for example prune-prefix: gh-']
  ])('%s: the error says what to write (%j)', async (name, extra, says) => {
    await expectRejected(name, { ...bases().adobe, ...extra }, says)
  })

  it('the table covers every input of action.yml that takes a restricted value', () => {
    const covered = new Set([...TABLE.map(([name]) => name), ...NEWER.map(([name]) => name), ...COMBINATIONS.map(([name]) => name), ...FREE_FORM, ...PENDING])
    expect(Object.keys(actionYml().inputs).filter(name => !covered.has(name))).toEqual([])
  })
})
