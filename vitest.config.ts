import { join } from 'node:path'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

// Node 22+ keeps compiled code here (Node 20 ignores it): the test workers and the hundreds of
// bundle runs the tests start then skip most of their compiling.
process.env.NODE_COMPILE_CACHE ??= join(import.meta.dirname, 'node_modules/.cache/node-compile')

/**
 * The files that take longest (20 s to over two minutes on two cores): the fault suite's
 * shards, the big end-to-end families (roles, packages, bad inputs, the checks before a slot,
 * leases), and single long scenarios (many jobs contending for a pool, skewed runner clocks,
 * the README's demo, racing lease claims, the redaction property).
 */
const LONGEST = /[\\/]test[\\/](e2e[\\/](faults-\d+|lease-contention|lease|lease-skew|demo|roles|packages|bad-inputs|preflight|adobe|trackstar|logs|redaction-property|pr-comment-faults|prune-closed-faults|network-failures)|unit[\\/](lease-claim|lease-faults))\.test\.ts$/

/**
 * The longest files first, then the other end-to-end files, so that the short ones fill the
 * gaps at the end. Vitest alone orders a fresh clone by file size, which puts the shards (a
 * few lines each that call the shared suite) and the single long scenarios last.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => (LONGEST.test(f.moduleId) ? 2 : /[\\/]e2e[\\/]/.test(f.moduleId) ? 1 : 0)
    // a stable sort: within a rank, vitest's own order (past durations, else size)
    return (await super.sort(files)).sort((a, b) => rank(b) - rank(a))
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bounds that end every test, not speed checks: a loaded 2-core machine runs a step several
    // times slower than an idle one, and no verdict may depend on that.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // End-to-end tests spawn the bundle and then mostly wait (provisioning, back-offs), so
    // six files side by side fit on two cores; the longest files then no longer queue.
    maxWorkers: 6,
    // Tests marked concurrent (each with its own emulator) mostly wait on back-offs and
    // provisioning, so more of them fit side by side than there are cores.
    maxConcurrency: 8,
    sequence: { sequencer: LongestFirst },
    // Files share their worker's loaded modules instead of each starting afresh: most of the
    // suite's own CPU time was that start. Every end-to-end test has its own emulator, and no
    // module keeps state between files.
    isolate: false,
    reporters: process.env.VITEST_JSON ? ['default', ['json', { outputFile: process.env.VITEST_JSON }]] : ['default']
  }
})
