// Step overhead: wall time of the bundled main and post steps (each a fresh process, as on
// the runner) against a plain Node script that makes the same HTTP calls with fetch.
import { startEmulator, type Emulator } from '../emulator/index'
import { runStep, type StepRun } from '../scripts/local-runner'
import { adobeInputs, baselineEnv, callShape, runScript, trackstarInputs } from './harness'
import { median, ms, ratio, type BenchOptions, type SectionResult, type Table, type Target } from './stats'

const RATIO_TARGET = 1.5
const TITLE = 'Benchmark sandbox'
const SCOPES = 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext'

// The calls of each step, as plain fetch; STEP=main or post, NAME the Adobe sandbox. Like
// the action (src/index.ts), the script exits explicitly when done: left alone, Node 20
// lingers ~70 ms after the last fetch before exiting.
const PRELUDE = `
const url = process.env.EMU_URL
async function call(method, path, headers, body) {
  const res = await fetch(url + path, { method, headers: { Accept: 'application/json', 'User-Agent': 'ephemeral-sandbox-action', ...headers }, body })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}
function expect(what, res, status) {
  if (res.status !== status) throw new Error(what + ': HTTP ' + res.status + ' ' + JSON.stringify(res.body))
  return res
}
`

const TRACKSTAR_SCRIPT = `${PRELUDE}
const key = process.env.TRACKSTAR_API_KEY
const gen = expect('generate', await call('POST', '/sandbox/generate-sandbox/wms', { 'x-trackstar-api-key': key }), 200)
if (process.env.STEP === 'main') {
  expect('verify', await call('GET', '/wms/inventory?limit=1', { 'x-trackstar-api-key': key, 'x-trackstar-access-token': gen.body.access_token }), 200)
}
process.exit(0)
`

const ADOBE_SCRIPT = `${PRELUDE}
const clientId = process.env.ADOBE_CLIENT_ID
const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: process.env.ADOBE_CLIENT_SECRET, scope: ${JSON.stringify(SCOPES)} })
const token = expect('token', await call('POST', '/ims/token/v3', { 'Content-Type': 'application/x-www-form-urlencoded' }, form.toString()), 200).body.access_token
const name = process.env.NAME
const base = '/data/foundation/sandbox-management/sandboxes'
const item = base + '/' + encodeURIComponent(name)
const h = sandbox => ({ Authorization: 'Bearer ' + token, 'x-api-key': clientId, 'x-gw-ims-org-id': process.env.ADOBE_ORG_ID, ...(sandbox ? { 'x-sandbox-name': sandbox } : {}) })
if (process.env.STEP === 'main') {
  expect('lookup', await call('GET', item, h(name)), 404)
  const created = expect('create', await call('POST', base, { ...h(), 'Content-Type': 'application/json' }, JSON.stringify({ name, title: ${JSON.stringify(TITLE)}, type: 'development' })), 202)
  // Like the action: look it up only when the 202 does not already say active.
  if (created.body.state !== 'active') {
    const s = expect('lookup', await call('GET', item, h(name)), 200)
    if (s.body.state !== 'active') throw new Error('not active: ' + s.body.state)
  }
} else {
  expect('lookup', await call('GET', item, h(name)), 200)
  expect('delete', await call('DELETE', item, h(name)), 202)
}
process.exit(0)
`

interface Scenario {
  key: 'trackstar' | 'adobe'
  label: string
  postLabel: string
  script: string
  inputs(emu: Emulator, i: number): Record<string, string>
  name(i: number): string
}

const SCENARIOS: Scenario[] = [
  {
    key: 'trackstar',
    label: 'Trackstar generate + verify',
    postLabel: 'reset (generate again)',
    script: TRACKSTAR_SCRIPT,
    inputs: emu => trackstarInputs(emu),
    name: () => ''
  },
  {
    key: 'adobe',
    label: 'Adobe create (createMs 0)',
    postLabel: 'delete',
    script: ADOBE_SCRIPT,
    inputs: (emu, i) => adobeInputs(emu, { 'sandbox-name': `gh-bench-ovh-${i}`, 'sandbox-title': TITLE }),
    name: i => `gh-bench-ovb-${i}`
  }
]

interface Samples {
  main: number[]
  post: number[]
  baseMain: number[]
  basePost: number[]
  /** the calls of one action step and of its baseline, to show they are the same */
  shapes?: { main: string[]; post: string[]; baseMain: string[]; basePost: string[] }
}

function check(run: StepRun, what: string): StepRun {
  if (run.exitCode !== 0 || run.stdout.includes('::warning')) throw new Error(`${what} did not succeed cleanly\n${run.stdout}\n${run.stderr}`)
  return run
}

async function measure(emu: Emulator, sc: Scenario, runs: number, o: BenchOptions): Promise<Samples> {
  const s: Samples = { main: [], post: [], baseMain: [], basePost: [] }
  const env = baselineEnv(emu)
  const since = (from: number): string[] => callShape(emu.requests.slice(from))
  // Run 0 warms the file cache and is not counted; its calls are compared.
  for (let i = 0; i <= runs; i++) {
    o.log(`overhead: ${sc.key} run ${i}/${runs}${i === 0 ? ' (warm-up)' : ''}`)
    const inputs = sc.inputs(emu, i)
    let from = emu.requests.length
    const main = check(await runStep({ inputs, timeoutMs: 60_000 }), `${sc.key} main step`)
    const mainCalls = since(from)
    from = emu.requests.length
    // The post step as the runner runs it: same inputs, the main step's saved state.
    const post = check(await runStep({ inputs, state: main.state, timeoutMs: 60_000 }), `${sc.key} post step`)
    const postCalls = since(from)
    from = emu.requests.length
    const bm = await runScript(sc.script, { ...env, STEP: 'main', NAME: sc.name(i) })
    const baseMainCalls = since(from)
    from = emu.requests.length
    const bp = await runScript(sc.script, { ...env, STEP: 'post', NAME: sc.name(i) })
    const basePostCalls = since(from)
    if (i === 0) {
      s.shapes = { main: mainCalls, post: postCalls, baseMain: baseMainCalls, basePost: basePostCalls }
      continue
    }
    s.main.push(main.wallMs)
    s.post.push(post.wallMs)
    s.baseMain.push(bm.wallMs)
    s.basePost.push(bp.wallMs)
  }
  return s
}

export async function overhead(o: BenchOptions): Promise<SectionResult> {
  const runs = o.short ? 2 : 15
  const emu = await startEmulator({ adobe: { createMs: 0, resetMs: 0, deleteMs: 0, licenseLimit: 10_000 } })
  const results: { sc: Scenario; s: Samples }[] = []
  try {
    for (const sc of SCENARIOS) results.push({ sc, s: await measure(emu, sc, runs, o) })
  } finally {
    await emu.close()
  }
  const rows: string[][] = []
  const targets: Target[] = []
  const notes: string[] = []
  for (const { sc, s } of results) {
    const steps = [
      { step: `main: ${sc.label}`, action: median(s.main), base: median(s.baseMain), calls: s.shapes?.main ?? [], baseCalls: s.shapes?.baseMain ?? [] },
      { step: `post: ${sc.postLabel}`, action: median(s.post), base: median(s.basePost), calls: s.shapes?.post ?? [], baseCalls: s.shapes?.basePost ?? [] }
    ]
    for (const st of steps) {
      const r = st.action / st.base
      const same = st.calls.join('\n') === st.baseCalls.join('\n')
      if (!same) notes.push(`${sc.key} ${st.step}: the action made ${st.calls.join(', ')}; the baseline ${st.baseCalls.join(', ')}.`)
      rows.push([st.step, ms(st.action), ms(st.base), ratio(r), `${st.calls.length}${same ? ' (same as baseline)' : ' (differ: see notes)'}`])
      targets.push({
        name: `Step overhead, ${sc.key} ${st.step}`,
        target: `ratio ≤ ${RATIO_TARGET}`,
        measured: `${ms(st.action)} vs ${ms(st.base)}: ${ratio(r)}`,
        met: r <= RATIO_TARGET,
        why: r <= RATIO_TARGET ? 'process start-up and the same HTTP calls dominate; the action adds little on top' : 'see the notes below'
      })
    }
  }
  const table: Table = {
    title: `Median wall time of ${runs} runs (each step a fresh process)`,
    headers: ['step', 'action (dist/index.js)', 'plain Node + fetch', 'ratio', 'HTTP calls'],
    rows
  }
  return {
    title: 'Step overhead',
    intro: [
      'Each step is a fresh `node dist/index.js` process run by `scripts/local-runner.ts` (inputs as `INPUT_*`, real `GITHUB_OUTPUT`/`GITHUB_STATE` files, the post step fed the main step\'s state), timed from spawn to exit. ' +
        'The baseline is a plain `.mjs` script, written to a temp file and run as a fresh `node` process, that makes the same HTTP calls with `fetch` (same endpoints, headers and bodies) and nothing else. The emulator answers at once (no latency; Adobe `createMs` 0).',
      'Trackstar main: `POST /sandbox/generate-sandbox/wms`, `GET /wms/inventory?limit=1`; post (reset): the generate again. Adobe main: IMS token, `GET` the name (404), `POST /sandboxes` (202, already `active` with `createMs` 0, so neither the action nor the baseline looks it up again); post (delete): IMS token, `GET`, `DELETE`.'
    ],
    tables: [table],
    targets,
    notes
  }
}
