// Writes the job summary through the runner (GITHUB_STEP_SUMMARY).
import * as core from '@actions/core'
import type { SummaryWriter } from '../core/summary'

export const runnerSummary: SummaryWriter = {
  async write(markdown) {
    if (!process.env.GITHUB_STEP_SUMMARY) return
    await core.summary.addRaw(markdown, true).write()
    core.summary.emptyBuffer()
  }
}
