// Trackstar: one sandbox connection per organization and integration type. Generating
// again resets it to fresh mocked data; DELETE /connections removes it.
import { ActionError, ProviderError } from '../../core/errors'
import type { Http } from '../../core/http'
import type { TrackstarInputs } from '../../core/inputs'
import type { Handoff } from '../../core/handoff'
import { changed, nothingToDo, type CleanupOutcome, type Provider, type StepContext, type StepResult } from '../../core/provider'

export interface GeneratedSandbox {
  access_token: string
  connection_id: string
  integration_name: string
  customer_id: string | null
  available_actions: string[]
}

type Ctx = StepContext<TrackstarInputs>

/** The authenticated read that proves a generated sandbox answers, per integration type. */
export const VERIFY_PATHS = {
  wms: '/wms/inventory?limit=1',
  cart: '/cart/orders?limit=1',
  carrier: '/carrier/invoice-line-items?limit=1'
} as const

function hint(status: number): string | undefined {
  if (status === 401) return 'Check trackstar-api-key: it must be an organization-level Trackstar API key (and trackstar-access-token, where one is sent, must belong to that organization)'
  if (status === 403) return 'Check that the Trackstar API key may manage sandboxes'
  if (status === 404) return 'Check integration-type (wms, cart or carrier) and trackstar-api-url'
  if (status === 422) return 'Check integration-type'
  if (status === 429) return 'Trackstar rate-limited the request; another job may be using the same key'
  return undefined
}

function client(ctx: Ctx): Http {
  return ctx.http('Trackstar', hint)
}

/** Reads the generate answer leniently: older answers lack `me` or carry `available_endpoints`. */
function parseGenerated(body: unknown): GeneratedSandbox {
  const b = (body ?? {}) as Record<string, unknown>
  if (typeof b.access_token !== 'string' || !b.access_token || typeof b.connection_id !== 'string' || !b.connection_id) {
    throw new ActionError('Trackstar: generate sandbox answered 200 without access_token and connection_id')
  }
  const actions = Array.isArray(b.available_actions) ? b.available_actions : Array.isArray(b.available_endpoints) ? b.available_endpoints : []
  return {
    access_token: b.access_token,
    connection_id: b.connection_id,
    integration_name: typeof b.integration_name === 'string' ? b.integration_name : '',
    customer_id: typeof b.customer_id === 'string' ? b.customer_id : null,
    available_actions: actions.map(String)
  }
}

export async function generate(ctx: Ctx): Promise<GeneratedSandbox> {
  const { apiUrl, apiKey, integrationType } = ctx.inputs
  const res = await client(ctx).request({
    method: 'POST',
    url: `${apiUrl}/sandbox/generate-sandbox/${encodeURIComponent(integrationType)}`,
    action: `generate ${integrationType} sandbox`,
    headers: { 'x-trackstar-api-key': apiKey },
    // Generating resets the one sandbox of this type: repeating it is harmless.
    idempotent: true
  })
  const sandbox = parseGenerated(res.body)
  // Masked before anything else can print them.
  ctx.secrets.add(sandbox.access_token)
  ctx.secrets.add(sandbox.connection_id)
  return sandbox
}

export async function verify(ctx: Ctx, accessToken: string): Promise<void> {
  const { apiUrl, apiKey, integrationType } = ctx.inputs
  await client(ctx).request({
    method: 'GET',
    url: `${apiUrl}${VERIFY_PATHS[integrationType]}`,
    action: `verify the ${integrationType} sandbox with an authenticated read`,
    headers: { 'x-trackstar-api-key': apiKey, 'x-trackstar-access-token': accessToken }
  })
}

/** DELETE /connections; returns the deleted connection's id. */
export async function deleteConnection(ctx: Ctx, accessToken: string): Promise<string> {
  const { apiUrl, apiKey, integrationType } = ctx.inputs
  let res
  try {
    res = await client(ctx).request<{ id?: string; deleted?: boolean }>({
      method: 'DELETE',
      url: `${apiUrl}/connections`,
      action: `delete the ${integrationType} sandbox connection`,
      headers: { 'x-trackstar-api-key': apiKey, 'x-trackstar-access-token': accessToken }
    })
  } catch (err) {
    // The first attempt's answer was lost and the retry's token no longer works: that
    // attempt deleted the connection.
    if (err instanceof ProviderError && err.status === 401 && err.details.afterUnknownOutcome) {
      ctx.log.info('The delete was retried after an answer was lost; the retry found the token already revoked, so the connection is deleted')
      return ''
    }
    throw err
  }
  const id = typeof res.body?.id === 'string' ? res.body.id : ''
  ctx.secrets.add(id)
  return id
}

async function runGenerate(ctx: Ctx): Promise<StepResult> {
  const { integrationType, cleanup, verify: shouldVerify } = ctx.inputs
  const action = cleanup === 'auto' ? 'reset' : cleanup
  const handoff = (confirmed: boolean): Handoff => ({ provider: 'trackstar', integrationType, action: action as 'reset' | 'delete', confirmed })
  // Saved before the request: a generate whose answer is lost may still have created a connection.
  if (action !== 'none') ctx.record(handoff(false))
  const sandbox = await generate(ctx)
  if (action !== 'none') ctx.record(handoff(true))
  ctx.log.info(`Generated the Trackstar ${integrationType} sandbox (integration ${sandbox.integration_name || 'sandbox'}, ${sandbox.available_actions.length} actions)`)
  if (shouldVerify) {
    await verify(ctx, sandbox.access_token)
    ctx.log.info(`Verified: an authenticated read of ${VERIFY_PATHS[integrationType].split('?')[0]} answered 200`)
  }
  return {
    outputs: {
      access_token: sandbox.access_token,
      connection_id: sandbox.connection_id,
      integration_name: sandbox.integration_name,
      customer_id: sandbox.customer_id ?? '',
      available_actions: JSON.stringify(sandbox.available_actions),
      created: 'true'
    },
    env: { TRACKSTAR_ACCESS_TOKEN: sandbox.access_token, TRACKSTAR_CONNECTION_ID: sandbox.connection_id },
    summary: [
      ['Sandbox', `${integrationType} (integration ${sandbox.integration_name || 'sandbox'})`],
      ['State', shouldVerify ? 'ready (verified with an authenticated read)' : 'generated'],
      ['Created', 'yes (generated with fresh mocked data)'],
      ['Post step will', action === 'none' ? 'leave it as it is (cleanup: none)' : action === 'reset' ? 'reset it (generate again)' : 'delete the connection']
    ]
  }
}

async function runDelete(ctx: Ctx): Promise<StepResult> {
  const { integrationType } = ctx.inputs
  let token = ctx.inputs.accessToken
  if (!token) {
    // Without the connection's token, generating is the only way to learn it.
    ctx.log.info('No trackstar-access-token given: generating the sandbox first to learn its token')
    token = (await generate(ctx)).access_token
  }
  const id = await deleteConnection(ctx, token)
  ctx.log.info(`Deleted the Trackstar ${integrationType} sandbox connection`)
  return {
    outputs: { connection_id: id, created: 'false' },
    env: id ? { TRACKSTAR_CONNECTION_ID: id } : {},
    summary: [
      ['Sandbox', integrationType],
      ['State', 'deleted'],
      ['Created', 'no'],
      ['Post step will', 'do nothing (the connection is deleted)']
    ]
  }
}

async function cleanup(ctx: Ctx, handoff: Handoff): Promise<CleanupOutcome> {
  if (handoff.provider !== 'trackstar') throw new ActionError('The saved state is not for Trackstar')
  const type = handoff.integrationType
  if (handoff.action === 'reset') {
    if (!handoff.confirmed) return nothingToDo(`Nothing to reset: the main step's generate did not finish, so the ${type} sandbox was not used`)
    await generate(ctx)
    return changed(`Reset the Trackstar ${type} sandbox (generated again with fresh mocked data)`)
  }
  const { access_token } = await generate(ctx)
  try {
    await deleteConnection(ctx, access_token)
  } catch (err) {
    if (err instanceof ProviderError && err.status === 404) {
      ctx.log.notice(`The Trackstar ${type} sandbox connection was already gone`)
      return nothingToDo(`Nothing to delete: the Trackstar ${type} sandbox connection was already gone`)
    }
    throw err
  }
  return changed(`Deleted the Trackstar ${type} sandbox connection`)
}

export const trackstar: Provider<TrackstarInputs> = {
  run: ctx => (ctx.inputs.operation === 'generate' ? runGenerate(ctx) : runDelete(ctx)),
  cleanup
}
