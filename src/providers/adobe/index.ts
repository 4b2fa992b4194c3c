// Adobe Experience Platform development sandboxes: the operations (ops/), pools (lease/) and
// ready-to-test sandboxes (ready/), behind the provider face the main and post steps call.
import { ActionError } from '../../core/errors'
import type { AdobeInputs } from '../../core/inputs'
import { type Provider, type StepResult } from '../../core/provider'
import { get } from './ops/get'
import { lease, leaseTiming } from './lease/claim'
import { preflight } from './ready/preflight'
import { prune } from './ops/prune'
import { checkPruneClosed } from './ops/prune-closed'
import { type Ctx, connect, credentials, leaseDeps } from './ops/common'
import { create } from './ops/create'
import { reset } from './ops/reset'
import { remove } from './ops/delete'
import { cleanup } from './ops/cleanup'

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
    case 'maintain':
      throw new ActionError('operation "maintain" is not built yet')
  }
}

export const adobe: Provider<AdobeInputs> = { run, cleanup }
