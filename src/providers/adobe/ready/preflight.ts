// Checks made before anything costs a licence slot: create, reset and lease call this right
// after the token is minted, before any Sandbox API request. A wrong `adobe-role-id` or
// `adobe-package-id` would otherwise be found only once a sandbox was created and active
// (about 30 s, and a slot). Only what does not depend on the sandbox is checked here; the
// grant and the import check again what they change, right before they change it.
import type { AdobeInputs } from '../../../core/inputs'
import type { StepContext } from '../../../core/provider'
import type { Credentials } from '../api'
import { DEFAULT_SANDBOX } from '../gateway'
import { importable, ToolingApi, toolingHint } from './packages'
import { rolesApi } from './prepare'
import { noSuchRole } from './roles'

type Ctx = StepContext<AdobeInputs>

/** Throws an error naming the input and the id when a role or the package cannot be used. */
export async function preflight(ctx: Ctx, creds: Credentials): Promise<void> {
  const { roleIds, packageId } = ctx.inputs
  if (roleIds.length > 0) {
    const api = rolesApi(ctx, creds)
    // Each role exists and its list of sandboxes can be read (get() fails otherwise): the
    // grant reads it again right before changing it, as what it changes is judged by it.
    for (const id of roleIds) if (!(await api.get(id))) throw noSuchRole(id)
  }
  if (packageId) {
    // Packages belong to the organization, and the target sandbox may not exist yet: the
    // lookup names `prod`, the default sandbox every organization has, as the Sandbox API's
    // list does (sandbox.yaml requires x-sandbox-name on every /exim call).
    const api = new ToolingApi(ctx.http('Adobe Sandbox Tooling API', toolingHint), ctx.inputs.platformUrl, creds, DEFAULT_SANDBOX, ctx.log)
    if (importable(packageId, await api.packageStatus(packageId)) === 'publishing') {
      ctx.log.info(`Package "${packageId}" is PUBLISH_IN_PROGRESS: it is imported once it is PUBLISHED`)
    }
  }
}
