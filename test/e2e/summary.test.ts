// The job summary of every operation: the expected rows, and no secret in it.
import { describe, expect } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_SECRET, EMULATOR_TRACKSTAR_API_KEY } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { runJob, runStep, type StepRun } from '../../scripts/local-runner'
import { bearerTokens } from '../harness/adobe'
import { seedHeld, seedReady } from '../harness/lease'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'
import { expectMaskedEverywhere } from '../harness/secrets'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 0, resetMs: 0, deleteMs: 0 } })

/** The summary's table rows as label → value. */
function rows(summary: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of summary.split('\n')) {
    const m = /^\| (.+?) \| (.*) \|$/.exec(line)
    if (m && m[1] !== '' && m[1] !== '---') out[m[1]] = m[2]
  }
  return out
}

function noSecrets(run: StepRun, extra: string[] = []): void {
  expectMaskedEverywhere(run, [EMULATOR_TRACKSTAR_API_KEY, EMULATOR_ADOBE_CLIENT_SECRET, ...bearerTokens(emu), ...extra])
}

const ts = (extra: Record<string, string> = {}): Record<string, string> => trackstarInputs(emu, extra)

describe('job summary', () => {
  it('trackstar generate: the sandbox, its state, and what the post step will do and did', async () => {
    const { main, post } = await runJob({ inputs: ts() })
    const r = rows(main.summary)
    expect(r).toMatchObject({ Provider: 'Trackstar', Operation: 'generate', Sandbox: 'wms (integration sandbox)', Created: 'yes (generated with fresh mocked data)', 'Post step will': 'reset it (generate again)' })
    expect(r.State).toContain('verified')
    expect(r['Time taken']).toMatch(/^\d+\.\d s$/)
    expect(rows(post.summary)['Post step']).toContain('Reset the Trackstar wms sandbox')
    noSecrets(main, [main.outputs.access_token, main.outputs.connection_id])
    noSecrets(post, [main.outputs.access_token, main.outputs.connection_id])
  })

  it('trackstar delete', async () => {
    const main = await runStep({ inputs: ts({ operation: 'delete' }) })
    expect(rows(main.summary)).toMatchObject({ Operation: 'delete', State: 'deleted', Created: 'no' })
    noSecrets(main, [main.outputs.connection_id])
  })

  it('adobe create, then the post step\'s delete', async () => {
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'summary-create' }) })
    expect(rows(main.summary)).toMatchObject({
      Provider: 'Adobe Experience Platform',
      Operation: 'create',
      State: 'active',
      Created: 'yes',
      'Post step will': 'delete sandbox `summary-create`'
    })
    expect(rows(main.summary).Sandbox).toContain('`summary-create`')
    expect(rows(post.summary)['Post step']).toBe('Deleted sandbox "summary-create"')
    noSecrets(main)
    noSecrets(post)
  })

  it('adobe create that reuses an existing sandbox', async () => {
    emu.adobe.seed({ name: 'summary-reuse', type: 'development', state: 'active' })
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'summary-reuse' }) })
    expect(rows(main.summary)).toMatchObject({ Created: 'no (reused an existing sandbox)', 'Post step will': 'leave it as it is' })
    noSecrets(main)
  })

  it('adobe reset', async () => {
    emu.adobe.seed({ name: 'summary-pool', type: 'development', state: 'active' })
    const main = await runStep({ inputs: adobeInputs(emu, { operation: 'reset', 'sandbox-name': 'summary-pool', cleanup: 'reset' }) })
    expect(rows(main.summary)).toMatchObject({ Operation: 'reset', State: 'active', Created: 'no (reset an existing sandbox)', 'Post step will': 'reset sandbox `summary-pool`' })
    noSecrets(main)
  })

  it('adobe lease says the sandbox came from the pool, until when it is held, and how the pool stands', async () => {
    seedReady(emu, 'ci-pool-1')
    seedHeld(emu, 'ci-pool-2', Date.now() + 3600_000)
    const main = await runStep({ inputs: adobeInputs(emu, { operation: 'lease', pool: 'ci-pool-*' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    const r = rows(main.summary)
    expect(r).toMatchObject({ Operation: 'lease', Created: 'no (leased from the pool)' })
    expect(r.Lease).toBe(`held until ${main.outputs.lease_expires_at}`)
    expect(r.Pool).toBe('`ci-pool-1` leased, `ci-pool-2` leased')
    expect(JSON.parse(main.outputs.pool_status)).toEqual({ 'ci-pool-1': 'leased', 'ci-pool-2': 'leased' })
    noSecrets(main)
    const post = await runStep({ inputs: adobeInputs(emu, { operation: 'lease', pool: 'ci-pool-*' }), state: main.state })
    expect(post.exitCode).toBe(0)
  })

  it('adobe get says nothing was changed', async () => {
    emu.adobe.seed({ name: 'summary-get', type: 'development', state: 'active' })
    const main = await runStep({ inputs: adobeInputs(emu, { operation: 'get', 'sandbox-name': 'summary-get' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(rows(main.summary)).toMatchObject({ Operation: 'get', Created: 'no (read an existing sandbox; nothing changed)', 'Post step will': 'do nothing (get changes nothing)' })
    noSecrets(main)
  })

  it('adobe delete', async () => {
    emu.adobe.seed({ name: 'summary-delete', type: 'development', state: 'active' })
    const main = await runStep({ inputs: adobeInputs(emu, { operation: 'delete', 'sandbox-name': 'summary-delete' }) })
    expect(rows(main.summary)).toMatchObject({ Operation: 'delete', State: 'deleted', 'Post step will': 'do nothing' })
    noSecrets(main)
  })

  it('adobe prune lists what it would delete', async () => {
    emu.adobe.seed({ name: 'gh-old-1', type: 'development', state: 'active', ageSeconds: 7 * 86_400 })
    emu.adobe.seed({ name: 'gh-new-1', type: 'development', state: 'active', ageSeconds: 60 })
    const main = await runStep({ inputs: adobeInputs(emu, { operation: 'prune', 'prune-prefix': 'gh-', 'dry-run': 'true' }) })
    expect(rows(main.summary)).toMatchObject({ Operation: 'prune', Prefix: '`gh-`', 'Would delete': '1' })
    expect(main.summary).toContain('- `gh-old-1`')
    expect(main.summary).not.toContain('gh-new-1')
    noSecrets(main)
  })

  it('a failed step says so in the summary, without the secret', async () => {
    const main = await runStep({ inputs: ts({ 'trackstar-api-key': 'bad-key-0123456789' }) })
    expect(main.exitCode).toBe(1)
    expect(rows(main.summary).Result).toContain('HTTP 401')
    noSecrets(main, ['bad-key-0123456789'])
  })

  it('summary: false writes none', async () => {
    const main = await runStep({ inputs: ts({ summary: 'false', cleanup: 'none' }) })
    expect(main.summary).toBe('')
  })
})
