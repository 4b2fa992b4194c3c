// Cancellation: the runner sends SIGINT (then SIGTERM) to a cancelled step. The main step
// must stop waiting at once, keep the state it saved, and the post step must clean up.
import { describe, expect } from 'vitest'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runStep } from '../../scripts/local-runner'
import { expectOnlyLive } from '../harness/adobe'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 4000, deleteMs: 200 } })

describe('cancel', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s during an Adobe create wait: the step stops within a second and the post step deletes the sandbox', async signal => {
    const inputs = adobeInputs(emu, { 'sandbox-name': `cancelled-${signal.toLowerCase()}` })
    const main = await runStep({ inputs, signalWhen: { text: 'creating (1 s elapsed)', signal } })
    expect(main.signalledMs).toBeDefined()
    expect(main.exitCode).toBe(1)
    expect(main.wallMs - (main.signalledMs ?? 0)).toBeLessThan(1000)
    expect(errors(main)[0]).toContain('Cancelled while')
    expect(errors(main)[0]).toContain('cleaned up by the post step')
    // the state saved before the wait survived the cancel
    expect(JSON.parse(main.state.cleanup)).toMatchObject({ sandbox: inputs['sandbox-name'], action: 'delete', confirmed: true })
    expect(emu.adobe.get(inputs['sandbox-name'])?.state).toBe('creating')

    const post = await runStep({ inputs, state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain(`Deleted sandbox "${inputs['sandbox-name']}"`)
    expectOnlyLive(emu)
  })

  it('SIGTERM during a retry back-off stops the Trackstar step at once', async () => {
    emu.faults.add({ method: 'POST', path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'rate-limit', header: 'retry-after', seconds: 30 }] })
    const main = await runStep({
      inputs: trackstarInputs(emu),
      signalWhen: { text: 'retrying in', signal: 'SIGTERM' }
    })
    expect(main.exitCode).toBe(1)
    expect(main.wallMs - (main.signalledMs ?? 0)).toBeLessThan(1000)
    expect(errors(main)[0]).toContain('Cancelled')
  })
})
