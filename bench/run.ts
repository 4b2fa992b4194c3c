// `npm run bench`: runs every section against the local emulator, prints a table per
// section and writes docs/benchmarks.md. `npm run bench -- --short` runs the same code
// paths with few runs and small sizes (for CI) and writes its report to a temp file, as
// does `--only=prune,bundle` (a subset of the sections).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { BUNDLE, ROOT } from '../scripts/local-runner'
import { bundle } from './bundle'
import { githubLookups } from './github-lookups'
import { lease } from './lease'
import { overhead } from './overhead'
import { prune } from './prune'
import { readiness } from './readiness'
import { warmPools } from './warm-pools'
import type { BenchOptions, SectionResult, Table } from './stats'

const SECTIONS = { readiness, overhead, bundle, prune, githubLookups, lease, warmPools }
type SectionName = keyof typeof SECTIONS

interface Args {
  short: boolean
  /** run only these sections (the report then goes to a temp file, not docs/) */
  only?: SectionName[]
}

function parseArgs(argv: string[]): Args {
  const args: Args = { short: false }
  for (const a of argv) {
    const only = /^--only=(.+)$/.exec(a)
    if (a === '--short') args.short = true
    else if (only) {
      const names = only[1].split(',')
      const bad = names.filter(n => !(n in SECTIONS))
      if (bad.length) throw new Error(`unknown section(s) ${bad.join(', ')}: choose from ${Object.keys(SECTIONS).join(', ')}`)
      args.only = names as SectionName[]
    } else throw new Error(`unknown argument ${a} (accepted: --short, --only=${Object.keys(SECTIONS).join(',')})`)
  }
  return args
}

function machine(): string[] {
  const cpu = cpus()
  const actionNode = process.env.ACTION_NODE
  return [
    `CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores`,
    `Memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `OS: ${platform()} ${release()}`,
    `Node: ${actionNode ? `${execFileSync(actionNode, ['--version'], { encoding: 'utf8' }).trim()} (ACTION_NODE=${actionNode}) for the steps and baselines, ${process.version} for the harness` : process.version}`,
    `Load average when the run started: ${loadavg().map(l => l.toFixed(2)).join(', ')}`
  ]
}

function consoleTable(t: Table): string {
  const widths = t.headers.map((h, i) => Math.max(h.length, ...t.rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  return [`  ${t.title}`, `  ${line(t.headers)}`, `  ${widths.map(w => '-'.repeat(w)).join('  ')}`, ...t.rows.map(r => `  ${line(r)}`)].join('\n')
}

const cell = (s: string): string => s.replace(/\|/g, '\\|')

function markdownTable(headers: string[], rows: string[][]): string {
  return [`| ${headers.map(cell).join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map(r => `| ${r.map(cell).join(' | ')} |`)].join('\n')
}

function markdown(results: SectionResult[], host: string[], short: boolean, startedAt: Date, tookMs: number): string {
  const all = results.flatMap(r => r.targets)
  const out: string[] = [
    '# Benchmarks',
    '',
    `Figures from \`npm run bench${short ? ' -- --short' : ''}\` on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC (took ${Math.round(tookMs / 1000)} s). ` +
      'Everything runs against the project\'s emulator on 127.0.0.1, and every step is the committed bundle `dist/index.js` run as the GitHub runner runs it (`scripts/local-runner.ts`). ' +
      'Re-run with `npm run bench`; CI runs `npm run bench -- --short`, which takes the same code paths with few runs and small sizes and writes nothing to docs/.',
    '',
    '## Machine',
    '',
    ...host.map(l => `- ${l}`),
    '',
    '## Targets',
    '',
    short ? 'A short run: sizes and run counts are below those the targets are set for, so nothing is judged.' : `${all.filter(t => t.met).length} of ${all.length} met.`,
    '',
    markdownTable(['what', 'target', 'measured', 'met', 'why'], all.map(t => [t.name, t.target, t.measured, short ? 'not judged' : t.met ? 'met' : '**not met**', t.why]))
  ]
  for (const r of results) {
    out.push('', `## ${r.title}`, '', ...r.intro.flatMap(p => [p, '']))
    for (const t of r.tables) out.push(`**${t.title}**`, '', markdownTable(t.headers, t.rows), '')
    for (const n of r.notes ?? []) out.push(n, '')
    if (out[out.length - 1] === '') out.pop()
  }
  return `${out.join('\n')}\n`
}

async function main(): Promise<void> {
  const { short, only } = parseArgs(process.argv.slice(2))
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`)
  const o: BenchOptions = { short, log: line => console.log(`… ${line}`) }
  const startedAt = new Date()
  const host = machine()
  console.log(`Benchmarks${short ? ' (short)' : ''}: ${host.join('; ')}`)
  const results: SectionResult[] = []
  for (const name of only ?? (Object.keys(SECTIONS) as SectionName[])) {
    const r = await SECTIONS[name](o)
    results.push(r)
    console.log(`\n== ${r.title} ==`)
    for (const t of r.tables) console.log(`${consoleTable(t)}\n`)
    for (const t of r.targets) console.log(`  ${short ? '(short)' : t.met ? 'met    ' : 'NOT MET'}  ${t.name}: ${t.measured} (target ${t.target})`)
  }
  // Only a full run of every section replaces docs/benchmarks.md.
  const file = short || only ? join(tmpdir(), 'ephemeral-sandbox-benchmarks.md') : join(ROOT, 'docs/benchmarks.md')
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, markdown(results, host, short, startedAt, Date.now() - startedAt.getTime()))
  const all = results.flatMap(r => r.targets)
  const verdict = short ? 'Short run: targets not judged.' : `${all.filter(t => t.met).length} of ${all.length} targets met.`
  console.log(`\n${verdict} Report written to ${file}`)
}

main().catch(err => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err))
  process.exitCode = 1
})
