// What the Adobe operations share: the client, the waits, the outputs and summary rows of a
// sandbox, the handoff, the grants and the seed, and the reset that every undo path uses.
import { ActionError, ProviderError } from '../../../core/errors'
import type { AdobeInputs } from '../../../core/inputs'
import type { Handoff } from '../../../core/handoff'
import { accessToken } from '../ims'
import { type StepContext, type StepResult, type SummaryRow } from '../../../core/provider'
import { hint, SandboxApi, type Sandbox } from '../api'
import { type LeaseDeps } from '../lease/claim'
import { prepareSandbox, seedSandbox } from '../ready/prepare'
import { assertMayTouch, type Verb } from '../safety'
import { exists, goingAway, inProgress, unusable } from '../states'
import { waitFor } from '../wait'

export type Ctx = StepContext<AdobeInputs>

/** The summary's "Created" row for operations that never create. */
export const NOT_CREATED: Partial<Record<AdobeInputs['operation'], string>> = {
  lease: 'no (leased from the pool)',
  get: 'no (read an existing sandbox; nothing changed)',
  reset: 'no (reset an existing sandbox)'
}

export async function connect(ctx: Ctx): Promise<SandboxApi> {
  const token = await accessToken(ctx)
  const creds = { token, apiKey: ctx.inputs.apiKey, orgId: ctx.inputs.orgId }
  return new SandboxApi(ctx.http('Adobe Sandbox API', hint), ctx.inputs.platformUrl, creds, ctx.deadline, ctx.log)
}

export function until(ctx: Ctx, api: SandboxApi, name: string, target: 'active' | 'settled' | 'gone', doing: string, current?: Sandbox): Promise<Sandbox | undefined> {
  return waitFor({ deadline: ctx.deadline, log: ctx.log, lookup: () => api.get(name), name, until: target, doing, current })
}

/** Waits until the sandbox is active; the record it ends with is one that exists. */
export async function untilActive(ctx: Ctx, api: SandboxApi, name: string, doing: string, current?: Sandbox): Promise<Sandbox> {
  return (await until(ctx, api, name, 'active', doing, current)) as Sandbox
}

export function results(ctx: Ctx, token: string, s: Sandbox, created: boolean, postWill: string, extra: SummaryRow[] = []): StepResult {
  return {
    outputs: {
      access_token: token,
      sandbox_name: s.name,
      sandbox_title: s.title ?? '',
      sandbox_state: s.state,
      sandbox_type: s.type,
      created: String(created)
    },
    env: { AEP_ACCESS_TOKEN: token, AEP_SANDBOX_NAME: s.name },
    summary: [
      ['Sandbox', `\`${s.name}\`${s.title ? ` (${s.title})` : ''}`],
      ['State', s.state],
      ['Created', created ? 'yes' : NOT_CREATED[ctx.inputs.operation] ?? 'no (reused an existing sandbox)'],
      ...extra,
      ['Post step will', postWill]
    ]
  }
}

/** The sandbox about to be handed over, checked once more against the safety rules. */
export function handOver(ctx: Ctx, s: Sandbox, verb: Verb): Sandbox {
  assertMayTouch(s, verb, ctx.inputs.allowProduction)
  return s
}

export function postWill(action: 'delete' | 'reset' | 'none', name: string): string {
  if (action === 'none') return 'leave it as it is'
  return `${action} sandbox \`${name}\``
}

/** The post-step action for this operation's outcome (`auto` undoes only what this step did). */
export function cleanupAction(ctx: Ctx, createdHere: boolean): 'delete' | 'reset' | 'none' {
  const c = ctx.inputs.cleanup
  if (c === 'auto') return createdHere ? 'delete' : 'none'
  return c
}

export function record(ctx: Ctx, name: string, action: 'delete' | 'reset' | 'none', created: boolean, confirmed: boolean, roles?: string[]): void {
  if (action === 'none') return ctx.record(undefined)
  const h: Handoff = { provider: 'adobe', sandbox: name, action, created, confirmed, ...(roles?.length ? { roles } : {}) }
  ctx.record(h)
}

export function credentials(ctx: Ctx, api: SandboxApi) {
  return { token: api.token, apiKey: ctx.inputs.apiKey, orgId: ctx.inputs.orgId }
}

/** Roles and package for the now active sandbox; the roles are revoked when the post step deletes it. */
export function prepare(ctx: Ctx, api: SandboxApi, name: string, action: 'delete' | 'reset' | 'none', created: boolean, seeded?: string): Promise<SummaryRow[]> {
  const onGrant = action === 'delete' ? (roles: string[]) => record(ctx, name, action, created, true, roles) : undefined
  return prepareSandbox(ctx, credentials(ctx, api), name, { onGrant, seeded })
}

/** The record, or an error when the sandbox is gone or on its way out and so cannot be used. */
export function stillThere(s: Sandbox | undefined, name: string, doing: string): Sandbox {
  if (!exists(s)) throw new ActionError(`Sandbox "${name}" disappeared while ${doing}`)
  if (goingAway(s)) throw new ActionError(`Sandbox "${name}" is being deleted (state ${s.state}), so it cannot be ${doing === 'resetting' ? 'reset' : 'used'}: try again once it is gone`)
  return s
}

/** Resets an existing, settled sandbox; returns it after the reset was accepted. */
export async function resetSandbox(ctx: Ctx, api: SandboxApi, s: Sandbox): Promise<Sandbox> {
  assertMayTouch(s, 'reset', ctx.inputs.allowProduction)
  const why = unusable(s)
  if (why) throw new ActionError(`Sandbox "${s.name}" ${why} and cannot be reset${s.state === 'failed' ? ': delete it and create it again' : ''}`)
  for (let sent = 1; ; sent++) {
    try {
      const res = await api.reset(s.name, ctx.inputs.ignoreWarnings)
      return res.sandbox ?? stillThere(await api.get(s.name), s.name, 'resetting')
    } catch (err) {
      if (!(err instanceof ProviderError) || err.status !== 400) throw err
      // A reset whose first attempt was lost may have started: the retry then finds it busy.
      const now = await api.get(s.name)
      if (now?.state === 'resetting') return now
      // ...or already done, when the retry came late: resetting once more is what was asked.
      if (!err.details.afterUnknownOutcome || now?.state !== 'active' || sent >= RESET_SENDS) throw err
      ctx.log.info(`Sandbox "${s.name}": the reset was refused after an attempt whose answer was lost, and the sandbox is active again: resetting it once more`)
    }
  }
}

/** How often a reset is sent when a retry after a lost answer keeps finding it already done. */
export const RESET_SENDS = 3

/**
 * The sandbox checked against the safety rules right before a change, and let settle first
 * when it is busy (one on its way out is returned as it is); the settled record is checked
 * again. Undefined when it does not exist, or no longer does once settled.
 */
export async function readyFor(ctx: Ctx, api: SandboxApi, s: Sandbox | undefined, verb: 'reset' | 'delete'): Promise<Sandbox | undefined> {
  if (!exists(s)) return undefined
  assertMayTouch(s, verb, ctx.inputs.allowProduction)
  if (!inProgress(s)) return s
  ctx.log.info(`Sandbox "${s.name}" is ${s.state}: waiting for it to settle before the ${verb}`)
  const settled = await until(ctx, api, s.name, 'settled', s.state)
  if (!exists(settled)) return undefined
  assertMayTouch(settled, verb, ctx.inputs.allowProduction)
  return settled
}

/** What lease and get share with the operations here. */
export function leaseDeps(ctx: Ctx, api: SandboxApi, token: string): LeaseDeps {
  return {
    reset: s => resetSandbox(ctx, api, s),
    until: (name, target, doing, current) => until(ctx, api, name, target, doing, current),
    results: (s, will, extra) => results(ctx, token, s, false, will, extra),
    prepare: (name, seeded) => prepare(ctx, api, name, 'none', false, seeded),
    seed: async name => void (ctx.inputs.packageId && (await seedSandbox(ctx, credentials(ctx, api), name, ctx.inputs.packageId)))
  }
}
