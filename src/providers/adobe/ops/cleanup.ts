// The post step for Adobe: take the sandbox out of the roles this step added it to, then
// delete, reset or release it as the handoff says; a create of unknown outcome is looked for
// during a grace period before it counts as never created.
import { pollUntil } from '../../../core/poll'
import { ActionError } from '../../../core/errors'
import type { Handoff } from '../../../core/handoff'
import { changed, nothingToDo, type CleanupOutcome } from '../../../core/provider'
import { SandboxApi, type Sandbox } from '../api'
import { leaseTiming, release } from '../lease/claim'
import { revokeRoles } from '../ready/prepare'
import { exists, goingAway } from '../states'
import { type Ctx, connect, credentials, leaseDeps, readyFor, resetSandbox } from './common'

/**
 * The post step's search for a sandbox whose create had an unknown outcome: the provider may
 * finish it after the main step stopped, so "never created" is concluded only after a grace
 * period.
 */
export async function lookAfterUnknownCreate(ctx: Ctx, api: SandboxApi, name: string): Promise<Sandbox | undefined> {
  const { clock } = ctx.deadline
  const graceEnds = clock.now() + ctx.createGraceMs
  let first = true
  return pollUntil({
    deadline: ctx.deadline,
    until: graceEnds,
    delayMs: () => CREATE_LOOK_EVERY_MS,
    pausing: `looking for sandbox "${name}"`,
    awaited: () => `looking for sandbox "${name}", whose create had an unknown outcome`,
    lookExpiry: 'as is',
    look: async () => {
      const s = await api.get(name)
      if (exists(s)) return s
      const left = graceEnds - clock.now()
      if (first && left > 0) ctx.log.info(`Sandbox "${name}" is not there (yet): its create had an unknown outcome, so the post step looks again for up to ${Math.ceil(left / 1000)} s`)
      first = false
      return undefined
    }
  })
}

export const CREATE_LOOK_EVERY_MS = 2_000

/** Before the sandbox is deleted, it is taken out of the roles this step added it to. */
export async function cleanup(ctx: Ctx, handoff: Handoff): Promise<CleanupOutcome> {
  if (handoff.provider !== 'adobe' || handoff.action !== 'delete' || !handoff.roles?.length) return cleanupSandbox(ctx, handoff)
  const api = await connect(ctx)
  const revoked = await revokeRoles(ctx, credentials(ctx, api), handoff.sandbox, handoff.roles)
  // taking it out of the roles changed something, whatever the sandbox's own cleanup found
  return changed(`${revoked.join('. ')}. ${(await cleanupSandbox(ctx, handoff, api)).text}`)
}

export async function cleanupSandbox(ctx: Ctx, handoff: Handoff, connected?: SandboxApi): Promise<CleanupOutcome> {
  if (handoff.provider !== 'adobe') throw new ActionError('The saved state is not for Adobe')
  const name = handoff.sandbox
  const api = connected ?? (await connect(ctx))
  if (handoff.action === 'release') return release(ctx, api, leaseDeps(ctx, api, api.token), name, handoff.lease, leaseTiming(process.env))
  const found = handoff.confirmed ? await api.get(name) : await lookAfterUnknownCreate(ctx, api, name)
  const s = await readyFor(ctx, api, found, handoff.action)
  if (!s) {
    const why = handoff.confirmed
      ? 'already gone'
      : `never created (its create had an unknown outcome, and it did not appear within ${Math.round(ctx.createGraceMs / 1000)} s)`
    ctx.log.notice(`Sandbox "${name}" is ${why}: nothing to ${handoff.action}`)
    return nothingToDo(`Nothing to ${handoff.action}: sandbox "${name}" is ${why}`)
  }
  if (goingAway(s)) return changed(`Sandbox "${name}" is already being deleted (${s.state})${handoff.action === 'reset' ? ': nothing to reset' : ''}`)
  if (handoff.action === 'reset') {
    await resetSandbox(ctx, api, s)
    return changed(`Reset sandbox "${name}" (accepted; it becomes active again in about 30 s)`)
  }
  const res = await api.remove(name, ctx.inputs.ignoreWarnings)
  // Gone on a retry after an attempt whose answer was lost: that attempt deleted it.
  if (res.status === 404 && !res.afterUnknownOutcome) return nothingToDo(`Nothing to delete: sandbox "${name}" is already gone`)
  return changed(`Deleted sandbox "${name}"`)
}
