// operation: create (or reuse or reset an existing one, as if-exists says), within the licence.
import { ActionError, ProviderError } from '../../../core/errors'
import { defaultSandboxName, defaultSandboxTitle, lifetimeFor } from '../../../core/naming'
import { type StepResult } from '../../../core/provider'
import { SandboxApi, type Sandbox } from '../api'
import { createWithinLicence } from '../capacity'
import { assertMayTouch } from '../safety'
import { exists, goingAway, inProgress, unusable } from '../states'
import { assertNotFailed } from '../wait'
import { type Ctx, cleanupAction, handOver, postWill, prepare, record, resetSandbox, results, stillThere, until, untilActive } from './common'

/**
 * Whether a failed create certainly created nothing: the provider refused it (4xx) and no
 * earlier attempt had an unknown outcome. Anything else (5xx, no answer, timeout, cancel)
 * may have created it.
 */
export function certainlyNotCreated(err: unknown): boolean {
  // An ActionError here is the licence-full refusal with if-full: fail.
  if (err instanceof ActionError) return true
  return err instanceof ProviderError && err.status >= 400 && err.status < 500 && !err.details.afterUnknownOutcome
}

export async function create(ctx: Ctx, api: SandboxApi, token: string): Promise<StepResult> {
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
