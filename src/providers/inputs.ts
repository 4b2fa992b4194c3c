// Every input, read by the common rules and then each provider's own: a small module, so a
// front end can check its inputs before it loads any provider.
import { readInputsWith, type InputSource, type Inputs } from '../core/inputs'
import type { Secrets } from '../core/secrets'
import { adobeInputs } from './adobe/inputs'
import { trackstarInputs } from './trackstar/inputs'

/** Every input, parsed and checked: the common ones, then each provider's own, before any request. */
export function readInputs(get: InputSource, env: NodeJS.ProcessEnv, secrets: Secrets): Inputs {
  return readInputsWith({ trackstar: trackstarInputs, adobe: adobeInputs }, get, env, secrets)
}
