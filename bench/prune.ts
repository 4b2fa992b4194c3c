// Prune throughput: the bundled prune step against a baseline that lists the same way and
// deletes one sandbox at a time, with latency and a rate limit on the emulator.
import { ADOBE_BASE, isLive, startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index'
import { runStep } from '../scripts/local-runner'
import { adobeInputs } from '../scripts/emulator-inputs'
import { baselineEnv, runScript } from './harness'
import { median, ratio, sec, type BenchOptions, type SectionResult } from './stats'

const DAY_S = 86_400
const PREFIX = 'gh-bench-'
const LATENCY_MS = 20
/** Adobe does not publish this API's limit: an assumed stand-in, stated in the report. */
const RATE_LIMIT = { requests: 250, windowMs: 1000 }
const SPEEDUP_TARGET = 3.5

const emulatorOptions: EmulatorOptions = {
  latencyMs: LATENCY_MS,
  adobe: { rateLimit: RATE_LIMIT, licenseLimit: 100_000, deleteMs: 1000 }
}

// Same list as the action (pages of 100, next offset computed here), same filter, then one
// DELETE at a time.
const BASELINE = `
const url = process.env.EMU_URL
const clientId = process.env.ADOBE_CLIENT_ID
const prefix = process.env.PREFIX
const olderThanMs = 24 * 3600 * 1000
async function call(method, path, headers, body) {
  const res = await fetch(url + path, { method, headers: { Accept: 'application/json', 'User-Agent': 'ephemeral-sandbox-action', ...headers }, body })
  const text = await res.text()
  if (res.status >= 300) throw new Error(method + ' ' + path + ': HTTP ' + res.status + ' ' + text)
  return text ? JSON.parse(text) : undefined
}
const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: process.env.ADOBE_CLIENT_SECRET, scope: 'openid,session,AdobeID,read_organizations,additional_info.projectedProductContext' })
const { access_token: token } = await call('POST', '/ims/token/v3', { 'Content-Type': 'application/x-www-form-urlencoded' }, form.toString())
const h = sandbox => ({ Authorization: 'Bearer ' + token, 'x-api-key': clientId, 'x-gw-ims-org-id': process.env.ADOBE_ORG_ID, ...(sandbox ? { 'x-sandbox-name': sandbox } : {}) })
const base = ${JSON.stringify(`${ADOBE_BASE}/sandboxes`)}
const all = []
// The page size is the one the server says it used; every call names a sandbox (x-sandbox-name).
for (let offset = 0, page = 0; page < 1000; page++) {
  const body = await call('GET', base + '?limit=100&offset=' + offset, h('prod'))
  all.push(...body.sandboxes)
  offset += body._page.limit
  if (body._page.count < body._page.limit || body.sandboxes.length === 0) break
}
const now = Date.now()
const age = s => now - Date.parse((s.lastModifiedDate || s.createdDate).replace(' ', 'T') + 'Z')
const stale = all.filter(s => !s.isDefault && s.type === 'development' && !['deleted', 'deleting', 'cleaning', 'de-provisioning'].includes(s.state) && s.name.startsWith(prefix) && age(s) > olderThanMs)
for (const s of stale) await call('DELETE', base + '/' + encodeURIComponent(s.name), h(s.name))
console.log(stale.length)
`

interface PruneRun {
  ms: number
  deleted: number
  maxInFlight: number
  maxDeletesInFlight: number
  throttled: number
  requests: number
}

async function withSeeded<T>(count: number, f: (emu: Emulator) => Promise<T>): Promise<T> {
  const emu = await startEmulator(emulatorOptions)
  try {
    for (let i = 0; i < count; i++) emu.adobe.seed({ name: `${PREFIX}${String(i).padStart(4, '0')}`, type: 'development', state: 'active', ageSeconds: 3 * DAY_S + i })
    emu.stats.resetMax()
    emu.clearLog()
    return await f(emu)
  } finally {
    await emu.close()
  }
}

function observe(emu: Emulator, ms: number, deleted: number, count: number, who: string): PruneRun {
  const live = emu.adobe.sandboxes().filter(s => s.name.startsWith(PREFIX) && isLive(s))
  if (deleted !== count || live.length !== 0) throw new Error(`${who}: deleted ${deleted} of ${count}; ${live.length} left`)
  return {
    ms,
    deleted,
    maxInFlight: emu.stats.maxInFlight,
    maxDeletesInFlight: emu.stats.maxInFlightByRoute['DELETE /sandboxes/{name}'] ?? 0,
    throttled: emu.requests.filter(r => r.status === 429).length,
    requests: emu.requests.length
  }
}

const actionRun = (count: number): Promise<PruneRun> =>
  withSeeded(count, async emu => {
    const run = await runStep({
      inputs: adobeInputs(emu, { operation: 'prune', 'prune-prefix': PREFIX, 'prune-older-than': '24h' }),
      timeoutMs: 300_000
    })
    if (run.exitCode !== 0) throw new Error(`prune step failed\n${run.stdout}\n${run.stderr}`)
    return observe(emu, run.wallMs, (JSON.parse(run.outputs.pruned) as string[]).length, count, 'action')
  })

const baselineRun = (count: number): Promise<PruneRun> =>
  withSeeded(count, async emu => {
    const run = await runScript(BASELINE, { ...baselineEnv(emu), PREFIX }, 300_000)
    return observe(emu, run.wallMs, Number(run.stdout.trim()), count, 'baseline')
  })

export async function prune(o: BenchOptions): Promise<SectionResult> {
  const count = o.short ? 40 : 500
  const runs = o.short ? 1 : 3
  const action: PruneRun[] = []
  const base: PruneRun[] = []
  for (let i = 0; i < runs; i++) {
    o.log(`prune: ${count} sandboxes, action run ${i + 1}/${runs}`)
    action.push(await actionRun(count))
    o.log(`prune: ${count} sandboxes, baseline run ${i + 1}/${runs}`)
    base.push(await baselineRun(count))
  }
  const a = median(action.map(r => r.ms))
  const b = median(base.map(r => r.ms))
  const speedup = b / a
  const throttled = action.reduce((n, r) => n + r.throttled, 0)
  const maxInFlight = Math.max(...action.map(r => r.maxInFlight))
  const met = speedup >= SPEEDUP_TARGET && throttled === 0
  const row = (label: string, runsOf: PruneRun[], t: number): string[] => [
    label,
    sec(t),
    runsOf.map(r => sec(r.ms)).join(', '),
    String(Math.max(...runsOf.map(r => r.maxInFlight))),
    String(Math.max(...runsOf.map(r => r.maxDeletesInFlight))),
    String(runsOf.reduce((n, r) => n + r.throttled, 0)),
    String(runsOf[0].requests)
  ]
  return {
    title: 'Prune throughput',
    intro: [
      `${count} stale development sandboxes (\`${PREFIX}0000\` …, last modified 3 days ago) are seeded in a fresh emulator with ${LATENCY_MS} ms latency on every request and a rate limit of ${RATE_LIMIT.requests} Sandbox API requests per ${RATE_LIMIT.windowMs} ms (sliding window, 429 with \`Retry-After\`). ` +
        '**Adobe does not publish the Sandbox API\'s rate limit: this one is an assumption**, a stand-in of the usual order for Experience Platform APIs.',
      `The action is the bundled step with \`operation: prune\`, \`prune-prefix: ${PREFIX}\`, \`prune-older-than: 24h\`. The baseline is a plain Node script (a fresh process) that mints a token, lists the same way (pages of 100), applies the same filter and deletes the sandboxes one at a time with \`fetch\`. Both are timed from spawn to exit; ${runs} run(s) each, each in a fresh emulator; the speed-up compares medians.`
    ],
    tables: [
      {
        title: `${count} sandboxes`,
        headers: ['who', 'median', 'runs', 'max in flight', 'max DELETEs in flight', '429 answers', 'requests'],
        rows: [row('action (prune step)', action, a), row('baseline (sequential)', base, b)]
      },
      {
        title: 'Speed-up',
        headers: ['baseline / action', 'target'],
        rows: [[ratio(speedup), `≥ ${ratio(SPEEDUP_TARGET)}, zero 429s`]]
      }
    ],
    notes: [
      `The action averaged ${Math.round(action[0].requests / (a / 1000))} requests/s. With ${maxInFlight} requests in flight and at least ${LATENCY_MS} ms per request it cannot exceed ${Math.round(maxInFlight / (LATENCY_MS / 1000))} requests/s, ${maxInFlight / (LATENCY_MS / 1000) <= RATE_LIMIT.requests / (RATE_LIMIT.windowMs / 1000) ? 'which is within' : 'which is above'} the assumed ${RATE_LIMIT.requests} per ${RATE_LIMIT.windowMs} ms: the zero 429s follow from the concurrency bound and the latency together. Against a stricter real limit the action would get 429s and wait as \`Retry-After\` says.`
    ],
    targets: [
      {
        name: `Prune throughput, ${count} sandboxes`,
        target: `≥ ${SPEEDUP_TARGET}× faster than sequential, zero 429s`,
        measured: `${ratio(speedup)} (${sec(a)} vs ${sec(b)}), ${throttled} × 429, max ${maxInFlight} in flight`,
        met,
        why: met
          ? 'deletions run with a bounded number in flight, which stays under the rate limit'
          : throttled > 0
            ? 'the action sent more requests per second than the rate limit allows'
            : 'the number of deletions in flight is too low to reach the speed-up'
      }
    ]
  }
}
