// `npm run demo`: starts the built-in emulator, runs the committed dist/ bundle's main step
// and then its post step exactly as the GitHub runner would, and prints what a workflow log
// would show. No account, no network: everything talks to 127.0.0.1.
import { isLive, startEmulator, type Emulator } from '../emulator/index'
import { adobeInputs, credentialRole, trackstarInputs } from './emulator-inputs'
import { readSchemas } from './later-step'
import { maskedOutputs, renderLog, runJob, runStep, type StepRun } from './local-runner'

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

/**
 * A job whose later step reads from the new sandbox through another Platform API: the main
 * step, that read (with the token and sandbox name from the outputs), then the post step.
 */
async function jobWithLaterStep(emu: Emulator, title: string, inputs: Record<string, string>, expectStatus: number): Promise<boolean> {
  console.log(`\n${bold(`━━ ${title} ━━`)}`)
  console.log('  with:')
  for (const [k, v] of Object.entries(inputs)) console.log(`    ${k}: ${/secret|api-key/.test(k) ? '${{ secrets.… }}' : v}`)
  const from = emu.requests.length
  const main = await runStep({ inputs, timeoutMs: 120_000 })
  show('Main step', main, main.masks)
  const name = main.outputs.sandbox_name
  const read = await readSchemas(emu, main.outputs.access_token, name)
  console.log(`\n  ${bold('Later step')}: GET /data/foundation/schemaregistry/tenant/schemas (x-sandbox-name: ${name})`)
  console.log(`    → ${read.status} ${read.status === 200 ? `schemas: ${read.titles.length ? read.titles.join(', ') : 'none'}` : (read.error ?? '')}`)
  const post = await runStep({ inputs, state: main.state, timeoutMs: 120_000 })
  show('Post step', post, [...main.masks, ...post.masks])
  requests(emu, from)
  return main.exitCode === 0 && post.exitCode === 0 && read.status === expectStatus
}

async function main(): Promise<void> {
  const provisionMs = Number(process.env.DEMO_PROVISION_MS ?? 4000)
  const emu = await startEmulator({ adobe: { createMs: provisionMs, resetMs: provisionMs, deleteMs: 1000 }, platform: { tooling: { pendingMs: 1000, runMs: 2000 } } })
  console.log(`Emulator listening on ${emu.url} (Trackstar, Adobe IMS, the Sandbox API, access-control roles and sandbox tooling)`)
  // An access-control role the credential holds, and a published package with one schema.
  emu.platform.roles.seed(credentialRole('ci-testers'))
  emu.platform.tooling.seed({ id: 'ci-seed', name: 'CI seed', artifactsList: [{ id: 'orders', type: 'REGISTRY_SCHEMA', title: 'Orders' }] })
  let ok = true
  try {
    ok &&= await job(emu, 'Trackstar: generate a wms sandbox, verify it, reset it when the job ends', trackstarInputs(emu))
    ok &&= await job(
      emu,
      `Adobe: create a sandbox for PR #7, wait until active (emulator provisions in ${provisionMs / 1000} s), delete it when the job ends`,
      adobeInputs(emu),
      { name: 'pull_request', payload: { number: 7, pull_request: { number: 7 } } }
    )
    ok &&= await jobWithLaterStep(emu, 'Adobe: a new sandbox without adobe-role-id: a later step cannot read it (403)', adobeInputs(emu, { 'sandbox-name': 'demo-no-grant' }), 403)
    ok &&= await jobWithLaterStep(
      emu,
      'Adobe: the same with adobe-role-id and adobe-package-id: the later step reads the imported schema; cleanup revokes, then deletes',
      adobeInputs(emu, { 'sandbox-name': 'demo-granted', 'adobe-role-id': 'ci-testers', 'adobe-package-id': 'ci-seed' }),
      200
    )
    // A sandbox on its way out (deleting, cleaning, de-provisioning) is not left behind.
    const left = emu.adobe.sandboxes().filter(s => !s.isDefault && isLive(s))
    console.log(`\nSandboxes left behind: ${left.length ? left.map(s => s.name).join(', ') : 'none'}`)
    if (left.length) ok = false
  } finally {
    await emu.close()
  }
  if (!ok) {
    console.error('\nThe demo did not end as expected (see the log above). Run `npm run build` if dist/ is missing.')
    process.exitCode = 1
  }
}

await main()
