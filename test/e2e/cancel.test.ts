// Cancellation: the runner sends SIGINT (then SIGTERM) to a cancelled step. The main step
// must stop waiting at once, keep the state it saved, and the post step must clean up.
// "At once" is judged by what the step does after the signal (no further waiting, no further
// requests), never by how many milliseconds a busy machine takes to end a process.
import { describe, expect } from 'vitest'
import { emulatorPerTest } from '../harness/per-test'
import { errors, runStep, type StepRun } from '../../scripts/local-runner'
import { expectOnlyLive, finishOnceSeen } from '../harness/adobe'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'

// A create that would take ten minutes: the step can only end early by obeying the signal.
const { emu, it } = emulatorPerTest({ adobe: { createMs: 600_000, deleteMs: 200 } })

/** Clock time at which the harness sent the signal. */
const signalledAt = (run: StepRun): number => run.startedAt + (run.signalledMs ?? Number.NaN)

describe('cancel', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s during an Adobe create wait: the step stops waiting at once and the post step deletes the sandbox', async signal => {
    const name = `cancelled-${signal.toLowerCase()}`
    const inputs = adobeInputs(emu, { 'sandbox-name': name })
    const main = await runStep({ inputs, signalWhen: { text: `Sandbox "${name}": creating (`, signal } })
    expect(main.signalledMs).toBeDefined()
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Cancelled while waiting for sandbox')
    expect(errors(main)[0]).toContain('cleaned up by the post step')
    // No look at the sandbox after the signal but one already on its way: the wait stopped.
    const lookups = emu.requests.filter(r => r.method === 'GET' && r.path.endsWith(`/sandboxes/${name}`))
    expect(lookups.filter(r => r.time > signalledAt(main)).length).toBeLessThanOrEqual(1)
    // the state saved before the wait survived the cancel
    expect(JSON.parse(main.state.cleanup)).toMatchObject({ sandbox: name, action: 'delete', confirmed: true })
    expect(emu.adobe.get(name)?.state).toBe('creating')

    // The post step lets the create settle before it deletes: it ends once the step waits.
    const post = await runStep({ inputs, state: main.state, onLine: finishOnceSeen(emu, name, 'waiting for it to settle before the delete') })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain(`Deleted sandbox "${name}"`)
    expectOnlyLive(emu)
  })

  it('SIGTERM during a retry back-off stops the Trackstar step at once', async () => {
    // The longest back-off a provider can ask for (the HTTP layer caps waits at a minute).
    emu.faults.add({ method: 'POST', path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'rate-limit', header: 'retry-after', seconds: 60 }] })
    const main = await runStep({
      inputs: trackstarInputs(emu),
      signalWhen: { text: 'retrying in', signal: 'SIGTERM' }
    })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Cancelled while waiting to retry')
    // The step ended without waiting out the back-off: no retry was sent, and it was over
    // before the minute it had been asked to wait had passed.
    const sent = emu.requests.filter(r => r.path === '/sandbox/generate-sandbox/wms')
    expect(sent.map(r => r.status)).toEqual([429])
    expect(main.endedAt).toBeLessThan(sent[0].time + 60_000)
  })
})
