// Warm pools (Adobe): what a seeded pool member saves a job. A lease with `adobe-package-id`
// of a member whose free record says the package was imported since its last reset
// (`seeded=`) makes no import; a lease of a clean member imports and waits for the job.
import { startEmulator, type Emulator } from '../emulator/index'
import { runStep, type StepRun } from '../scripts/local-runner'
import { adobeInputs, credentialRole } from '../scripts/emulator-inputs'
import { formatFree } from '../src/providers/adobe/lease/record'
import { median, ms, sec, type BenchOptions, type SectionResult, type Target } from './stats'

const PKG = 'pkg-bench'

function check(run: StepRun, what: string): StepRun {
  if (run.exitCode !== 0) throw new Error(`${what} failed\n${run.stdout}\n${run.stderr}`)
  return run
}

function seedMember(emu: Emulator, seeded: string | undefined): void {
  emu.adobe.seed({ name: 'ci-pool-1', type: 'development', state: 'active', title: formatFree(Date.now() - 60_000, 'by=acme/bench run=1.1 job=seed', seeded) })
}

/** One lease of the only pool member, seeded with the package or not; the step's spawn-to-exit time. */
async function leaseOnce(importMs: number, seeded: boolean): Promise<{ wallMs: number; imports: number }> {
  const emu = await startEmulator({ adobe: { resetMs: 500, deleteMs: 0 }, platform: { tooling: { pendingMs: 0, runMs: importMs } } })
  try {
    emu.platform.roles.seed(credentialRole('role-bench'))
    emu.platform.tooling.seed({ id: PKG, name: 'Bench seed', artifactsList: [{ id: 'sch-1', type: 'REGISTRY_SCHEMA', title: 'Orders' }] })
    seedMember(emu, seeded ? PKG : undefined)
    const inputs = adobeInputs(emu, { operation: 'lease', pool: 'ci-pool-1', 'adobe-package-id': PKG, heartbeat: 'false', timeout: String(Math.ceil(importMs / 1000) + 120) })
    const main = check(await runStep({ inputs, timeoutMs: importMs + 120_000 }), seeded ? 'seeded lease' : 'importing lease')
    const imports = emu.requests.filter(r => r.path.endsWith('/packages/import') && r.status < 300).length
    return { wallMs: main.wallMs, imports }
  } finally {
    await emu.close()
  }
}

export async function warmPools(o: BenchOptions): Promise<SectionResult> {
  const runs = o.short ? 1 : 5
  const importMs = o.short ? 3000 : 30_000
  const seeded: number[] = []
  const importing: number[] = []
  let seededImports = 0
  let importingImports = 0
  // a first, uncounted seeded lease warms the file cache
  for (let i = 0; i <= runs; i++) {
    o.log(`warm pools: seeded lease run ${i}/${runs}${i === 0 ? ' (warm-up)' : ''}`)
    const r = await leaseOnce(importMs, true)
    if (i > 0) seeded.push(r.wallMs)
    seededImports += r.imports
  }
  for (let i = 1; i <= (o.short ? 1 : 2); i++) {
    o.log(`warm pools: importing lease run ${i} (import ${importMs / 1000} s)`)
    const r = await leaseOnce(importMs, false)
    importing.push(r.wallMs)
    importingImports += r.imports
  }
  const seededMed = median(seeded)
  const importingMed = median(importing)
  const targets: Target[] = [
    {
      name: `Lease of a seeded member vs a lease that imports (import ${importMs / 1000} s)`,
      target: 'seeded lease ≤ 3 s, no import request',
      measured: `${sec(seededMed)} vs ${sec(importingMed)}; ${seededImports} import requests in ${runs + 1} seeded leases`,
      met: seededMed <= 3000 && seededImports === 0,
      why: 'the free record says the package was imported since the last reset (`seeded=`), so the lease claims, checks the roles and hands the sandbox on; the import is paid by the releasing job (reseed-on-release) or by maintain'
    }
  ]
  return {
    title: 'Warm pools',
    intro: [
      `A pool of one member, active and free. Seeded: its free record says package \`${PKG}\` was imported since its last reset; not seeded: it is clean, and the lease imports the package, whose job the emulator runs for ${importMs / 1000} s. Each lease is the bundled action as a fresh process, timed from spawn to exit (its outputs are written just before); the median of ${runs} seeded runs after one uncounted run, and of ${importing.length} importing runs.`
    ],
    tables: [
      {
        title: 'Time from step start to outputs',
        headers: ['lease', 'median', 'runs', 'import requests'],
        rows: [
          ['of a seeded member', ms(seededMed), String(seeded.length), String(seededImports)],
          [`of a clean member (imports, ${importMs / 1000} s)`, ms(importingMed), String(importing.length), String(importingImports)]
        ]
      }
    ],
    targets
  }
}
