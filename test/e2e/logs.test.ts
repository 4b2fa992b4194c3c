// What the log shows: long phases in collapsible sections, errors titled with the action's
// name, a pointer to debug logging where the request log would help, and no post-step
// summary when the post step had nothing to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator/index'
import { errors, runJob, runStep } from '../../scripts/local-runner'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator({ adobe: { createMs: 0, resetMs: 0, deleteMs: 0 } })
})
afterAll(async () => emu?.close())

const lines = (stdout: string): string[] => stdout.split('\n')

describe('log', () => {
  it('the operation and the cleanup each run in one section, and sections do not nest', async () => {
    const { main, post } = await runJob({ inputs: adobeInputs(emu, { 'sandbox-name': 'logs-groups' }) })
    expect(main.exitCode, main.stdout).toBe(0)
    const m = lines(main.stdout)
    const open = m.indexOf('::group::Adobe Experience Platform: create')
    const close = m.indexOf('::endgroup::')
    expect(open).toBeGreaterThanOrEqual(0)
    expect(close).toBeGreaterThan(open)
    expect(m.slice(open, close).join('\n')).toContain('Sandbox "logs-groups" is active')
    expect(m.filter(l => l.startsWith('::group::'))).toHaveLength(1)
    const p = lines(post.stdout)
    expect(p).toContain('::group::Cleanup: delete the Adobe sandbox "logs-groups"')
    expect(p.indexOf('Deleted sandbox "logs-groups"')).toBeGreaterThan(p.indexOf('::endgroup::'))
  })

  it('an error after a provider answered: titled with the action, outside any section, with the debug-logging hint', async () => {
    const main = await runStep({ inputs: trackstarInputs(emu, { 'trackstar-api-key': 'wrong-key-0123456789', cleanup: 'none' }) })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    // A colon in a property is escaped as %3A; the runner shows it as a colon.
    expect(error).toMatch(/^::error title=Ephemeral Sandbox%3A trackstar generate failed::Trackstar: generate wms sandbox failed: HTTP 401/)
    expect(error).toContain('re-run the job with debug logging enabled')
    const m = lines(main.stdout)
    expect(m.indexOf(error)).toBeGreaterThan(m.indexOf('::endgroup::'))
  })

  it('with debug logging on, the hint is left out and each request is in the debug log', async () => {
    const main = await runStep({ inputs: trackstarInputs(emu, { 'trackstar-api-key': 'wrong-key-0123456789', cleanup: 'none' }), env: { RUNNER_DEBUG: '1' } })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).not.toContain('debug logging')
    expect(main.stdout).toMatch(/::debug::Trackstar: POST .*generate-sandbox\/wms -> 401/)
  })

  it('a bad input gets no hint: its message says all', async () => {
    const main = await runStep({ inputs: trackstarInputs(emu, { timeout: 'soon' }) })
    const [error] = errors(main)
    expect(error).toMatch(/^::error title=Ephemeral Sandbox failed::Input `timeout`/)
    expect(error).not.toContain('debug logging')
  })

  it('a post step with nothing to undo writes no summary; one that cleaned up does', async () => {
    // delete leaves nothing for the post step to do
    const nothing = await runJob({ inputs: trackstarInputs(emu, { operation: 'delete' }) })
    expect(nothing.main.exitCode, nothing.main.stdout).toBe(0)
    expect(nothing.post.stdout).toContain('nothing to clean up')
    expect(nothing.post.summary).toBe('')
    // an Adobe sandbox that is gone by the time the post step runs: nothing to delete
    const gone = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'logs-gone' }) })
    expect(gone.exitCode, gone.stdout).toBe(0)
    await runStep({ inputs: adobeInputs(emu, { operation: 'delete', 'sandbox-name': 'logs-gone' }) })
    const post = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'logs-gone' }), state: gone.state })
    expect(post.stdout).toContain('Nothing to delete')
    expect(post.summary).toBe('')
    const cleaned = await runJob({ inputs: trackstarInputs(emu) })
    expect(cleaned.post.summary).toContain('Reset the Trackstar wms sandbox')
  })
})
