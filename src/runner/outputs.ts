// Hands the results to later steps: outputs, and with `export-env` environment variables.
// Every value a provider marked secret was registered (masked) before it gets here.
import * as core from '@actions/core'
import type { OutputSink } from '../core/steps'

export { publish, type OutputSink } from '../core/steps'

export const runnerOutputs: OutputSink = {
  setOutput: (name, value) => core.setOutput(name, value),
  exportVariable: (name, value) => core.exportVariable(name, value)
}
