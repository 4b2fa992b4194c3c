// Secrets never reach a log line, an error, the state or the summary, in any encoding a
// provider might echo them back in, and also when they came from environment fallbacks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADOBE_BASE, EMULATOR_ADOBE_CLIENT_SECRET, startEmulator, type Emulator } from '../../emulator/index'
import { errors, runJob, runStep } from '../../scripts/local-runner'
import { adobeInputs } from '../../scripts/emulator-inputs'
import { expectMaskedEverywhere, forms } from '../harness/secrets'

let emu: Emulator
beforeEach(async () => {
  emu = await startEmulator({ adobe: { createMs: 0, deleteMs: 0 } })
})
afterEach(async () => emu?.close())

const KEY = 'tsk_"odd/key+with&chars=1%2F'

/** A provider error body that echoes the secret back in every form we can think of. */
function echo(secret: string): Record<string, string> {
  return {
    error: `bad key ${secret} (json ${JSON.stringify(secret)}) url=${encodeURIComponent(secret)} b64:${Buffer.from(secret).toString('base64')} in-a-word:xx${secret}yy`,
    origin: 'trackstar'
  }
}

describe('redaction', () => {
  it('a provider error that echoes the key in every encoding is redacted, from env fallbacks too', async () => {
    emu.trackstar.addApiKey(KEY)
    emu.faults.add({ method: 'POST', path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'status', status: 401, body: echo(KEY) }] })
    const main = await runStep({ inputs: { provider: 'trackstar', 'trackstar-api-url': emu.url }, env: { TRACKSTAR_API_KEY: KEY, RUNNER_DEBUG: '1' } })
    expect(main.exitCode).toBe(1)
    expect(main.masks).toContain(KEY)
    const [error] = errors(main)
    expect(error).toContain('bad key ***')
    for (const form of forms(KEY)) expect(error).not.toContain(form)
    expectMaskedEverywhere(main, [KEY])
  })

  it('a token echoed in a 5xx body during retries stays out of the retry log lines', async () => {
    const token = emu.adobe.issueToken()
    emu.faults.add({ method: 'POST', path: `${ADOBE_BASE}/sandboxes`, faults: [{ kind: 'status', status: 503, body: { error_code: '503000', message: `upstream rejected Bearer ${token}` } }] })
    const inputs = adobeInputs(emu, { 'adobe-access-token': token, 'sandbox-name': 'redact-me' })
    const { main, post } = await runJob({ inputs })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.stdout).toContain('upstream rejected Bearer ***')
    expectMaskedEverywhere(main, [token, EMULATOR_ADOBE_CLIENT_SECRET])
    expectMaskedEverywhere(post, [token, EMULATOR_ADOBE_CLIENT_SECRET])
  })

  it('the client secret from ADOBE_CLIENT_SECRET is masked before the first request', async () => {
    const inputs = adobeInputs(emu, { 'sandbox-name': 'env-secret' })
    delete inputs['adobe-client-secret']
    const main = await runStep({ inputs, env: { ADOBE_CLIENT_SECRET: EMULATOR_ADOBE_CLIENT_SECRET, RUNNER_DEBUG: '1' } })
    expect(main.exitCode, main.stdout).toBe(0)
    const lines = main.stdout.split('\n')
    expect(lines.findIndex(l => l === `::add-mask::${EMULATOR_ADOBE_CLIENT_SECRET}`)).toBeLessThan(lines.findIndex(l => l.startsWith('::debug::')))
    expectMaskedEverywhere(main, [EMULATOR_ADOBE_CLIENT_SECRET, main.outputs.access_token])
  })

  it('the state never holds a credential', async () => {
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'state-check' }) })
    expect(Object.keys(main.state).sort()).toEqual(['cleanup', 'isPost'])
    expect(JSON.parse(main.state.cleanup)).toEqual({ provider: 'adobe', sandbox: 'state-check', action: 'delete', created: true, confirmed: true })
  })
})
