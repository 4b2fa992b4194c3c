// The README's inputs and outputs tables must agree with action.yml: names, defaults and
// descriptions are what users read before they write a workflow.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { actionYml, ROOT } from '../../scripts/local-runner'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

function table(heading: string): string[][] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? ''
  return section
    .split('\n')
    .filter(l => l.startsWith('| `'))
    .map(l => l.slice(1, -1).split(/(?<!\\)\|/).map(c => c.trim()))
}

describe('README agrees with action.yml', () => {
  const yml = actionYml()

  it('lists every input, in order, with its default and description', () => {
    const rows = table('Inputs')
    expect(rows.map(r => r[0].replace(/`/g, ''))).toEqual(Object.keys(yml.inputs))
    for (const [name, def, description] of rows) {
      const spec = yml.inputs[name.replace(/`/g, '')]
      const expected = spec.required ? '**required**' : spec.default === '' ? '' : `\`${spec.default}\``
      expect(def, `default of ${name}`).toBe(expected)
      expect(description.replace(/\\\|/g, '|'), `description of ${name}`).toBe(spec.description)
    }
  })

  it('lists every output, in order, with its description', () => {
    const rows = table('Outputs')
    expect(rows.map(r => r[0].replace(/`/g, ''))).toEqual(Object.keys(yml.outputs))
    for (const [name, description] of rows) expect(description).toBe(yml.outputs[name.replace(/`/g, '')].description)
  })

  it('declares a node24 action with main and post entries that run after failure and cancel', () => {
    const runs = (actionYml() as unknown as { runs: Record<string, string> }).runs
    expect(runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js', 'post-if': 'always()' })
  })

  it('gives the two quick-start commands', () => {
    expect(readme).toContain('npm ci && npm run demo')
    expect(readme).toMatch(/\nnpm test\s/)
  })
})
