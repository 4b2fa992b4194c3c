// Mutation testing (`npm run mutate`): the modules that carry the action's promises (redaction
// and masking, command-safe logging, retries and Retry-After, error shaping, the Adobe safety
// rules, the wait and prune selection, leases, the licence wait, roles, packages, GitHub-aware
// prune, the PR comment, the fork check and the inputs), mutated and run against the unit tests only. The
// end-to-end tests run the prebuilt bundle, so they cannot see a mutant. Score: docs/mutation.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/core/secrets.ts',
    'src/core/log.ts',
    'src/core/http.ts',
    'src/core/provider-errors.ts',
    'src/providers/adobe/safety.ts',
    'src/providers/adobe/wait.ts',
    'src/providers/adobe/ops/prune.ts',
    // the promises of pools, roles, packages, GitHub awareness and inputs
    'src/providers/adobe/lease/claim.ts',
    'src/providers/adobe/lease/record.ts',
    'src/providers/adobe/capacity.ts',
    'src/providers/adobe/ready/roles.ts',
    'src/providers/adobe/ready/packages.ts',
    'src/providers/adobe/ops/prune-closed.ts',
    'src/github/comment.ts',
    'src/runner/fork.ts',
    'src/core/inputs.ts',
    'src/providers/adobe/inputs.ts',
    'src/providers/trackstar/inputs.ts'
  ],
  coverageAnalysis: 'perTest',
  // Two cores shared with other work: `npm run mutate -- --concurrency 1` when busier.
  concurrency: 2,
  timeoutMS: 20_000,
  // the whole unit set drives in-process emulators and takes minutes on a busy machine
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true
}
