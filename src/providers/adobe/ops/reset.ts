// operation: reset an existing development sandbox and wait until it is active again.
import { ActionError } from '../../../core/errors'
import { type StepResult } from '../../../core/provider'
import { SandboxApi } from '../api'
import { assertMayTouch } from '../safety'
import { exists, inProgress } from '../states'
import { type Ctx, cleanupAction, handOver, postWill, prepare, record, resetSandbox, results, stillThere, until, untilActive } from './common'

export async function reset(ctx: Ctx, api: SandboxApi, token: string): Promise<StepResult> {
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
