// The runner's state store: what the main step saves, the post step reads (STATE_*).
import * as core from '@actions/core'
import type { StateStore } from '../core/handoff'

export const runnerState: StateStore = {
  get: key => core.getState(key),
  save: (key, value) => core.saveState(key, value)
}
