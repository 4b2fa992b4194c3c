// `npm run demo`: starts the built-in emulator, runs the committed dist/ bundle's main step
// and then its post step exactly as the GitHub runner would, and prints what a workflow log
// would show. No account, no network: everything talks to 127.0.0.1.
import { startEmulator, type Emulator } from '../emulator/index'
import { adobeInputs, trackstarInputs } from './emulator-inputs'
import { maskedOutputs, renderLog, runJob, type StepRun } from './local-runner'

const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s)

function show(title: string, run: StepRun, masks: string[]): void {
  console.log(`\n${bold(`▶ ${title}`)}  (exit code ${run.exitCode}, ${run.wallMs} ms)`)
  for (const line of renderLog(run, masks)) console.log(`  ${line}`)
}

function requests(emu: Emulator, from: number): void {
  console.log(`\n  ${bold('What the emulator saw')}`)
  for (const r of emu.requests.slice(from)) console.log(`    ${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : ''} → ${r.status}`)
}

async function job(emu: Emulator, title: string, inputs: Record<string, string>, event?: { name: string; payload: Record<string, unknown> }): Promise<boolean> {
  console.log(`\n${bold(`━━ ${title} ━━`)}`)
  console.log('  with:')
  for (const [k, v] of Object.entries(inputs)) console.log(`    ${k}: ${/secret|api-key/.test(k) ? '${{ secrets.… }}' : v}`)
  const from = emu.requests.length
  const { main, post } = await runJob({ inputs, event, timeoutMs: 120_000 })
  const masks = [...main.masks, ...post.masks]
  show('Main step', main, masks)
  console.log(`\n  ${bold('Outputs')} (as a later step's log would show them)`)
  for (const [k, v] of Object.entries(maskedOutputs(main))) console.log(`    ${k} = ${v}`)
  show('Post step (runs when the job ends, also after a failure or a cancel)', post, masks)
  requests(emu, from)
  return main.exitCode === 0 && post.exitCode === 0
}

async function main(): Promise<void> {
  const provisionMs = Number(process.env.DEMO_PROVISION_MS ?? 4000)
  const emu = await startEmulator({ adobe: { createMs: provisionMs, resetMs: provisionMs, deleteMs: 1000 } })
  console.log(`Emulator listening on ${emu.url} (Trackstar, Adobe IMS and the Adobe Sandbox API)`)
  let ok = true
  try {
    ok &&= await job(emu, 'Trackstar: generate a wms sandbox, verify it, reset it when the job ends', trackstarInputs(emu))
    ok &&= await job(
      emu,
      `Adobe: create a sandbox for PR #7, wait until active (emulator provisions in ${provisionMs / 1000} s), delete it when the job ends`,
      adobeInputs(emu),
      { name: 'pull_request', payload: { number: 7, pull_request: { number: 7 } } }
    )
    const left = emu.adobe.sandboxes().filter(s => !s.isDefault && s.state !== 'deleted' && s.state !== 'deleting')
    console.log(`\nSandboxes left behind: ${left.length ? left.map(s => s.name).join(', ') : 'none'}`)
  } finally {
    await emu.close()
  }
  if (!ok) {
    console.error('\nThe demo did not end as expected (see the log above). Run `npm run build` if dist/ is missing.')
    process.exitCode = 1
  }
}

await main()
