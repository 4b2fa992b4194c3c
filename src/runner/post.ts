// The post step: undo what the main step recorded, as `cleanup` decided (src/core/steps.ts),
// and update the GitHub deployment and the pull request comment. It never fails the job: a cleanup that fails is a
// warning annotation that names what was left behind.
import { cleanupStep, describeTarget } from '../core/steps'
import { providerOf } from '../providers/index'
import { readInputs } from '../providers/inputs'
import type { StepDeps } from './step'
import { githubAfterCleanup } from '../github/hooks'

export { describeTarget }

export async function post(deps: StepDeps): Promise<void> {
  await cleanupStep(deps, { readInputs, of: providerOf }, { afterCleanup: githubAfterCleanup })
}
