// Adobe end to end: the bundled action against the emulator's IMS and Sandbox API.
import { describe, expect } from 'vitest'
import { ADOBE_BASE, EMULATOR_ADOBE_CLIENT_SECRET } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob, runStep } from '../../scripts/local-runner'
import { expectMaskedEverywhere } from '../harness/secrets'
import { bearerTokens, expectOnlyLive, finishOnceSeen, ON_THE_WAY_OUT } from '../harness/adobe'
import { adobeInputs } from '../../scripts/emulator-inputs'

// A fresh emulator per test, so each test's "nothing left behind" check sees only its own work.
const { emu, it } = emulatorPerTest({ adobe: { createMs: 600, resetMs: 600, deleteMs: 300 } })

const PR_EVENT = { name: 'pull_request', payload: { pull_request: { number: 17 }, number: 17 } }

function expectNoSecrets(run: Parameters<typeof expectMaskedEverywhere>[0]): void {
  expectMaskedEverywhere(run, [EMULATOR_ADOBE_CLIENT_SECRET, ...bearerTokens(emu)])
}

describe('adobe create', () => {
  it('creates a uniquely named sandbox, waits until active, and the post step deletes it', async () => {
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'export-env': 'true' }), event: PR_EVENT })
    expect(main.exitCode, main.stdout).toBe(0)
    const name = main.outputs.sandbox_name
    expect(name).toMatch(/^gh-shop-api-pr-17-[a-z0-9]{6}$/)
    expect(main.outputs.sandbox_state).toBe('active')
    expect(main.outputs.sandbox_type).toBe('development')
    expect(main.outputs.created).toBe('true')
    expect(main.outputs.sandbox_title).toContain('acme/Shop_API PR #17')
    expect(main.outputs.sandbox_title).toContain('https://github.com/acme/Shop_API/actions/runs/9876543210')
    expect(main.env.AEP_SANDBOX_NAME).toBe(name)
    expect(main.env.AEP_ACCESS_TOKEN).toBe(main.outputs.access_token)
    expect(main.masks).toContain(main.outputs.access_token)
    expect(main.stdout).toMatch(new RegExp(`Sandbox "${name}": active \\(\\d+ s elapsed\\)`))
    // the create was recorded for the post step before any waiting
    expect(JSON.parse(main.state.cleanup)).toMatchObject({ provider: 'adobe', sandbox: name, action: 'delete', created: true })

    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain(`Deleted sandbox "${name}"`)
    expect(emu.requests.filter(r => r.method === 'DELETE').map(r => r.path)).toEqual([`/data/foundation/sandbox-management/sandboxes/${name}`])
    // one token per step
    expect(emu.requests.filter(r => r.path === '/ims/token/v3')).toHaveLength(2)
    expectNoSecrets(main)
    expectNoSecrets(post)
    expectOnlyLive(emu)
  })

  it('uses the run id in the default name outside pull requests, and sends the documented headers', async () => {
    const { main } = await runJob({ inputs: adobeInputs(emu) })
    expect(main.outputs.sandbox_name).toMatch(/^gh-shop-api-run-9876543210-[a-z0-9]{6}$/)
    const create = emu.requests.find(r => r.method === 'POST' && r.path.endsWith('/sandboxes'))
    expect(create?.headers['x-api-key']).toBe('emulator-client-id')
    expect(create?.headers['x-gw-ims-org-id']).toBe('EMULATOR0000000000000000@AdobeOrg')
    expect(create?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(create?.body ?? '{}')).toMatchObject({ name: main.outputs.sandbox_name, type: 'development' })
    const lookup = emu.requests.find(r => r.method === 'GET' && r.path.endsWith(main.outputs.sandbox_name))
    expect(lookup?.headers['x-sandbox-name']).toBe(main.outputs.sandbox_name)
    expectOnlyLive(emu)
  })

  it('if-exists: reuse keeps an existing sandbox and the post step leaves it', async () => {
    emu.adobe.seed({ name: 'pool-reuse', type: 'development', state: 'active' })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'pool-reuse' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.created).toBe('false')
    expect(main.outputs.sandbox_state).toBe('active')
    expect(emu.requests.filter(r => r.method !== 'GET' && !r.path.startsWith('/ims'))).toEqual([])
    expect(post.stdout).toContain('nothing to clean up')
    expectOnlyLive(emu, ['pool-reuse'])
  })

  it('if-exists: reuse waits while the existing sandbox is still being created', async () => {
    // Busy for far longer than any step start; it ends once the step says it is waiting.
    emu.adobe.setTimings({ createMs: 60_000 })
    // another job's create, which does not wait
    const first = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'pool-creating', wait: 'false', cleanup: 'none' }) })
    expect(first.exitCode, first.stdout).toBe(0)
    const before = emu.adobe.get('pool-creating')?.state
    expect(['creating', 'provisioning']).toContain(before)
    const main = await runStep({
      inputs: adobeInputs(emu, { 'sandbox-name': 'pool-creating' }),
      onLine: finishOnceSeen(emu, 'pool-creating', /exists and is (creating|provisioning): waiting/)
    })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toMatch(/exists and is (creating|provisioning): waiting until it is active/)
    expect(main.outputs.sandbox_state).toBe('active')
    expect(main.outputs.created).toBe('false')
    expect(emu.requests.filter(r => r.method === 'POST' && r.path.startsWith(ADOBE_BASE))).toHaveLength(1)
    expectOnlyLive(emu, ['pool-creating'])
  })

  it('if-exists: reuse waits while the existing sandbox is resetting', async () => {
    // Busy for far longer than any step start; it ends once the step says it is waiting.
    emu.adobe.setTimings({ resetMs: 60_000 })
    emu.adobe.seed({ name: 'pool-resetting', type: 'development', state: 'resetting' })
    const main = await runStep({
      inputs: adobeInputs(emu, { 'sandbox-name': 'pool-resetting' }),
      onLine: finishOnceSeen(emu, 'pool-resetting', 'exists and is resetting: waiting')
    })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain('exists and is resetting: waiting until it is active')
    expect(main.outputs.sandbox_state).toBe('active')
    expectOnlyLive(emu, ['pool-resetting'])
  })

  it('if-exists: reset resets the existing sandbox', async () => {
    emu.adobe.seed({ name: 'pool-reset', type: 'development', state: 'active' })
    const before = emu.adobe.get('pool-reset')?.eTag ?? 0
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'pool-reset', 'if-exists': 'reset' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.created).toBe('false')
    expect(main.outputs.sandbox_state).toBe('active')
    expect(emu.requests.filter(r => r.method === 'PUT')).toHaveLength(1)
    expect(emu.adobe.get('pool-reset')?.eTag).toBeGreaterThan(before)
    expectOnlyLive(emu, ['pool-reset'])
  })

  it('if-exists: fail fails without changing anything', async () => {
    emu.adobe.seed({ name: 'pool-fail', type: 'development', state: 'active' })
    const { main } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'pool-fail', 'if-exists': 'fail' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('already exists')
    expect(errors(main)[0]).toContain('if-exists')
    expect(emu.requests.filter(r => r.method !== 'GET' && !r.path.startsWith('/ims'))).toEqual([])
    expectOnlyLive(emu, ['pool-fail'])
  })

  it('a sandbox that ends failed fails the step, and the post step still deletes it', async () => {
    emu.adobe.failNext('doomed-sandbox')
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'doomed-sandbox' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('ended in state "failed"')
    expect(post.stdout).toContain('Deleted sandbox "doomed-sandbox"')
    expectOnlyLive(emu)
  })

  it('an explicit cleanup: none leaves the created sandbox', async () => {
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'kept-on-purpose', cleanup: 'none' }) })
    expect(main.exitCode).toBe(0)
    expect(post.stdout).toContain('nothing to clean up')
    expectOnlyLive(emu, ['kept-on-purpose'])
  })
})

describe('adobe reset and delete', () => {
  it('resets a pooled sandbox and waits until it is active again', async () => {
    emu.adobe.seed({ name: 'pooled', type: 'development', state: 'active' })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { operation: 'reset', 'sandbox-name': 'pooled' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.sandbox_state).toBe('active')
    expect(main.outputs.created).toBe('false')
    const put = emu.requests.find(r => r.method === 'PUT')
    expect(JSON.parse(put?.body ?? '{}')).toEqual({ action: 'reset' })
    expect(put?.query.ignoreWarnings).toBeUndefined()
    expect(emu.adobe.becameActiveAt('pooled')).toBeDefined()
    expect(post.stdout).toContain('nothing to clean up')
    expectNoSecrets(main)
    expectOnlyLive(emu, ['pooled'])
  })

  it('a 2077 warning blocks a reset with a message that points at ignore-warnings, which overrides it', async () => {
    emu.adobe.seed({ name: 'shared-seg', type: 'development', state: 'active' })
    emu.adobe.block('shared-seg', 2077)
    const blocked = await runStep({ inputs: adobeInputs(emu, { operation: 'reset', 'sandbox-name': 'shared-seg' }) })
    expect(blocked.exitCode).toBe(1)
    expect(errors(blocked)[0]).toContain('SMS-2077-400')
    expect(errors(blocked)[0]).toContain('ignore-warnings: true')
    const forced = await runStep({ inputs: adobeInputs(emu, { operation: 'reset', 'sandbox-name': 'shared-seg', 'ignore-warnings': 'true' }) })
    expect(forced.exitCode, forced.stdout).toBe(0)
    expect(emu.requests.filter(r => r.method === 'PUT').at(-1)?.query.ignoreWarnings).toBe('true')
    expectOnlyLive(emu, ['shared-seg'])
  })

  it('deletes a sandbox and waits until it is deleted', async () => {
    emu.adobe.seed({ name: 'to-delete', type: 'development', state: 'active' })
    const { main } = await runJob({ inputs: adobeInputs(emu, { operation: 'delete', 'sandbox-name': 'to-delete' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.sandbox_state).toBe('deleted')
    expect(emu.adobe.get('to-delete')?.state).toBe('deleted')
    expectOnlyLive(emu)
  })

  it('deleting an already-deleted sandbox is a notice, not a failure', async () => {
    emu.adobe.seed({ name: 'long-gone', type: 'development', state: 'deleted' })
    const main = await runStep({ inputs: adobeInputs(emu, { operation: 'delete', 'sandbox-name': 'long-gone' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toMatch(/::notice::Sandbox "long-gone" does not exist/)
    expect(emu.requests.filter(r => r.method === 'DELETE')).toEqual([])
  })
})

describe('adobe safety', () => {
  it.each([
    ['reset', 'prod'],
    ['delete', 'prod'],
    ['reset', 'acme-main'],
    ['delete', 'acme-main'],
    ['create', 'acme-main']
  ])('refuses to %s the default sandbox (called %s), even with allow-production', async (operation, name) => {
    emu.adobe.configure({ defaultSandboxName: name })
    const main = await runStep({ inputs: adobeInputs(emu, { operation, 'sandbox-name': name, 'allow-production': 'true', 'if-exists': 'reset' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain("default sandbox, which this action never touches")
    expect(emu.requests.filter(r => r.method !== 'GET' && !r.path.startsWith('/ims'))).toEqual([])
    expect(emu.adobe.get(name)?.state).toBe('active')
  })

  it('refuses a production sandbox unless allow-production is true', async () => {
    emu.adobe.seed({ name: 'acme-prod', type: 'production', state: 'active' })
    const refused = await runStep({ inputs: adobeInputs(emu, { operation: 'delete', 'sandbox-name': 'acme-prod' }) })
    expect(refused.exitCode).toBe(1)
    expect(errors(refused)[0]).toContain('allow-production: true')
    expect(emu.adobe.get('acme-prod')?.state).toBe('active')
    const reuse = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'acme-prod' }) })
    expect(reuse.exitCode).toBe(1)
    expect(errors(reuse)[0]).toContain('Refusing to reuse')
    const allowed = await runStep({ inputs: adobeInputs(emu, { operation: 'delete', 'sandbox-name': 'acme-prod', 'allow-production': 'true' }) })
    expect(allowed.exitCode, allowed.stdout).toBe(0)
    expect(emu.adobe.get('acme-prod')?.state).toBe('deleted')
  })
})

describe('adobe credentials and inputs', () => {
  it('an invalid sandbox-name is an input error before any request', async () => {
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'Bad_Name' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Input `sandbox-name`')
    expect(emu.requests).toEqual([])
  })

  it('missing credentials are an input error before any request', async () => {
    const inputs = adobeInputs(emu)
    delete inputs['adobe-client-id']
    delete inputs['adobe-client-secret']
    const main = await runStep({ inputs })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('adobe-client-id')
    expect(emu.requests).toEqual([])
  })

  it('a bad client secret fails with the IMS error and the inputs to check', async () => {
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'adobe-client-secret': 'not-the-secret-42' }) })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    expect(error).toContain('HTTP 400 invalid_client')
    expect(error).toContain('invalid client_secret parameter')
    expect(error).toContain('adobe-client-id and adobe-client-secret')
    expect(error).not.toContain('not-the-secret-42')
    expectMaskedEverywhere(main, ['not-the-secret-42'])
    expect(post.stdout).toContain('nothing to clean up')
    expectOnlyLive(emu)
  })

  it('accepts an already-minted token (from ADOBE_ACCESS_TOKEN) and mints none', async () => {
    const token = emu.adobe.issueToken()
    const inputs = adobeInputs(emu, { 'sandbox-name': 'with-token' })
    delete inputs['adobe-client-id']
    delete inputs['adobe-client-secret']
    const { main, post } = await runJob({ inputs, env: { ADOBE_ACCESS_TOKEN: token, ADOBE_API_KEY: 'emulator-client-id' } })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(emu.requests.filter(r => r.path === '/ims/token/v3')).toEqual([])
    expect(main.masks).toContain(token)
    expectMaskedEverywhere(main, [token])
    expectMaskedEverywhere(post, [token])
    expectOnlyLive(emu)
  })
})

describe('adobe licence', () => {
  it('a full licence fails the create with the provider\'s answer and a way out, and leaves nothing', async () => {
    // Two slots in all: the default sandbox takes one, this one the other.
    emu.adobe.setLicenseLimit(2)
    emu.adobe.seed({ name: 'taken-slot', type: 'development', state: 'active' })
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'one-too-many', 'if-full': 'fail' }) })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    const refused = emu.requests.find(r => r.method === 'POST' && r.path.startsWith(ADOBE_BASE))
    expect(refused?.status).toBe(400)
    // the provider's own words, quoted
    expect(error).toMatch(/licence is full \(Adobe: "[^"]*limit[^"]*"\)/)
    // a way out the user can take: an operation or input the action has
    expect(error).toMatch(/operation: prune/)
    expect(post.stdout).toContain('nothing to clean up')
    expectOnlyLive(emu, ['taken-slot'])
  })
})

describe('adobe create over a sandbox being deleted', () => {
  it('waits until the old one is gone, then creates it anew', async () => {
    // Busy for far longer than any step start; it ends once the step says it is waiting.
    emu.adobe.setTimings({ deleteMs: 60_000 })
    emu.adobe.seed({ name: 'recycled', type: 'development', state: 'active' })
    await runStep({ inputs: adobeInputs(emu, { operation: 'delete', 'sandbox-name': 'recycled', wait: 'false' }) })
    expect(ON_THE_WAY_OUT).toContain(emu.adobe.get('recycled')?.state)
    const waiting = /is being deleted \((deleting|cleaning|de-provisioning)\): waiting until it is gone/
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'recycled' }), onLine: finishOnceSeen(emu, 'recycled', waiting) })
    emu.adobe.setTimings({ deleteMs: 300 })
    await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'recycled' }), state: main.state })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toMatch(waiting)
    expect(main.outputs.created).toBe('true')
    expectOnlyLive(emu)
  })
})

describe('adobe error messages name the status, the code, the request id and what to check', () => {
  it.each([
    ['an invalid token', { 'adobe-access-token': 'not-a-real-token-123', 'adobe-client-secret': '' }, 'HTTP 401 401013', 'adobe-access-token'],
    ['a wrong api key', { 'adobe-api-key': 'someone-elses-key' }, 'HTTP 403 403003', 'Check adobe-api-key'],
    ['another organization', { 'adobe-org-id': 'OTHER000000000000000000@AdobeOrg' }, 'HTTP 403 403025', 'Check adobe-org-id']
  ])('%s', async (_what, extra, status, hint) => {
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'err-check', ...extra }) })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    const answered = emu.requests.find(r => r.path.startsWith('/data/') && r.status >= 400)
    expect(error).toContain('Adobe Sandbox API: look up sandbox "err-check" failed')
    expect(error).toContain(status)
    expect(error).toContain(`request id ${answered?.requestId}`)
    expect(error).toContain(hint)
    expectNoSecrets(main)
    expectMaskedEverywhere(main, ['not-a-real-token-123'])
  })

  it.each([
    ['an HTML page', '<html><body><h1>500 Internal Server Error</h1><p>nginx</p></body></html>', 'HTTP 500: 500 Internal Server Error nginx'],
    ['an empty body', '', 'HTTP 500 (request id']
  ])('a 500 with %s still gives a readable message', async (_what, body, expected) => {
    // on the create: a POST is not repeated after a 500
    emu.faults.add({ method: 'POST', path: `${ADOBE_BASE}/sandboxes`, faults: [{ kind: 'status', status: 500, body }] })
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'err-body' }) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain(expected)
  })
})
