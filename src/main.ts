// The main step: read the inputs, let the chosen provider do the operation, hand the results
// on. Provider-agnostic: everything provider-specific lives in src/providers/.
import { CancelledError, errorMessage } from './errors'
import { readInputs, type Inputs } from './inputs'
import { publish } from './outputs'
import { Secrets } from './secrets'
import { markMainStarted } from './state'
import { createContext, providerOf, type StepDeps } from './step'
import { commentAfterMain } from './github/comment'
import { formatDuration, renderSummary } from './summary'

const PROVIDER_TITLE = { trackstar: 'Trackstar', adobe: 'Adobe Experience Platform' } as const

export async function run(deps: StepDeps): Promise<void> {
  const secrets = new Secrets(deps.mask)
  const log = deps.logger(secrets)
  const startedAt = deps.clock.now()
  // From here on the runner's next invocation of this bundle is the post step.
  markMainStarted(deps.state)
  let inputs: Inputs | undefined
  try {
    inputs = readInputs(deps.input, deps.env, secrets)
    const ctx = createContext(deps, inputs, secrets, log)
    const result = await providerOf(inputs).run(ctx)
    publish(deps.outputs, result.outputs, result.env, inputs.exportEnv)
    await commentAfterMain(ctx, deps.state, result)
    if (inputs.summary) {
      const rows: [string, string][] = [
        ['Provider', PROVIDER_TITLE[inputs.provider]],
        ['Operation', inputs.operation],
        ...result.summary,
        ['Time taken', formatDuration(deps.clock.now() - startedAt)]
      ]
      await deps.summary.write(renderSummary(`Sandbox: ${inputs.provider} ${inputs.operation}`, rows, secrets, result.summaryList))
    }
    if (result.failure) deps.fail(secrets.redact(result.failure))
  } catch (err) {
    let message = errorMessage(err)
    if (err instanceof CancelledError) message += '. Anything already created is cleaned up by the post step'
    deps.fail(secrets.redact(message))
    if (inputs?.summary) {
      const rows: [string, string][] = [
        ['Provider', PROVIDER_TITLE[inputs.provider]],
        ['Operation', inputs.operation],
        ['Result', `failed: ${message}`],
        ['Time taken', formatDuration(deps.clock.now() - startedAt)]
      ]
      await deps.summary.write(renderSummary(`Sandbox: ${inputs.provider} ${inputs.operation} failed`, rows, secrets)).catch(() => undefined)
    }
  }
}
