// Makes an active sandbox ready for tests: adds it to the access-control roles named in
// `adobe-role-id` (so other Platform APIs accept requests for it), then imports the
// sandbox-tooling package named in `adobe-package-id`. Create and reset call this once the
// sandbox is active; so does lease. Every role and the package were checked before anything
// cost a licence slot (preflight.ts). The post step's revoke lives here too.
import { errorMessage } from '../../../core/errors'
import type { AdobeInputs } from '../../../core/inputs'
import { formatDuration } from '../../../core/summary'
import type { StepContext, SummaryRow } from '../../../core/provider'
import type { Credentials } from '../api'
import { importPackage, ToolingApi, toolingHint } from './packages'
import { noSuchRole, RolesApi, rolesHint } from './roles'

type Ctx = StepContext<AdobeInputs>

export interface PrepareOptions {
  /**
   * Called with every role id this step is about to add the sandbox to, before the change,
   * so the post step can take the sandbox out of them again (record them in the handoff).
   * Leave it out where the grant should stay (a pool sandbox that outlives the job).
   */
  onGrant?(roleIds: string[]): void
  /** the package already imported into this sandbox since its last reset: not imported again */
  seeded?: string
}

export function rolesApi(ctx: Ctx, creds: Credentials): RolesApi {
  return new RolesApi(ctx.http('Adobe Access Control API', rolesHint), ctx.inputs.platformUrl, creds, ctx.deadline, ctx.log)
}

/** Grants, then imports, as the inputs ask; returns the job summary rows for what it did. */
export async function prepareSandbox(ctx: Ctx, creds: Credentials, sandbox: string, opts: PrepareOptions = {}): Promise<SummaryRow[]> {
  const rows: SummaryRow[] = []
  const { roleIds, packageId } = ctx.inputs
  if (roleIds.length > 0) {
    const api = rolesApi(ctx, creds)
    const added: string[] = []
    const cells: string[] = []
    for (const id of roleIds) {
      // Read right before the change: what the add may have dropped is judged against it.
      const role = await api.get(id)
      if (!role) throw noSuchRole(id)
      if (role.sandboxes.includes(sandbox)) {
        ctx.log.info(`Role "${role.id}"${role.name ? ` (${role.name})` : ''} already includes sandbox "${sandbox}"`)
        cells.push(`\`${role.id}\` (already)`)
        continue
      }
      added.push(role.id)
      opts.onGrant?.([...added])
      await api.grant(role, sandbox)
      ctx.log.info(`Added sandbox "${sandbox}" to role "${role.id}"${role.name ? ` (${role.name})` : ''}: confirmed by reading the role back`)
      cells.push(`\`${role.id}\``)
    }
    rows.push(['Roles granted', cells.join(', ')])
  }
  if (packageId && opts.seeded === packageId) {
    ctx.log.info(`Package "${packageId}" was imported into sandbox "${sandbox}" since its last reset: not imported again`)
    rows.push(['Package imported', `\`${packageId}\` (before this lease, since the sandbox's last reset)`])
  } else if (packageId) {
    const done = await seedSandbox(ctx, creds, sandbox, packageId)
    rows.push(['Package imported', `\`${packageId}\` (job \`${done.jobId}\`, ${formatDuration(done.durationMs)})`])
  }
  return rows
}

/** Imports the package into the active sandbox and waits for the import job. */
export async function seedSandbox(ctx: Ctx, creds: Credentials, sandbox: string, packageId: string): Promise<{ jobId: string; durationMs: number }> {
  const api = new ToolingApi(ctx.http('Adobe Sandbox Tooling API', toolingHint), ctx.inputs.platformUrl, creds, sandbox, ctx.log)
  const done = await importPackage(api, ctx.deadline, ctx.log, sandbox, packageId)
  ctx.log.info(`Package "${packageId}" imported into sandbox "${sandbox}" (job ${done.jobId}, ${formatDuration(done.durationMs)})`)
  return done
}

/**
 * The post step's part: takes the sandbox out of each role. A role that no longer holds it,
 * or no longer exists, is fine. Returns one line per role for the post step's report; a
 * failure is also a warning annotation, not a throw, so the sandbox is still deleted after it.
 */
export async function revokeRoles(ctx: Ctx, creds: Credentials, sandbox: string, roleIds: string[]): Promise<string[]> {
  const api = rolesApi(ctx, creds)
  const lines: string[] = []
  for (const id of roleIds) {
    let line: string
    try {
      const what = await api.revoke(id, sandbox)
      line =
        what === 'removed'
          ? `Removed sandbox "${sandbox}" from role "${id}"`
          : what === 'not in role'
            ? `Role "${id}" no longer includes sandbox "${sandbox}": nothing to remove`
            : `Role "${id}" no longer exists: nothing to remove`
    } catch (err) {
      line = `Could not remove sandbox "${sandbox}" from role "${id}": ${errorMessage(err)}. Remove it by hand in Permissions > Roles`
      ctx.log.warning(line)
    }
    lines.push(line)
  }
  return lines
}
