// Every provider, by the name the `provider` input takes.
import { readInputsWith, type InputSource, type Inputs } from '../core/inputs'
import type { Secrets } from '../core/secrets'
import { adobeInputs } from './adobe/inputs'
import { trackstarInputs } from './trackstar/inputs'
import type { Provider } from '../core/provider'
import { adobe } from './adobe/index'
import { trackstar } from './trackstar/index'

export const providers: { [K in Inputs['provider']]: Provider<Extract<Inputs, { provider: K }>> } = {
  trackstar,
  adobe
}

export function providerOf(inputs: Inputs): Provider<Inputs> {
  return providers[inputs.provider] as Provider<Inputs>
}

/** Every input, parsed and checked: the common ones, then each provider's own, before any request. */
export function readInputs(get: InputSource, env: NodeJS.ProcessEnv, secrets: Secrets): Inputs {
  return readInputsWith({ trackstar: trackstarInputs, adobe: adobeInputs }, get, env, secrets)
}
