// Trackstar's inputs, read after the common ones (src/core/inputs.ts has the stages and the
// value parsers).
import { InputError } from '../../core/errors'
import { oneOf, parseBaseUrl, parseBoolean, required, secretInput, type InputStages, type TrackstarInputs } from '../../core/inputs'
import { CREDENTIAL_ENV } from '../../core/limits'

export const trackstarInputs: InputStages<TrackstarInputs> = (get, env, secrets) => {
  const apiKey = secretInput(get, env, secrets, 'trackstar-api-key', CREDENTIAL_ENV['trackstar-api-key'])
  const accessToken = secretInput(get, env, secrets, 'trackstar-access-token', CREDENTIAL_ENV['trackstar-access-token'])
  return () => {
    const f = {
      integrationType: oneOf('integration-type', get('integration-type') || 'wms', ['wms', 'cart', 'carrier'] as const),
      verify: parseBoolean('verify', get('verify'), true),
      apiUrl: parseBaseUrl('trackstar-api-url', get('trackstar-api-url') || 'https://production.trackstarhq.com')
    }
    return common => {
      const operation = oneOf('operation', get('operation') || 'generate', ['generate', 'delete'] as const)
      if (operation === 'delete' && common.cleanup === 'reset') {
        throw new InputError('cleanup', 'cannot be "reset" after operation "delete" (there is nothing left to reset); use auto or none')
      }
      return {
        ...common,
        provider: 'trackstar',
        operation,
        apiKey: required('trackstar-api-key', apiKey, CREDENTIAL_ENV['trackstar-api-key']),
        integrationType: f.integrationType,
        accessToken: accessToken || undefined,
        apiUrl: f.apiUrl,
        verify: f.verify
      }
    }
  }
}
