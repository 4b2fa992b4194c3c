// Lint rules: the recommended sets of ESLint and typescript-eslint, and the layer rules of
// docs/architecture.md (eslint/layers.js): what each folder of src/ may import, and no
// import cycle in src/ or emulator/.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import layers from './eslint/layers.js'

/** What each layer of src/ may not import; the entries (src/index.ts, src/cli.ts) may import anything. */
export const LAYER_RULES = [
  { from: 'src/', except: 'src/runner/', disallow: ['@actions/core'], why: 'only src/runner/ talks to the runner (@actions/core)' },
  { from: 'src/core/', disallow: ['src/runner/', 'src/providers/', 'src/github/', 'src/cli/', '@actions/github'], why: 'src/core/ serves every front end and provider and depends on none of them' },
  { from: 'src/github/', disallow: ['src/runner/', 'src/providers/', 'src/cli/'], why: 'src/github/ talks to GitHub for any provider and front end' },
  { from: 'src/cli/', disallow: ['src/runner/'], why: 'the command line runs outside the runner: it shares src/core/, the providers and src/github/ with the action, not its runner steps' },
  { from: 'src/providers/', disallow: ['src/runner/', 'src/cli/'], why: 'a provider works the same under the action and the command line' },
  { from: 'src/providers/adobe/', disallow: ['src/providers/trackstar/'], why: 'one provider does not reach into another' },
  { from: 'src/providers/trackstar/', disallow: ['src/providers/adobe/'], why: 'one provider does not reach into another' },
  { from: 'emulator/', disallow: ['src/', 'test/', 'scripts/'], why: 'the emulator stands for the providers: it shares no code with the action' }
]

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'reports/', '.ci/node24/', 'lib/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', NodeJS: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['src/**/*.ts', 'emulator/**/*.ts'],
    plugins: { layers },
    rules: {
      'layers/boundaries': ['error', LAYER_RULES],
      'layers/no-cycle': 'error'
    }
  }
)
