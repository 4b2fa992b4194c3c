// Bundle: the size of the JavaScript the runner loads for the main and the post step, and
// the cold start from spawning `node dist/index.js` to its first request at the emulator.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { startEmulator, type Emulator } from '../emulator/index'
import { BUNDLE, ROOT, runnerEnvironment } from '../scripts/local-runner'

const CLI = join(ROOT, 'dist/cli.js')
import { trackstarInputs } from '../scripts/emulator-inputs'
import { baselineEnv, runNode, type ProcessRun } from './harness'
import { kib, median, min, ms, ratio, type BenchOptions, type SectionResult } from './stats'

const SIZE_TARGET = 1_000_000

/** The files action.yml runs for `main` and `post`, each counted once. */
function entryFiles(): { role: string; file: string }[] {
  const yml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { runs: { main: string; post?: string; pre?: string } }
  const roles = Object.entries(yml.runs).filter(([k, v]) => ['pre', 'main', 'post'].includes(k) && typeof v === 'string') as [string, string][]
  const byFile = new Map<string, string[]>()
  for (const [role, file] of roles) byFile.set(resolve(ROOT, file), [...(byFile.get(resolve(ROOT, file)) ?? []), role])
  return [...byFile].map(([file, r]) => ({ role: r.join(' + '), file }))
}

/** ms from spawn until the emulator logged the process's first request. */
async function firstRequestMs(emu: Emulator, file: string, env: Record<string, string>, cwd: string, args: string[] = []): Promise<number> {
  const from = emu.requests.length
  const run: ProcessRun = await runNode(file, env, { cwd, timeoutMs: 60_000, args })
  if (run.exitCode !== 0) throw new Error(`${file} exited with ${run.exitCode}\n${run.stdout}\n${run.stderr}`)
  const first = emu.requests[from]
  if (!first) throw new Error(`${file} made no request`)
  return first.time - run.spawnedAt
}

const probe = (imports: string): string => `${imports}
const res = await fetch(process.env.EMU_URL + '/sandbox/generate-sandbox/wms', { method: 'POST', headers: { Accept: 'application/json', 'x-trackstar-api-key': process.env.TRACKSTAR_API_KEY } })
if (res.status !== 200) throw new Error('HTTP ' + res.status)
await res.text()
`

export async function bundle(o: BenchOptions): Promise<SectionResult> {
  const entries = entryFiles().map(e => ({ ...e, bytes: statSync(e.file).size }))
  const total = entries.reduce((a, e) => a + e.bytes, 0)

  const runs = o.short ? 3 : 15
  const emu = await startEmulator({ trackstar: { rateLimit: false } })
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-bench-cold-'))
  const samples = { action: [] as number[], cli: [] as number[], core: [] as number[], bare: [] as number[] }
  try {
    const coreUrl = import.meta.resolve('@actions/core')
    const coreProbe = join(dir, 'core-probe.mjs')
    const bareProbe = join(dir, 'bare-probe.mjs')
    writeFileSync(coreProbe, probe(`import * as core from ${JSON.stringify(coreUrl)}\nif (typeof core.getInput !== 'function') throw new Error('no @actions/core')`))
    writeFileSync(bareProbe, probe(''))
    const probeEnv = baselineEnv(emu)
    for (let i = 0; i <= runs; i++) {
      o.log(`bundle: cold start run ${i}/${runs}${i === 0 ? ' (warm-up)' : ''}`)
      const stepDir = mkdtempSync(join(dir, 'step-'))
      const a = await firstRequestMs(emu, BUNDLE, runnerEnvironment(stepDir, trackstarInputs(emu)).env, stepDir)
      // The command line with the same generate: its flags, the key from the environment.
      const cliDir = mkdtempSync(join(dir, 'cli-'))
      const l = await firstRequestMs(emu, CLI, { TRACKSTAR_API_KEY: probeEnv.TRACKSTAR_API_KEY }, cliDir, ['generate', '--provider', 'trackstar', '--trackstar-api-url', emu.url])
      const c = await firstRequestMs(emu, coreProbe, probeEnv, dir)
      const b = await firstRequestMs(emu, bareProbe, probeEnv, dir)
      if (i === 0) continue // warms the file cache
      samples.action.push(a)
      samples.cli.push(l)
      samples.core.push(c)
      samples.bare.push(b)
    }
  } finally {
    await emu.close()
    rmSync(dir, { recursive: true, force: true })
  }
  const action = median(samples.action)
  const cliStart = median(samples.cli)
  const core = median(samples.core)
  const bare = median(samples.bare)
  const met = total <= SIZE_TARGET
  return {
    title: 'Bundle',
    intro: [
      "Size: the files `action.yml` runs for `main` and `post` (one file, `dist/index.js`, serves both; `dist/licenses.txt` is not loaded). Cold start: from spawning `node dist/index.js` (Trackstar generate inputs, the runner's environment), or `node dist/cli.js generate --provider trackstar` (the command line, its key in the environment), until the emulator logs the step's first request, against a script that only imports `@actions/core` and then makes one `fetch` to the emulator (the same generate call), and a bare script with the `fetch` alone (Node's own floor)."
    ],
    tables: [
      {
        title: 'Size',
        headers: ['file', 'runs as', 'bytes', 'size'],
        rows: [...entries.map(e => [e.file.slice(ROOT.length + 1), e.role, String(e.bytes), kib(e.bytes)]), ['total', '', String(total), kib(total)]]
      },
      {
        title: `Cold start to first request (median of ${runs} runs; min in brackets)`,
        headers: ['process', 'spawn → first request', 'vs @actions/core + fetch'],
        rows: [
          ['node dist/index.js (the action)', `${ms(action)} (${ms(min(samples.action))})`, ratio(action / core)],
          ['node dist/cli.js generate (the command line)', `${ms(cliStart)} (${ms(min(samples.cli))})`, ratio(cliStart / core)],
          ['import @actions/core, then fetch', `${ms(core)} (${ms(min(samples.core))})`, ratio(1)],
          ['fetch only (no import)', `${ms(bare)} (${ms(min(samples.bare))})`, ratio(bare / core)]
        ]
      }
    ],
    targets: [
      {
        name: 'Bundle size (main + post)',
        target: '≤ 1 MB (1,000,000 bytes)',
        measured: `${total} bytes (${kib(total)})`,
        met,
        why: met ? 'one minified ncc bundle serves both steps' : 'the bundle has grown past the budget'
      }
    ]
  }
}
