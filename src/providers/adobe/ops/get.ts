// operation: get. The record and a fresh token for a sandbox an earlier job created or leased:
// how a later job gets credentials, since the runner drops masked values from job outputs.
// It changes nothing and records nothing for the post step.
import { ActionError } from '../../../core/errors'
import type { AdobeInputs } from '../../../core/inputs'
import type { StepContext, StepResult, SummaryRow } from '../../../core/provider'
import type { Sandbox, SandboxApi } from '../api'
import type { LeaseDeps } from '../lease/claim'
import { isoSeconds, parseLeaseTitle } from '../lease/record'
import { assertMayTouch } from '../safety'
import { exists, unusable } from '../states'

export async function get(ctx: StepContext<AdobeInputs>, api: SandboxApi, deps: Pick<LeaseDeps, 'until' | 'results'>): Promise<StepResult> {
  const { log, inputs } = ctx
  const name = inputs.sandboxName as string
  let s = await api.get(name)
  if (!exists(s)) throw new ActionError(`Sandbox "${name}" does not exist (or was deleted): there is nothing to get credentials for`)
  assertMayTouch(s, 'reuse', inputs.allowProduction)
  const why = unusable(s)
  if (why) throw new ActionError(`Sandbox "${name}" ${why}, so it will not become active: there is nothing to get credentials for`)
  if (s.state !== 'active') {
    if (!inputs.wait) throw new ActionError(`Sandbox "${name}" is ${s.state}, not active (set wait: true to wait for it)`)
    log.info(`Sandbox "${name}" is ${s.state}: waiting until it is active`)
    s = (await deps.until(name, 'active', s.state, s)) as Sandbox
  }
  const extra: SummaryRow[] = []
  const rec = parseLeaseTitle(s.title)
  // Expiry in the Sandbox API's time, as every lease judges it.
  const now = api.time.earliest()
  if (rec.kind === 'held') {
    extra.push(['Lease', `${rec.until > now ? 'held' : 'expired'} until ${isoSeconds(rec.until)}`])
    if (rec.until <= now) log.notice(`The lease on "${name}" expired at ${isoSeconds(rec.until)}: another job may take it over and reset it`)
  } else if (rec.kind === 'free') {
    log.notice(`Sandbox "${name}" is a free pool sandbox: another job may lease and reset it at any time`)
  }
  log.info(`Sandbox "${name}" is ${s.state}; nothing was changed`)
  const result = deps.results(s, 'do nothing (get changes nothing)', extra)
  if (rec.kind === 'held') result.outputs.lease_expires_at = isoSeconds(rec.until)
  return result
}
