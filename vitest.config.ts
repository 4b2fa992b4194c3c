import { defineConfig } from 'vitest/config'

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
    reporters: process.env.VITEST_JSON ? ['default', ['json', { outputFile: process.env.VITEST_JSON }]] : ['default']
  }
})
