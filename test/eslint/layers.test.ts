// The layer rules of eslint.config.js, run by ESLint itself with the project's config over a
// small tree written to a temporary folder: each rule fails on a deliberate violation, and a
// tree that keeps to the layers passes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ESLint } from 'eslint'
import { afterEach, describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/local-runner'

let dir = ''
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = ''
})

/** Lints a tree of files (path → text) with the project's config; the layer messages, as "file: message". */
async function lint(files: Record<string, string>): Promise<string[]> {
  dir = mkdtempSync(join(tmpdir(), 'layers-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: join(ROOT, 'eslint.config.js') })
  const results = await eslint.lintFiles(Object.keys(files))
  return results.flatMap(r => r.messages.filter(m => m.ruleId?.startsWith('layers/')).map(m => `${r.filePath.slice(dir.length + 1)}: ${m.message}`))
}

const ok = 'export const x = 1\n'

describe('layers/boundaries', () => {
  it.each([
    ['src/core/http.ts', "import * as core from '@actions/core'\nexport const x = core\n", /only src\/runner\/ talks to the runner/],
    ['src/providers/adobe/api.ts', "import * as core from '@actions/core'\nexport const x = core\n", /only src\/runner\/ talks to the runner/],
    ['src/github/client.ts', "import * as core from '@actions/core'\nexport const x = core\n", /only src\/runner\/ talks to the runner/],
    ['src/core/context.ts', "import { x as y } from '../providers/adobe/api'\nexport const x = y\n", /src\/core\/ serves every front end and provider/],
    ['src/core/context.ts', "import { x as y } from '../runner/step'\nexport const x = y\n", /src\/core\/ serves every front end and provider/],
    ['src/core/context.ts', "import { x as y } from '../github/client'\nexport const x = y\n", /src\/core\/ serves every front end and provider/],
    ['src/github/client.ts', "import { x as y } from '../providers/adobe/api'\nexport const x = y\n", /talks to GitHub for any provider/],
    ['src/providers/adobe/api.ts', "import { x as y } from '../../runner/step'\nexport const x = y\n", /works the same under the action and the command line/],
    ['src/cli/main.ts', "import * as core from '@actions/core'\nexport const x = core\n", /only src\/runner\/ talks to the runner/],
    ['src/cli/main.ts', "import { x as y } from '../runner/step'\nexport const x = y\n", /the command line runs outside the runner/],
    ['src/providers/trackstar/api.ts', "import { x as y } from '../adobe/api'\nexport const x = y\n", /one provider does not reach into another/],
    ['emulator/server.ts', "import { x as y } from '../src/core/http'\nexport const x = y\n", /the emulator stands for the providers/]
  ])('%s importing what its layer may not: %s', async (file, text, why) => {
    const tree: Record<string, string> = {
      'src/core/http.ts': ok,
      'src/core/context.ts': ok,
      'src/runner/step.ts': ok,
      'src/github/client.ts': ok,
      'src/providers/adobe/api.ts': ok,
      'src/providers/trackstar/api.ts': ok,
      'src/cli/main.ts': ok,
      'emulator/server.ts': ok,
      [file]: text
    }
    const found = await lint(tree)
    expect(found).toHaveLength(1)
    expect(found[0]).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}: ${file} may not import `))
    expect(found[0]).toMatch(why)
  })

  it('a tree that keeps to the layers passes: the runner imports @actions/core, the core and providers; providers import the core and src/github/; the command line imports the core, src/github/ and providers', async () => {
    expect(
      await lint({
        'src/index.ts': "import { run } from './runner/main'\nexport const x = run\n",
        'src/runner/main.ts': "import * as core from '@actions/core'\nimport { x as p } from '../providers/adobe/api'\nimport { x as h } from '../core/http'\nexport const run = [core, p, h]\n",
        'src/core/http.ts': ok,
        'src/github/client.ts': "import { x as h } from '../core/http'\nexport const x = h\n",
        'src/providers/adobe/api.ts': "import { x as h } from '../../core/http'\nimport { x as g } from '../../github/client'\nexport const x = [h, g]\n",
        'src/cli.ts': "import { x as m } from './cli/main'\nexport const x = m\n",
        'src/cli/main.ts': "import { x as h } from '../core/http'\nimport { x as g } from '../github/client'\nimport { x as p } from '../providers/adobe/api'\nexport const x = [h, g, p]\n"
      })
    ).toEqual([])
  })
})

describe('layers/no-cycle', () => {
  it.each([
    ['two files', { 'src/core/a.ts': "import { b } from './b'\nexport const a = b\n", 'src/core/b.ts': "import { a } from './a'\nexport const b = a\n" }],
    ['three files, type-only imports', {
      'emulator/a.ts': "import type { B } from './b'\nexport type A = B\n",
      'emulator/b.ts': "import type { C } from './c'\nexport type B = C\n",
      'emulator/c.ts': "import type { A } from './a'\nexport type C = A | 1\n"
    }],
    ['a re-export', { 'src/providers/adobe/a.ts': "export { b } from './b'\nexport const a = 1\n", 'src/providers/adobe/b.ts': "import { a } from './a'\nexport const b = a\n" }]
  ])('a cycle of %s is reported in every file on it', async (_what, files) => {
    const found = await lint(files)
    for (const file of Object.keys(files)) expect(found.some(f => f.startsWith(`${file}: Import cycle: ${file} → `))).toBe(true)
  })

  it('a chain without a cycle passes', async () => {
    expect(await lint({ 'src/core/a.ts': "import { b } from './b'\nexport const a = b\n", 'src/core/b.ts': "import { c } from './c'\nexport const b = c\n", 'src/core/c.ts': 'export const c = 1\n' })).toEqual([])
  })
})
