// The unit tests alone, for Stryker (stryker.config.mjs): they run in process against src/,
// so a mutant is seen; the end-to-end tests run the bundle in dist/ and would not see it.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 20_000
  }
})
