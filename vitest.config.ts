import { join } from 'node:path'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

// Node 22+ keeps compiled code here (Node 20 ignores it): the test workers and the hundreds of
// bundle runs the tests start then skip most of their compiling.
process.env.NODE_COMPILE_CACHE ??= join(import.meta.dirname, 'node_modules/.cache/node-compile')

/**
 * End-to-end files first, the fault suite's shards first of all: they take longest, mostly
 * waiting, and the short files then fill the gaps at the end. Vitest alone orders a fresh
 * clone by file size, and each shard file is a few lines that call the shared suite.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => (/[\\/]e2e[\\/]faults-\d+\.test\.ts$/.test(f.moduleId) ? 2 : /[\\/]e2e[\\/]/.test(f.moduleId) ? 1 : 0)
    // a stable sort: within a rank, vitest's own order (past durations, else size)
    return (await super.sort(files)).sort((a, b) => rank(b) - rank(a))
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // End-to-end tests spawn the bundle and then mostly wait (provisioning, back-offs), so
    // six files side by side fit on two cores; the longest files then no longer queue.
    maxWorkers: 6,
    // Tests marked concurrent (each with its own emulator) mostly wait on back-offs and
    // provisioning, so more of them fit side by side than there are cores.
    maxConcurrency: 8,
    sequence: { sequencer: LongestFirst },
    reporters: process.env.VITEST_JSON ? ['default', ['json', { outputFile: process.env.VITEST_JSON }]] : ['default']
  }
})
