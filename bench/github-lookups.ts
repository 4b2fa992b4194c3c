// GitHub requests per pruned sandbox: the bundled prune step with prune-closed over a fleet
// where several sandboxes share each pull request or run, against the emulator's GitHub
// stand-in. The target: at most one lookup per distinct pull request or run.
import { startEmulator } from '../emulator/index'
import { defaultSandboxTitle, type Lifetime } from '../src/core/naming'
import { runStep } from '../scripts/local-runner'
import { adobeInputs, githubEnv } from '../scripts/emulator-inputs'
import { sec, type BenchOptions, type SectionResult } from './stats'

const REPO = 'acme/Shop_API' // GITHUB_REPOSITORY in scripts/local-runner.ts
const TOKEN = 'ghs_benchToken0123456789'
const PREFIX = 'gh-bench-'

interface Fleet {
  prs: number
  runs: number
  /** sandboxes per pull request or run */
  each: number
}

export async function githubLookups(o: BenchOptions): Promise<SectionResult> {
  const fleet: Fleet = o.short ? { prs: 4, runs: 4, each: 3 } : { prs: 40, runs: 40, each: 5 }
  const emu = await startEmulator({ adobe: { licenseLimit: 100_000 } })
  try {
    emu.github.addToken({ token: TOKEN, repositories: [REPO], permissions: { pull_requests: 'read', actions: 'read' } })
    const info = (runId: number, prNumber?: number) => ({ repository: REPO, repo: 'Shop_API', runId, runAttempt: 1, prNumber, serverUrl: 'https://github.com' })
    const seed = (name: string, lifetime: Lifetime, runId: number, prNumber?: number) =>
      emu.adobe.seed({ name, title: defaultSandboxTitle(info(runId, prNumber), lifetime), type: 'development', state: 'active', ageSeconds: 3600 })
    let goes = 0
    // Half the pull requests are closed, half open; half the runs finished, half running.
    for (let p = 1; p <= fleet.prs; p++) {
      const closed = p % 2 === 0
      emu.github.seedPull({ repository: REPO, number: p, state: closed ? 'closed' : 'open' })
      for (let i = 0; i < fleet.each; i++) seed(`${PREFIX}pr-${p}-${i}`, 'pr', 1000 + p, p)
      if (closed) goes += fleet.each
    }
    for (let r = 1; r <= fleet.runs; r++) {
      const done = r % 2 === 0
      emu.github.seedRun({ repository: REPO, id: 5000 + r, status: done ? 'completed' : 'in_progress' })
      for (let i = 0; i < fleet.each; i++) seed(`${PREFIX}run-${r}-${i}`, 'run', 5000 + r)
      if (done) goes += fleet.each
    }
    emu.clearLog()
    o.log(`github lookups: ${fleet.prs} PRs and ${fleet.runs} runs, ${fleet.each} sandboxes each`)
    const run = await runStep({
      inputs: adobeInputs(emu, { operation: 'prune', 'prune-prefix': PREFIX, 'prune-closed': 'true', 'github-token': TOKEN }),
      env: githubEnv(emu),
      timeoutMs: 300_000
    })
    if (run.exitCode !== 0) throw new Error(`prune-closed step failed\n${run.stdout}\n${run.stderr}`)
    const pruned = (JSON.parse(run.outputs.pruned) as string[]).length
    if (pruned !== goes) throw new Error(`prune-closed deleted ${pruned} sandboxes, expected ${goes}`)
    const github = emu.requests.filter(r => r.path.startsWith('/api/v3/'))
    const lookups = github.filter(r => r.path !== '/api/v3/rate_limit').length
    const distinct = fleet.prs + fleet.runs
    const perPruned = github.length / pruned
    const met = lookups <= distinct
    return {
      title: 'GitHub requests for prune-closed',
      intro: [
        `${fleet.prs} pull requests (half closed) and ${fleet.runs} workflow runs (half finished), ${fleet.each} sandboxes each (${(fleet.prs + fleet.runs) * fleet.each} in all, prefix \`${PREFIX}\`, default titles), in a fresh emulator whose GitHub stand-in answers the lookups. ` +
          'The bundled prune step runs once with `prune-closed: true`; every GitHub request it makes is counted, the token check (`GET /rate_limit`, which does not count against GitHub\'s limit) included.'
      ],
      tables: [
        {
          title: 'Requests',
          headers: ['sandboxes', 'pruned', 'distinct PRs + runs', 'lookups', 'GitHub requests (with the token check)', 'per pruned sandbox', 'step time'],
          rows: [[String((fleet.prs + fleet.runs) * fleet.each), String(pruned), String(distinct), String(lookups), String(github.length), perPruned.toFixed(2), sec(run.wallMs)]]
        }
      ],
      targets: [
        {
          name: 'GitHub requests per pruned sandbox',
          target: 'at most one lookup per distinct pull request or run',
          measured: `${lookups} lookups for ${distinct} distinct PRs and runs; ${perPruned.toFixed(2)} requests per pruned sandbox`,
          met,
          why: met ? 'lookups are cached per pull request and run, so sandboxes that share one cost nothing more' : 'some pull request or run was looked up more than once'
        }
      ]
    }
  } finally {
    await emu.close()
  }
}
