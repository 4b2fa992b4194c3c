// The role grant's read-modify-write paths in process, on a virtual clock (pauses pass at
// once, so the quiet period is counted in reads, not in how fast the machine is): another
// writer seen during the watch starts the quiet period again, our own sandbox dropped by
// another writer is written again, and a write the role never shows is an error.
import { describe, expect } from 'vitest'
import { ROLES_BASE, type Emulator } from '../../../../../emulator/index'
import { httpClientTransport, type Transport } from '../../../../../src/core/http'
import { rolesApi } from '../../../../../src/providers/adobe/ready/prepare'
import { credentialRole } from '../../../../../scripts/emulator-inputs'
import { emulatorPerTest } from '../../../../harness/per-test'
import { inProcessStep } from '../../../../harness/lease'
import { virtualClock } from '../../../../harness/virtual-time'

const ROLE = `${ROLES_BASE}/roles/role-qa`
const { emu, it } = emulatorPerTest({ adobe: { createMs: 0, licenseLimit: 50 } }, e => {
  e.platform.roles.seed(credentialRole('role-qa', ['prod', 'qa-shared']))
  e.adobe.seed({ name: 'box', type: 'development', state: 'active' })
  e.adobe.seed({ name: 'qa-shared', type: 'development', state: 'active' })
  e.adobe.seed({ name: 'other-job', type: 'development', state: 'active' })
})

/** Counts the role's reads after its first `replace`, and lets a test act at the nth of them. */
function watching(onRead: (n: number) => void): { transport: Transport; readsAfterReplace: () => number } {
  let replaced = false
  let reads = 0
  return {
    readsAfterReplace: () => reads,
    transport: async req => {
      if (req.url.endsWith(ROLE) && req.method === 'PATCH' && /"replace"/.test(String(req.body ?? ''))) replaced = true
      if (req.url.endsWith(ROLE) && req.method === 'GET' && replaced) onRead(++reads)
      return httpClientTransport(req)
    }
  }
}

async function grant(e: Emulator, transport: Transport) {
  e.platform.setMode('docs')
  e.platform.roles.setAddReplaces(true)
  const s = inProcessStep(e, { 'adobe-role-id': 'role-qa' }, { runId: 7, clock: virtualClock(Date.now()), transport })
  const { api } = await s.api()
  const roles = rolesApi(s.ctx, { token: api.token, apiKey: s.ctx.inputs.apiKey, orgId: s.ctx.inputs.orgId })
  const role = await roles.get('role-qa')
  await roles.grant(role!, 'box')
  return s
}

const roleNow = (e: Emulator): string[] => [...(e.platform.roles.get('role-qa')?.sandboxes ?? [])].sort()

describe('the watch after a read-modify-write', () => {
  it('nobody else writes: the role is read until it stayed the same for the quiet period, then the grant ends', async () => {
    const w = watching(() => undefined)
    await grant(emu, w.transport)
    expect(roleNow(emu)).toEqual(['box', 'prod', 'qa-shared'])
    // the read back, then a read every 750 ms until 4 s passed without a change
    expect(w.readsAfterReplace()).toBe(7)
  })

  it('another writer adds a name during the watch: the quiet period starts again from that read', async () => {
    const w = watching(n => {
      if (n === 3) emu.platform.roles.seed(credentialRole('role-qa', [...roleNow(emu), 'other-job']))
    })
    await grant(emu, w.transport)
    expect(roleNow(emu)).toEqual(['box', 'other-job', 'prod', 'qa-shared'])
    // read 3 saw the change; six more reads make the next quiet 4 s
    expect(w.readsAfterReplace()).toBe(3 + 6)
  })

  it('another writer drops our sandbox during the watch: it is written again, and confirmed', async () => {
    const w = watching(n => {
      if (n === 2) emu.platform.roles.seed(credentialRole('role-qa', roleNow(emu).filter(s => s !== 'box')))
    })
    const s = await grant(emu, w.transport)
    expect(roleNow(emu)).toEqual(['box', 'prod', 'qa-shared'])
    expect(s.lines.some(l => /"box" not in it after write \d: another writer changed the role meanwhile \(removed "box"\); writing again/.test(l))).toBe(true)
    expect(emu.requests.filter(r => r.method === 'PATCH' && r.path === ROLE && r.status === 200).length).toBe(3)
  })
})

describe('a write the role never shows', () => {
  it('accepted, and read back three times unchanged: an error that says so, with no second write', async () => {
    const s = inProcessStep(emu, { 'adobe-role-id': 'role-qa' }, {
      runId: 7,
      clock: virtualClock(Date.now()),
      // the PATCH is answered 200 without reaching the service
      transport: async req => (req.method === 'PATCH' ? { status: 200, headers: { 'content-type': 'application/json' }, text: '{}' } : httpClientTransport(req))
    })
    const { api } = await s.api()
    const roles = rolesApi(s.ctx, { token: api.token, apiKey: s.ctx.inputs.apiKey, orgId: s.ctx.inputs.orgId })
    const role = await roles.get('role-qa')
    const err = await roles.grant(role!, 'box').catch(e => e)
    expect(err.message).toBe(
      'Role "role-qa": the change adding sandbox "box" was accepted, but the role read back 3 times still does not list it, and nothing else in it changed: check the role in Experience Platform Permissions > Roles'
    )
    expect(roleNow(emu)).toEqual(['prod', 'qa-shared'])
  })
})
