// Hands the results to later steps: outputs, and with `export-env` environment variables.
// Every value a provider marked secret was registered (masked) before it gets here.
import * as core from '@actions/core'

export interface OutputSink {
  setOutput(name: string, value: string): void
  exportVariable(name: string, value: string): void
}

export const runnerOutputs: OutputSink = {
  setOutput: (name, value) => core.setOutput(name, value),
  exportVariable: (name, value) => core.exportVariable(name, value)
}

export function publish(
  sink: OutputSink,
  outputs: Record<string, string>,
  env: Record<string, string>,
  exportEnv: boolean
): void {
  for (const [name, value] of Object.entries(outputs)) sink.setOutput(name, value)
  if (!exportEnv) return
  for (const [name, value] of Object.entries(env)) sink.exportVariable(name, value)
}
