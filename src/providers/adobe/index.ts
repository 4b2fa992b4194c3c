// Adobe Experience Platform development sandboxes: create (or reuse), reset, delete, prune,
// and the post step's cleanup. Every change is preceded by the safety check and, where the
// post step must undo it, by the handoff that lets it do so.
import { pollUntil } from '../../core/poll'
import { ActionError, ProviderError } from '../../core/errors'
import type { AdobeInputs } from '../../core/inputs'
import { defaultSandboxName, defaultSandboxTitle, lifetimeFor } from '../../core/naming'
import type { Handoff } from '../../core/handoff'
import { accessToken } from './ims'
import { changed, nothingToDo, type CleanupOutcome, type Provider, type StepContext, type StepResult, type SummaryRow } from '../../core/provider'
import { hint, SandboxApi, type Sandbox } from './api'
import { createWithinLicence } from './capacity'
import { get } from './ops/get'
import { lease, leaseTiming, release, type LeaseDeps } from './lease/claim'
import { preflight } from './ready/preflight'
import { prepareSandbox, revokeRoles } from './ready/prepare'
import { prune } from './ops/prune'
import { checkPruneClosed } from './ops/prune-closed'
import { assertMayTouch, type Verb } from './safety'
import { exists, goingAway, inProgress, unusable } from './states'
import { assertNotFailed, waitFor } from './wait'

type Ctx = StepContext<AdobeInputs>

/** The summary's "Created" row for operations that never create. */
const NOT_CREATED: Partial<Record<AdobeInputs['operation'], string>> = {
  lease: 'no (leased from the pool)',
  get: 'no (read an existing sandbox; nothing changed)',
  reset: 'no (reset an existing sandbox)'
}

export async function connect(ctx: Ctx): Promise<SandboxApi> {
  const token = await accessToken(ctx)
  const creds = { token, apiKey: ctx.inputs.apiKey, orgId: ctx.inputs.orgId }
  return new SandboxApi(ctx.http('Adobe Sandbox API', hint), ctx.inputs.platformUrl, creds, ctx.deadline, ctx.log)
}

function until(ctx: Ctx, api: SandboxApi, name: string, target: 'active' | 'settled' | 'gone', doing: string, current?: Sandbox): Promise<Sandbox | undefined> {
  return waitFor({ deadline: ctx.deadline, log: ctx.log, lookup: () => api.get(name), name, until: target, doing, current })
}

/** Waits until the sandbox is active; the record it ends with is one that exists. */
async function untilActive(ctx: Ctx, api: SandboxApi, name: string, doing: string, current?: Sandbox): Promise<Sandbox> {
  return (await until(ctx, api, name, 'active', doing, current)) as Sandbox
}

function results(ctx: Ctx, token: string, s: Sandbox, created: boolean, postWill: string, extra: SummaryRow[] = []): StepResult {
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
function handOver(ctx: Ctx, s: Sandbox, verb: Verb): Sandbox {
  assertMayTouch(s, verb, ctx.inputs.allowProduction)
  return s
}

function postWill(action: 'delete' | 'reset' | 'none', name: string): string {
  if (action === 'none') return 'leave it as it is'
  return `${action} sandbox \`${name}\``
}

/** The post-step action for this operation's outcome (`auto` undoes only what this step did). */
function cleanupAction(ctx: Ctx, createdHere: boolean): 'delete' | 'reset' | 'none' {
  const c = ctx.inputs.cleanup
  if (c === 'auto') return createdHere ? 'delete' : 'none'
  return c
}

function record(ctx: Ctx, name: string, action: 'delete' | 'reset' | 'none', created: boolean, confirmed: boolean, roles?: string[]): void {
  if (action === 'none') return ctx.record(undefined)
  const h: Handoff = { provider: 'adobe', sandbox: name, action, created, confirmed, ...(roles?.length ? { roles } : {}) }
  ctx.record(h)
}

function credentials(ctx: Ctx, api: SandboxApi) {
  return { token: api.token, apiKey: ctx.inputs.apiKey, orgId: ctx.inputs.orgId }
}

/** Roles and package for the now active sandbox; the roles are revoked when the post step deletes it. */
function prepare(ctx: Ctx, api: SandboxApi, name: string, action: 'delete' | 'reset' | 'none', created: boolean): Promise<SummaryRow[]> {
  const onGrant = action === 'delete' ? (roles: string[]) => record(ctx, name, action, created, true, roles) : undefined
  return prepareSandbox(ctx, credentials(ctx, api), name, { onGrant })
}

/** The record, or an error when the sandbox is gone or on its way out and so cannot be used. */
function stillThere(s: Sandbox | undefined, name: string, doing: string): Sandbox {
  if (!exists(s)) throw new ActionError(`Sandbox "${name}" disappeared while ${doing}`)
  if (goingAway(s)) throw new ActionError(`Sandbox "${name}" is being deleted (state ${s.state}), so it cannot be ${doing === 'resetting' ? 'reset' : 'used'}: try again once it is gone`)
  return s
}

/** Resets an existing, settled sandbox; returns it after the reset was accepted. */
async function resetSandbox(ctx: Ctx, api: SandboxApi, s: Sandbox): Promise<Sandbox> {
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
const RESET_SENDS = 3

/**
 * Whether a failed create certainly created nothing: the provider refused it (4xx) and no
 * earlier attempt had an unknown outcome. Anything else (5xx, no answer, timeout, cancel)
 * may have created it.
 */
function certainlyNotCreated(err: unknown): boolean {
  // An ActionError here is the licence-full refusal with if-full: fail.
  if (err instanceof ActionError) return true
  return err instanceof ProviderError && err.status >= 400 && err.status < 500 && !err.details.afterUnknownOutcome
}

async function create(ctx: Ctx, api: SandboxApi, token: string): Promise<StepResult> {
  const { inputs, log } = ctx
  const name = inputs.sandboxName ?? defaultSandboxName(ctx.run)
  const title = inputs.sandboxTitle ?? defaultSandboxTitle(ctx.run, lifetimeFor(inputs.cleanup, ctx.run))
  let existing = await api.get(name)
  if (exists(existing) && goingAway(existing)) {
    // Being deleted (a previous run's cleanup, say): once it is gone the name is free again.
    log.info(`Sandbox "${name}" is being deleted (${existing.state}): waiting until it is gone, then creating it anew`)
    existing = await until(ctx, api, name, 'gone', existing.state, existing)
  }

  if (!exists(existing)) {
    const action = cleanupAction(ctx, true)
    // Recorded before the request: if its outcome is unknown (no answer, a 5xx, a cancel),
    // the post step looks for it.
    record(ctx, name, action, true, false)
    let res
    try {
      res = await createWithinLicence(ctx, api, name, title)
    } catch (err) {
      if (certainlyNotCreated(err)) record(ctx, name, 'none', false, true)
      throw err
    }
    if (res.status !== 409 || res.afterUnknownOutcome) {
      if (res.status === 409) log.info(`A retry of the create answered 409 after an attempt whose outcome was unknown: sandbox "${name}" was created by this step`)
      record(ctx, name, action, true, true)
      log.info(`Creating sandbox "${name}" (${title})`)
      // A 409 carries no record, and an answer may be unreadable: then read the record itself.
      const answered = (res.status === 409 ? undefined : res.sandbox) ?? (await api.get(name))
      if (!exists(answered)) throw new ActionError(`Sandbox "${name}" was accepted for creation but cannot be found`)
      assertNotFailed(answered, 'creating')
      // The 202 may already say `active`: the wait then makes no lookup.
      const s = inputs.wait ? await untilActive(ctx, api, name, 'creating', answered) : answered
      log.info(`Sandbox "${name}" is ${s.state}`)
      return results(ctx, token, handOver(ctx, s, 'reuse'), true, postWill(action, name), await prepare(ctx, api, name, action, true))
    }
    // Someone else created it between our lookup and our create: it is not ours.
    log.info(`Sandbox "${name}" was created by someone else meanwhile (409): following if-exists: ${inputs.ifExists}`)
    record(ctx, name, 'none', false, true)
    existing = await api.get(name)
    if (!exists(existing)) throw new ActionError(`Sandbox "${name}" answered 409 on create but cannot be found`)
  }

  const s = existing
  if (inputs.ifExists === 'fail') {
    throw new ActionError(`Sandbox "${name}" already exists (state ${s.state}) and if-exists is "fail": choose another sandbox-name, or set if-exists to reuse or reset`)
  }
  const verb = inputs.ifExists === 'reset' ? 'reset' : 'reuse'
  assertMayTouch(s, verb, inputs.allowProduction)
  const action = cleanupAction(ctx, false)
  if (unusable(s)) throw new ActionError(`Sandbox "${name}" exists but is in state "${s.state}": delete it (operation: delete) and create it again`)
  stillThere(s, name, verb === 'reset' ? 'resetting' : 'reusing')

  if (inputs.ifExists === 'reuse') {
    record(ctx, name, action, false, true)
    let now: Sandbox = s
    if (inProgress(s)) {
      log.info(`Sandbox "${name}" exists and is ${s.state}: waiting until it is active`)
      now = await untilActive(ctx, api, name, s.state)
    }
    log.info(`Reusing sandbox "${name}" (${now.state})`)
    return results(ctx, token, handOver(ctx, now, 'reuse'), false, postWill(action, name), await prepare(ctx, api, name, action, false))
  }

  // if-exists: reset
  let settled: Sandbox = s
  if (inProgress(s)) settled = stillThere(await until(ctx, api, name, 'settled', s.state), name, 'resetting')
  record(ctx, name, action, false, true)
  let now = await resetSandbox(ctx, api, settled)
  log.info(`Resetting existing sandbox "${name}"`)
  if (inputs.wait) now = await untilActive(ctx, api, name, 'resetting', now)
  return results(ctx, token, handOver(ctx, { ...settled, ...now }, 'reset'), false, postWill(action, name), [['Reset', 'yes (if-exists: reset)'], ...(await prepare(ctx, api, name, action, false))])
}

async function reset(ctx: Ctx, api: SandboxApi, token: string): Promise<StepResult> {
  const name = ctx.inputs.sandboxName as string
  let s = await api.get(name)
  if (!exists(s)) throw new ActionError(`Sandbox "${name}" does not exist, so it cannot be reset (use operation: create)`)
  assertMayTouch(s, 'reset', ctx.inputs.allowProduction)
  stillThere(s, name, 'resetting')
  if (inProgress(s)) {
    ctx.log.info(`Sandbox "${name}" is ${s.state}: waiting for it to settle before the reset`)
    s = stillThere(await until(ctx, api, name, 'settled', s.state), name, 'resetting')
  }
  const action = cleanupAction(ctx, false)
  record(ctx, name, action, false, true)
  let now = await resetSandbox(ctx, api, s)
  ctx.log.info(`Resetting sandbox "${name}"`)
  if (ctx.inputs.wait) now = await untilActive(ctx, api, name, 'resetting', now)
  return results(ctx, token, handOver(ctx, { ...s, ...now }, 'reset'), false, postWill(action, name), await prepare(ctx, api, name, action, false))
}

/**
 * The sandbox checked against the safety rules right before a change, and let settle first
 * when it is busy (one on its way out is returned as it is); the settled record is checked
 * again. Undefined when it does not exist, or no longer does once settled.
 */
async function readyFor(ctx: Ctx, api: SandboxApi, s: Sandbox | undefined, verb: 'reset' | 'delete'): Promise<Sandbox | undefined> {
  if (!exists(s)) return undefined
  assertMayTouch(s, verb, ctx.inputs.allowProduction)
  if (!inProgress(s)) return s
  ctx.log.info(`Sandbox "${s.name}" is ${s.state}: waiting for it to settle before the ${verb}`)
  const settled = await until(ctx, api, s.name, 'settled', s.state)
  if (!exists(settled)) return undefined
  assertMayTouch(settled, verb, ctx.inputs.allowProduction)
  return settled
}

async function remove(ctx: Ctx, api: SandboxApi, token: string): Promise<StepResult> {
  const name = ctx.inputs.sandboxName as string
  const gone = (): StepResult => {
    ctx.log.notice(`Sandbox "${name}" does not exist (already deleted): nothing to delete`)
    return results(ctx, token, { name, state: 'deleted', type: '', isDefault: false }, false, 'do nothing')
  }
  const s = await readyFor(ctx, api, await api.get(name), 'delete')
  if (!s) return gone()
  const res = goingAway(s) ? undefined : await api.remove(name, ctx.inputs.ignoreWarnings)
  // A 404 on a retry after a lost answer is this step's own delete, not a sandbox already gone.
  if (res?.status === 404 && !res.afterUnknownOutcome) return gone()
  ctx.log.info(goingAway(s) ? `Sandbox "${name}" is already being deleted (${s.state})` : `Deleting sandbox "${name}"`)
  let state = res?.sandbox?.state ?? (goingAway(s) ? s.state : 'deleting')
  if (ctx.inputs.wait) {
    await until(ctx, api, name, 'gone', 'deleting', res?.sandbox ?? s)
    state = 'deleted'
  }
  return results(ctx, token, { ...s, state }, false, 'do nothing')
}

/** What lease and get share with the operations here. */
export function leaseDeps(ctx: Ctx, api: SandboxApi, token: string): LeaseDeps {
  return {
    reset: s => resetSandbox(ctx, api, s),
    until: (name, target, doing, current) => until(ctx, api, name, target, doing, current),
    results: (s, will, extra) => results(ctx, token, s, false, will, extra),
    prepare: name => prepare(ctx, api, name, 'none', false)
  }
}

/**
 * The post step's search for a sandbox whose create had an unknown outcome: the provider may
 * finish it after the main step stopped, so "never created" is concluded only after a grace
 * period.
 */
async function lookAfterUnknownCreate(ctx: Ctx, api: SandboxApi, name: string): Promise<Sandbox | undefined> {
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
const CREATE_LOOK_EVERY_MS = 2_000

/** Before the sandbox is deleted, it is taken out of the roles this step added it to. */
async function cleanup(ctx: Ctx, handoff: Handoff): Promise<CleanupOutcome> {
  if (handoff.provider !== 'adobe' || handoff.action !== 'delete' || !handoff.roles?.length) return cleanupSandbox(ctx, handoff)
  const api = await connect(ctx)
  const revoked = await revokeRoles(ctx, credentials(ctx, api), handoff.sandbox, handoff.roles)
  // taking it out of the roles changed something, whatever the sandbox's own cleanup found
  return changed(`${revoked.join('. ')}. ${(await cleanupSandbox(ctx, handoff, api)).text}`)
}

async function cleanupSandbox(ctx: Ctx, handoff: Handoff, connected?: SandboxApi): Promise<CleanupOutcome> {
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

async function run(ctx: Ctx): Promise<StepResult> {
  // prune-closed: a token GitHub refuses stops the step before any Adobe request.
  if (ctx.inputs.operation === 'prune' && ctx.inputs.pruneClosed) await checkPruneClosed(ctx)
  const api = await connect(ctx)
  const token = api.token
  // Roles and package are checked before any Sandbox API request: nothing costs a slot yet.
  if (['create', 'reset', 'lease'].includes(ctx.inputs.operation)) await preflight(ctx, credentials(ctx, api))
  switch (ctx.inputs.operation) {
    case 'create':
      return create(ctx, api, token)
    case 'reset':
      return reset(ctx, api, token)
    case 'delete':
      return remove(ctx, api, token)
    case 'prune':
      return prune(ctx, api, token)
    case 'lease':
      return lease(ctx, api, leaseDeps(ctx, api, token), leaseTiming(process.env))
    case 'get':
      return get(ctx, api, leaseDeps(ctx, api, token))
  }
}

export const adobe: Provider<AdobeInputs> = { run, cleanup }
