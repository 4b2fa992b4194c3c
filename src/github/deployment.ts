// deployment: a GitHub Deployment for the sandbox, the convention of preview environments
// (docs.github.com, REST "Deployments" and "Deployment statuses"). Created on the run's commit
// once the inputs are read and before the provider acts, `in_progress` while the sandbox is
// made ready, then `success` with a link to it (or `failure`); the post step marks it
// `inactive` once cleanup deleted, reset or released the sandbox. The environment is one
// fixed name (`deployment-environment`): GITHUB_TOKEN cannot delete environments, so one per
// sandbox would pile up. A deployment is never worth failing a job for: every failure of the
// Deployments API is a warning. Its id is kept in the step's state (no secret in it).
import { errorMessage } from '../core/errors'
import type { Inputs } from '../core/inputs'
import type { CleanupOutcome, StepContext, StepResult } from '../core/provider'
import type { Handoff, StateStore } from '../core/handoff'
import { runUrl, type RunInfo } from '../core/run-info'
import { githubClientFor, type DeploymentRequest, type DeploymentStatusRequest } from './client'

const STATE_KEY = 'deployment'

/**
 * How long one Deployments API call may take, retries included. A deployment is never worth
 * failing a job for, nor worth much of its time: without this, a GitHub that drops every
 * connection would hold each of the three calls for the step's retries.
 */
export const DEPLOYMENT_CALL_MS = 15_000

/** What the post step needs: kept in the state, no secret in it. */
export interface SavedDeployment {
  id: number
  repository: string
}

/** GitHub keeps a status description to 140 characters. */
export function shortDescription(text: string): string {
  const t = text.replace(/[\r\n]+/g, ' ').trim()
  return t.length <= 140 ? t : `${t.slice(0, 139)}…`
}

/** The commit the deployment is for: a pull request's head (the pull request page shows deployments of its commits), else GITHUB_SHA. */
export function deploymentRef(run: RunInfo): string | undefined {
  return run.headSha ?? run.sha
}

function runLabel(run: RunInfo): string {
  return `run ${run.runId} attempt ${run.runAttempt ?? 1}`
}

/** The body of "Create a deployment": the SHA, no merge, no required checks, transient, not production. */
export function deploymentRequest(inputs: Inputs, run: RunInfo, ref: string): DeploymentRequest {
  const sandbox = inputs.provider === 'adobe' ? inputs.sandboxName : undefined
  const what = inputs.provider === 'adobe' ? (sandbox ? `Adobe sandbox "${sandbox}"` : 'Adobe sandbox') : `Trackstar ${inputs.integrationType} sandbox`
  const payload: Record<string, string> = { provider: inputs.provider, operation: inputs.operation }
  if (sandbox) payload.sandbox_name = sandbox
  if (inputs.provider === 'adobe' && inputs.operation === 'lease' && inputs.pool) {
    payload.pool = inputs.pool.kind === 'prefix' ? `${inputs.pool.prefix}*` : inputs.pool.names.join(',')
  }
  if (inputs.provider === 'trackstar') payload.integration_type = inputs.integrationType
  payload.run = runLabel(run)
  const url = runUrl(run)
  if (url) payload.run_url = url
  return {
    ref,
    environment: inputs.deploymentEnvironment,
    description: shortDescription(`${what} for ${runLabel(run)}`),
    payload,
    // GitHub's defaults would merge the default branch in (202, no deployment) and wait for
    // every status check, the run's own included (409).
    auto_merge: false,
    required_contexts: [],
    transient_environment: true,
    production_environment: false
  }
}

/**
 * A link that opens the sandbox in Adobe's UI. Adobe's Experience Cloud addresses a sandbox as
 * `https://experience.adobe.com/#/@<organization>/sname:<sandbox>/platform/home`; its public
 * documentation does not spell that form out, so it is used here as the UI shows it, with the
 * IMS organization id standing for the organization.
 */
export function adobeSandboxUrl(orgId: string, sandbox: string): string {
  return `https://experience.adobe.com/#/@${encodeURIComponent(orgId)}/sname:${encodeURIComponent(sandbox)}/platform/home`
}

// The runner's state store reads what the main step saved only in the post step: within a
// step, what it saved is remembered here.
const thisStep = new WeakMap<StateStore, SavedDeployment>()

function load(state: StateStore): SavedDeployment | undefined {
  const mine = thisStep.get(state)
  if (mine) return mine
  try {
    const saved = JSON.parse(state.get(STATE_KEY) || 'null') as SavedDeployment | null
    return saved && typeof saved.id === 'number' && typeof saved.repository === 'string' ? saved : undefined
  } catch {
    return undefined
  }
}

async function setStatus(ctx: StepContext<Inputs>, saved: SavedDeployment, body: DeploymentStatusRequest): Promise<boolean> {
  const log_url = runUrl(ctx.run)
  const full: DeploymentStatusRequest = { ...body, ...(log_url ? { log_url } : {}) }
  if (full.description !== undefined) full.description = shortDescription(ctx.secrets.redact(full.description))
  try {
    await githubClientFor(ctx, ctx.deadline.within(DEPLOYMENT_CALL_MS)).createDeploymentStatus(saved.repository, saved.id, full)
    ctx.log.info(`deployment: deployment ${saved.id} is ${body.state}`)
    return true
  } catch (err) {
    ctx.log.warning(`deployment: could not set deployment ${saved.id} to ${body.state}: ${errorMessage(err)}`)
    return false
  }
}

/** Before the provider acts: the deployment, `in_progress`; its id is the `deployment_id` output. */
export async function deploymentBeforeRun(ctx: StepContext<Inputs>, state: StateStore): Promise<Record<string, string>> {
  if (!ctx.inputs.deployment || ctx.inputs.githubToken === '') return {}
  const repository = ctx.run.repository
  const ref = deploymentRef(ctx.run)
  if (!repository || !ref) {
    ctx.log.warning(`deployment: no deployment is made: the run names no ${!repository ? 'repository (GITHUB_REPOSITORY)' : 'commit (GITHUB_SHA)'}`)
    return {}
  }
  const body = deploymentRequest(ctx.inputs, ctx.run, ref)
  let saved: SavedDeployment
  try {
    const { id } = await githubClientFor(ctx, ctx.deadline.within(DEPLOYMENT_CALL_MS)).createDeployment(repository, body)
    saved = { id, repository }
  } catch (err) {
    ctx.log.warning(`deployment: could not create a deployment in environment "${body.environment}" of ${repository}: ${errorMessage(err)}. The sandbox is made all the same`)
    return {}
  }
  state.save(STATE_KEY, JSON.stringify(saved))
  thisStep.set(state, saved)
  ctx.log.info(`deployment: deployment ${saved.id} in environment "${body.environment}" on ${ref}`)
  await setStatus(ctx, saved, { state: 'in_progress', description: 'Preparing the sandbox' })
  return { deployment_id: String(saved.id) }
}

/** After the main step's result: `success` with a link to the sandbox, or `failure`. */
export async function deploymentAfterMain(ctx: StepContext<Inputs>, state: StateStore, result: StepResult): Promise<void> {
  const saved = load(state)
  if (!saved) return
  if (result.failure) {
    await setStatus(ctx, saved, { state: 'failure', description: result.failure })
    return
  }
  const out = result.outputs
  const name = out.sandbox_name
  const body: DeploymentStatusRequest = {
    state: 'success',
    // One pull request's deployment must never mark another's inactive in the shared environment.
    auto_inactive: false,
    description: name ? `Sandbox "${name}" is ready` : ctx.inputs.provider === 'trackstar' ? `Trackstar ${ctx.inputs.integrationType} sandbox is ready` : 'The sandbox is ready'
  }
  // Trackstar has no page per sandbox connection: no environment_url.
  if (ctx.inputs.provider === 'adobe' && name) body.environment_url = adobeSandboxUrl(ctx.inputs.orgId, name)
  await setStatus(ctx, saved, body)
}

/** After the operation threw: `failure`. */
export async function deploymentAfterFailure(ctx: StepContext<Inputs>, state: StateStore, error: unknown): Promise<void> {
  const saved = load(state)
  if (!saved) return
  await setStatus(ctx, saved, { state: 'failure', description: `Failed: ${errorMessage(error)}` })
}

/** After the post step's cleanup: `inactive` once the sandbox is deleted, reset or released (or found gone); kept when cleanup failed. */
export async function deploymentAfterCleanup(ctx: StepContext<Inputs>, state: StateStore, handoff: Handoff, outcome: CleanupOutcome): Promise<void> {
  const saved = load(state)
  if (!saved) return
  if (outcome.kind === 'failed') {
    ctx.log.info(`deployment: deployment ${saved.id} is left as it is: the cleanup failed, so the sandbox may still be there`)
    return
  }
  const done = handoff.action === 'delete' ? 'deleted' : handoff.action === 'reset' ? 'reset' : 'released'
  await setStatus(ctx, saved, { state: 'inactive', description: `Sandbox ${done} by the post step` })
}
