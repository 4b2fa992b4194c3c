// The post step's outcome for Adobe as a typed value: `changed` when it deleted, reset or
// released something, `nothing` when there was nothing to undo. The job summary and the PR
// comment read the kind, never the words.
import { describe, expect } from 'vitest'
import { adobe } from '../../../../../src/providers/adobe/index'
import { release } from '../../../../../src/providers/adobe/lease/claim'
import { formatHeld, holderText } from '../../../../../src/providers/adobe/lease/record'
import { emulatorPerTest } from '../../../../harness/per-test'
import { inProcessStep, quickTiming } from '../../../../harness/lease'

const { emu, it } = emulatorPerTest({ adobe: { createMs: 0, resetMs: 0, deleteMs: 0 } })

const handoff = (action: 'delete' | 'reset') => ({ provider: 'adobe' as const, sandbox: 'box', action, created: true, confirmed: true })

describe('cleanup outcomes', () => {
  it('a delete of a sandbox that is there: changed, and it is gone', async () => {
    emu.adobe.seed({ name: 'box', state: 'active' })
    const out = await adobe.cleanup(inProcessStep(emu, {}, { runId: 1 }).ctx, handoff('delete'))
    expect(out).toEqual({ kind: 'changed', text: 'Deleted sandbox "box"' })
    expect(emu.adobe.get('box')?.state ?? 'deleted').toMatch(/deleted|deleting|cleaning|de-provisioning/)
  })

  it('a delete of a sandbox that is gone already: nothing, and no DELETE is sent', async () => {
    const out = await adobe.cleanup(inProcessStep(emu, {}, { runId: 1 }).ctx, handoff('delete'))
    expect(out.kind).toBe('nothing')
    expect(out.text).toBe('Nothing to delete: sandbox "box" is already gone')
    expect(emu.requests.filter(r => r.method === 'DELETE')).toEqual([])
  })

  it('a reset of a sandbox that is there: changed', async () => {
    emu.adobe.seed({ name: 'box', state: 'active' })
    const out = await adobe.cleanup(inProcessStep(emu, {}, { runId: 1 }).ctx, handoff('reset'))
    expect(out.kind).toBe('changed')
    expect(out.text).toMatch(/^Reset sandbox "box"/)
  })

  it('a release of a lease that is no longer this job\'s: nothing, and nothing is reset', async () => {
    const step = inProcessStep(emu, { operation: 'lease', pool: 'box' }, { runId: 1 })
    emu.adobe.seed({ name: 'box', state: 'active', title: formatHeld(Date.now() + 3_600_000, 'ffffffffffffffff', holderText(step.ctx.run)) })
    const { api, deps } = await step.api()
    const out = await release(step.ctx, api, deps, 'box', '0123456789abcdef', quickTiming())
    expect(out.kind).toBe('nothing')
    expect(out.text).toMatch(/^Nothing to release: the lease on "box" is no longer this job's/)
    expect(emu.requests.filter(r => r.method === 'PUT')).toEqual([])
  })
})
