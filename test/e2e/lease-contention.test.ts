// Contention: 20 jobs (each the bundled main step, a use of the sandbox, the post step, as
// separate processes like the runner's) lease from a pool of 3 at once, with random latency
// on every request. Who held what, when, is read from the emulator's own history of title
// and state changes, not from the action's logs: no two jobs may hold a sandbox at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADOBE_BASE, startEmulator, type Emulator, type HistoryEntry } from '../../emulator/index'
import { runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs } from '../../scripts/emulator-inputs'
import { seedReady } from '../harness/lease'

const JOBS = 20
const POOL = ['ci-pool-1', 'ci-pool-2', 'ci-pool-3']
const TIMEOUT_S = 120
const SETTLE_MS = '800'

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator({ latencyJitterMs: 120, adobe: { createMs: 400, resetMs: 400, deleteMs: 200 } })
})
afterAll(async () => emu?.close())

interface Job {
  runId: string
  main: StepRun
  post: StepRun
  /** emulator time of the job's own use of the sandbox (a lookup with its token) */
  usedAt: number
  wallMs: number
}

async function job(i: number): Promise<Job> {
  const runId = String(8000 + i)
  const env = { EPHEMERAL_SANDBOX_LEASE_SETTLE_MS: SETTLE_MS, GITHUB_RUN_ID: runId, GITHUB_JOB: `job-${i}` }
  const inputs = adobeInputs(emu, { operation: 'lease', pool: 'ci-pool-*', timeout: String(TIMEOUT_S) })
  const started = Date.now()
  const main = await runStep({ inputs, env, timeoutMs: TIMEOUT_S * 1000 })
  // The job's work: one request for its sandbox with its token, at the emulator's time of it.
  let usedAt = -1
  if (main.exitCode === 0) {
    const res = await fetch(`${emu.url}${ADOBE_BASE}/sandboxes/${main.outputs.sandbox_name}`, {
      headers: { authorization: `Bearer ${main.outputs.access_token}`, 'x-api-key': inputs['adobe-client-id'], 'x-gw-ims-org-id': inputs['adobe-org-id'], 'x-sandbox-name': main.outputs.sandbox_name }
    })
    expect(res.status).toBe(200)
    usedAt = emu.requests.filter(r => r.headers.authorization === `Bearer ${main.outputs.access_token}`).at(-1)?.time ?? -1
    await new Promise(r => setTimeout(r, 200 + Math.random() * 300))
  }
  const post = await runStep({ inputs, env, state: main.state, timeoutMs: TIMEOUT_S * 1000 })
  return { runId, main, post, usedAt, wallMs: Date.now() - started }
}

/**
 * The tenure of each job on its sandbox, from the emulator's title history: the unbroken run of
 * titles with its nonce that holds its confirmed record (a job keeps one nonce for the step, so
 * an earlier claim it lost may carry it too), up to the title that replaced them, which must be
 * its own free record.
 */
function tenure(h: HistoryEntry[], j: Job): { name: string; from: number; to: number; fromSeq: number; toSeq: number } {
  const name = j.main.outputs.sandbox_name
  const nonce = /nonce=([0-9a-f]{16})/.exec(j.main.outputs.sandbox_title)?.[1]
  const mine = h.filter(e => e.name === name && e.field === 'title')
  const confirmed = mine.findIndex(e => e.value === j.main.outputs.sandbox_title)
  let first = confirmed
  while (first > 0 && mine[first - 1].value.includes(`nonce=${nonce}`)) first--
  const next = mine.findIndex((e, i) => i > confirmed && !e.value.includes(`nonce=${nonce}`))
  const released = mine[next]
  if (confirmed < 0 || !released) throw new Error(`job ${j.runId}: no confirmed record or nothing after it on ${name} in the emulator's history`)
  if (!(released.value.startsWith('lease v1 free') && released.value.includes(`run=${j.runId}.1 `))) {
    throw new Error(`job ${j.runId}: its tenure on ${name} was ended by "${released.value}", not by its own release`)
  }
  return { name, from: mine[first].time, to: released.time, fromSeq: mine[first].seq, toSeq: released.seq }
}

describe('lease contention', () => {
  it(`${JOBS} concurrent jobs, a pool of ${POOL.length}, random latency: never two holders at once, every job done within its timeout`, async () => {
    for (const name of POOL) seedReady(emu, name)
    emu.clearLog()
    const t0 = Date.now()
    const jobs = await Promise.all(Array.from({ length: JOBS }, (_, i) => job(i)))
    const wallMs = Date.now() - t0

    for (const j of jobs) {
      expect(j.main.exitCode, j.main.stdout).toBe(0)
      expect(j.post.exitCode, j.post.stdout).toBe(0)
      expect(j.post.stdout).toContain(`Released sandbox "${j.main.outputs.sandbox_name}"`)
    }

    const history = emu.adobe.leaseHistory()
    const tenures = jobs.map(j => ({ job: j, ...tenure(history, j) }))
    for (const name of POOL) {
      const titles = history.filter(e => e.name === name && e.field === 'title')
      const held = tenures.filter(t => t.name === name).sort((a, b) => a.fromSeq - b.fromSeq)
      for (let k = 0; k < held.length; k++) {
        const t = held[k]
        const nonce = /nonce=([0-9a-f]{16})/.exec(t.job.main.outputs.sandbox_title)?.[1]
        // During a tenure the title carries only the holder's record: no one else claimed.
        const during = titles.filter(e => e.seq > t.fromSeq && e.seq < t.toSeq)
        expect(during.every(e => e.value.includes(`nonce=${nonce}`)), `${name}: another claim during ${t.job.runId}'s tenure`).toBe(true)
        // Tenures on one sandbox follow one another.
        if (k > 0) expect(t.from, `${name}: ${held[k - 1].job.runId} and ${t.job.runId} overlap`).toBeGreaterThanOrEqual(held[k - 1].to)
        // The job used the sandbox inside its tenure.
        expect(t.job.usedAt).toBeGreaterThanOrEqual(t.from)
        expect(t.job.usedAt).toBeLessThanOrEqual(t.to)
      }
      // Every reset of a pool sandbox started inside the tenure of the job that released it.
      for (const r of history.filter(e => e.name === name && e.field === 'state' && e.value === 'resetting' && e.time >= t0)) {
        expect(held.some(t => r.time >= t.from && r.time <= t.to), `${name}: reset at ${r.time} outside any tenure`).toBe(true)
      }
    }

    const lost = jobs.reduce((n, j) => n + (j.main.stdout.match(/Lost the claim/g)?.length ?? 0), 0)
    const untrusted = jobs.reduce((n, j) => n + (j.main.stdout.match(/not trusted|too late to confirm/g)?.length ?? 0), 0)
    const requests = emu.requests.filter(r => r.path.startsWith(ADOBE_BASE) || r.path.startsWith('/ims')).length
    console.log(
      `lease contention: ${JOBS} jobs, pool ${POOL.length}: wall ${(wallMs / 1000).toFixed(1)} s, slowest job ${(Math.max(...jobs.map(j => j.wallMs)) / 1000).toFixed(1)} s, ` +
        `lost claims ${lost}, untrusted claims ${untrusted}, requests ${requests} (${(requests / JOBS).toFixed(1)} per job), ` +
        `jobs per sandbox ${POOL.map(n => tenures.filter(t => t.name === n).length).join('/')}`
    )
  }, 180_000)
})
