// The runner hands each input to the step as INPUT_<NAME> (upper case, spaces as underscores).
import type { InputSource } from '../core/inputs'

export function runnerInputSource(env: NodeJS.ProcessEnv = process.env): InputSource {
  return name => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}
