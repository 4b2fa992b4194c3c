// What GitHub adds to the shared steps (src/core/steps.ts), for both front ends: the GitHub
// deployment and the pull request comment. Each hook warns rather than throws.
import type { CleanupHooks, MainHooks } from '../core/steps'
import { commentAfterCleanup, commentAfterMain } from './comment'
import { deploymentAfterCleanup, deploymentAfterFailure, deploymentAfterMain, deploymentBeforeRun } from './deployment'

export const githubMainHooks: Required<Pick<MainHooks, 'beforeRun' | 'afterRun' | 'afterFailure'>> = {
  beforeRun: deploymentBeforeRun,
  async afterRun(ctx, state, result) {
    await deploymentAfterMain(ctx, state, result)
    await commentAfterMain(ctx, state, result)
  },
  afterFailure: deploymentAfterFailure
}

export const githubAfterCleanup: NonNullable<CleanupHooks['afterCleanup']> = async (ctx, state, handoff, outcome) => {
  await deploymentAfterCleanup(ctx, state, handoff, outcome)
  await commentAfterCleanup(ctx, state, handoff, outcome)
}
