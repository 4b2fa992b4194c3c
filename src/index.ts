// Entry point for both the main and the post step: the runner runs this one bundle twice,
// and the state saved by the main step says which run this is.
import * as core from '@actions/core'
import { run } from './main'
import { post } from './post'
import { isPost, runnerState } from './state'
import { runnerDeps } from './step'

const cancel = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!cancel.signal.aborted) core.info(`Received ${signal}: stopping`)
    cancel.abort()
  })
}

const step = isPost(runnerState) ? post : run
step(runnerDeps(cancel.signal))
  .catch(err => core.setFailed(err instanceof Error ? err.message : String(err)))
  // Leave at once: a request abandoned by a cancel or a timeout must not hold the process.
  .finally(() => process.exit())
