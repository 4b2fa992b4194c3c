// Secrets never reach a log line, an error, the state or the summary, in any encoding a
// provider might echo them back in, and also when they came from environment fallbacks.
import { describe, expect } from 'vitest'
import { ADOBE_BASE, EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_CLIENT_SECRET, EMULATOR_TRACKSTAR_API_KEY } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runJob, runStep } from '../../scripts/local-runner'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'
import { expectMaskedEverywhere, forms, runnerMasks } from '../harness/secrets'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 0, deleteMs: 0 } })

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
    const mask = lines.indexOf(`::add-mask::${EMULATOR_ADOBE_CLIENT_SECRET}`)
    const firstDebug = lines.findIndex(l => l.startsWith('::debug::'))
    expect(mask, 'the client secret has its ::add-mask:: line').toBeGreaterThanOrEqual(0)
    expect(firstDebug, 'the step wrote debug lines').toBeGreaterThan(0)
    expect(mask).toBeLessThan(firstDebug)
    expectMaskedEverywhere(main, [EMULATOR_ADOBE_CLIENT_SECRET, main.outputs.access_token])
  })

  // Each environment fallback of a credential: the value is masked like an input's.
  const FALLBACKS: [string, () => { inputs: Record<string, string>; env: Record<string, string>; secret: string }][] = [
    ['TRACKSTAR_API_KEY', () => ({ inputs: { provider: 'trackstar', 'trackstar-api-url': emu.url }, env: { TRACKSTAR_API_KEY: EMULATOR_TRACKSTAR_API_KEY }, secret: EMULATOR_TRACKSTAR_API_KEY })],
    ['TRACKSTAR_ACCESS_TOKEN', () => ({ inputs: trackstarInputs(emu, { operation: 'delete' }), env: { TRACKSTAR_ACCESS_TOKEN: 'tsat-from-the-environment' }, secret: 'tsat-from-the-environment' })],
    ['ADOBE_CLIENT_SECRET', () => {
      const inputs = adobeInputs(emu, { 'sandbox-name': 'env-fallback' })
      delete inputs['adobe-client-secret']
      return { inputs, env: { ADOBE_CLIENT_SECRET: EMULATOR_ADOBE_CLIENT_SECRET }, secret: EMULATOR_ADOBE_CLIENT_SECRET }
    }],
    ['ADOBE_ACCESS_TOKEN', () => {
      const inputs = adobeInputs(emu, { 'sandbox-name': 'env-fallback', 'adobe-api-key': EMULATOR_ADOBE_CLIENT_ID })
      delete inputs['adobe-client-id']
      delete inputs['adobe-client-secret']
      const token = emu.adobe.issueToken()
      return { inputs, env: { ADOBE_ACCESS_TOKEN: token }, secret: token }
    }]
  ]

  it.each(FALLBACKS)('a credential from %s is masked before anything else is written', async (_name, setup) => {
    const { inputs, env, secret } = setup()
    const main = await runStep({ inputs, env: { ...env, RUNNER_DEBUG: '1' } })
    const lines = main.stdout.split('\n')
    const mask = lines.indexOf(`::add-mask::${secret}`)
    expect(mask, main.stdout).toBeGreaterThanOrEqual(0)
    expect(lines.slice(0, mask).filter(l => !l.startsWith('::add-mask::')), 'nothing is written before the masks').toEqual([])
    expectMaskedEverywhere(main, [secret])
  })

  // One encoding at a time: each must be redacted by the action itself, not only by the runner.
  const ECHOES: [string, (s: string) => string][] = [
    ['URL-encoded', s => encodeURIComponent(s)],
    ['form-encoded', s => new URLSearchParams({ k: s }).toString().slice(2)],
    ['JSON-escaped with \\/ and \\u', s => JSON.stringify(s).slice(1, -1).replace(/\//g, '\\/').replace(/"/g, '\\u0022')],
    ['base64url', s => Buffer.from(s).toString('base64url')]
  ]

  it.each(ECHOES)('a key echoed only %s never reaches the log, the error or the summary', async (_how, encode) => {
    emu.trackstar.addApiKey(KEY)
    const echoed = encode(KEY)
    const body = `{"error":"bad key ${echoed} end","origin":"trackstar"}`
    emu.faults.add({ method: 'POST', path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'status', status: 503, body }, { kind: 'status', status: 401, body }] })
    const main = await runStep({ inputs: trackstarInputs(emu, { 'trackstar-api-key': KEY }) })
    expect(main.exitCode).toBe(1)
    expect(main.stdout).toContain('HTTP 503 bad key *** end')
    expect(errors(main)[0]).toContain('HTTP 401: bad key *** end')
    const shown = main.stdout.split('\n').filter(l => !l.startsWith('::add-mask::')).join('\n')
    for (const text of [shown, main.stderr, main.files.summary]) expect(text).not.toContain(echoed)
    expectMaskedEverywhere(main, [KEY])
  })

  it('a body holding a line break and ::stop-commands:: cannot stop command processing before a later ::add-mask::', async () => {
    emu.faults.add({
      method: 'POST',
      path: '/sandbox/generate-sandbox/wms',
      faults: [
        { kind: 'status', status: 503, body: { error: 'busy\n::stop-commands::x\n##[stop-commands]y', origin: 'trackstar' } },
        { kind: 'status', status: 503, body: '\r\n::stop-commands::z\r\n' }
      ]
    })
    const main = await runStep({ inputs: trackstarInputs(emu, { cleanup: 'none' }), env: { RUNNER_DEBUG: '1' } })
    expect(main.exitCode, main.stdout).toBe(0)
    const lines = main.stdout.split(/\r\n|\r|\n/)
    expect(lines.filter(l => /^\s*::stop-commands::/.test(l))).toEqual([])
    expect(lines.filter(l => l.includes('##[stop-commands]'))).toEqual([])
    // The token generated after the faults is masked, and the runner still reads that mask.
    const token = main.outputs.access_token
    expect(token).toMatch(/.{8,}/)
    expect(main.masks).toContain(token)
    expect(runnerMasks(main.stdout)).toContain(token)
    expect(main.stdout).toContain('HTTP 503 busy ::stop-commands::x ## [stop-commands]y')
  })

  it('the state never holds a credential', async () => {
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'state-check' }) })
    expect(Object.keys(main.state).sort()).toEqual(['cleanup', 'isPost'])
    expect(JSON.parse(main.state.cleanup)).toEqual({ provider: 'adobe', sandbox: 'state-check', action: 'delete', created: true, confirmed: true })
  })
})
