// The unit tests alone, for Stryker (stryker.config.mjs): they run in process against src/,
// so a mutant is seen; the end-to-end tests run the bundle in dist/ and would not see it.
// MUTATION_TESTS (comma-separated globs) narrows them for a run over a few modules, whose
// initial test run then takes seconds instead of minutes.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: process.env.MUTATION_TESTS ? process.env.MUTATION_TESTS.split(',') : ['test/unit/**/*.test.ts'],
    testTimeout: 60_000
  }
})
