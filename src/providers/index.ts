// Every provider, by the name the `provider` input takes.
import type { Inputs } from '../core/inputs'
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
