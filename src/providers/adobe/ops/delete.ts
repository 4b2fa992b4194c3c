// operation: delete a development sandbox this action may touch.
import { type StepResult } from '../../../core/provider'
import { SandboxApi } from '../api'
import { goingAway } from '../states'
import { type Ctx, readyFor, results, until } from './common'

export async function remove(ctx: Ctx, api: SandboxApi, token: string): Promise<StepResult> {
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
