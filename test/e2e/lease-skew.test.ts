// Runner clocks that disagree: jobs whose step processes run with their clocks shifted by
// ±30-90 s (a preload in the test harness, test/harness/skew-clock.mjs) lease from a small
// pool at once, with lease-ttl shorter than the skew. Expiries are judged in the Sandbox
// API's time, so no job takes over a live lease; the emulator's history of titles is the
// ground truth: no two jobs ever hold one sandbox at once.
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { ADOBE_BASE, type HistoryEntry } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { runStep, ROOT, type StepRun } from '../../scripts/local-runner'
import { adobeInputs } from '../../scripts/emulator-inputs'
import { LEASE_ENV, nonceOf, seedReady } from '../harness/lease'

const { emu, it } = emulatorPerTest({ latencyJitterMs: 40, adobe: { createMs: 300, resetMs: 300, deleteMs: 300 } })

const PRELOAD = pathToFileURL(join(ROOT, 'test/harness/skew-clock.mjs')).href
const SKEWS = [90_000, -90_000, 45_000, -30_000]

interface Job {
  runId: string
  skew: number
  main: StepRun
  post: StepRun
  /** emulator time of the job's own use of its sandbox */
  usedAt: number
}

async function job(i: number, skew: number): Promise<Job> {
  const runId = String(9100 + i)
  const env = { ...LEASE_ENV, GITHUB_RUN_ID: runId, GITHUB_JOB: 'skewed', NODE_OPTIONS: `--import ${PRELOAD}`, TEST_CLOCK_SKEW_MS: String(skew) }
  const inputs = adobeInputs(emu, { operation: 'lease', pool: 'ci-pool-*', 'lease-ttl': '1m' })
  const main = await runStep({ inputs, env, timeoutMs: 120_000 })
  let usedAt = -1
  if (main.exitCode === 0) {
    const name = main.outputs.sandbox_name
    const res = await fetch(`${emu.url}${ADOBE_BASE}/sandboxes/${name}`, {
      headers: { authorization: `Bearer ${main.outputs.access_token}`, 'x-api-key': inputs['adobe-client-id'], 'x-gw-ims-org-id': inputs['adobe-org-id'], 'x-sandbox-name': name }
    })
    expect(res.status).toBe(200)
    usedAt = emu.requests.filter(r => r.headers.authorization === `Bearer ${main.outputs.access_token}` && r.path.endsWith(`/sandboxes/${name}`)).at(-1)?.time ?? -1
    // the job's work, longer than a claim
    await new Promise(r => setTimeout(r, 1500))
  }
  const post = await runStep({ inputs, env, state: main.state, timeoutMs: 120_000 })
  return { runId, skew, main, post, usedAt }
}

/** From the job's first title carrying its nonce to its free record, in the emulator's history. */
function tenure(h: HistoryEntry[], j: Job): { name: string; fromSeq: number; toSeq: number; from: number; to: number } {
  const name = j.main.outputs.sandbox_name
  const nonce = nonceOf(j.main.outputs.sandbox_title)
  const titles = h.filter(e => e.name === name && e.field === 'title')
  const confirmed = titles.findIndex(e => e.value === j.main.outputs.sandbox_title)
  let first = confirmed
  while (first > 0 && nonceOf(titles[first - 1].value) === nonce) first--
  const free = titles.findIndex((e, i) => i > confirmed && nonceOf(e.value) !== nonce)
  if (confirmed < 0 || free < 0) throw new Error(`job ${j.runId}: no confirmed record or nothing after it on ${name}`)
  expect(titles[free].value, `job ${j.runId}: its tenure ends with its own free record`).toMatch(new RegExp(`^lease v1 free reset=\\S+Z last=acme/Shop_API run=${j.runId}\\.1 job=skewed$`))
  return { name, fromSeq: titles[first].seq, toSeq: titles[free].seq, from: titles[first].time, to: titles[free].time }
}

describe('lease with runner clocks that disagree', () => {
  it.each(SKEWS)('the preload shifts a step process clock by %s ms', async skew => {
    const { spawnSync } = await import('node:child_process')
    const before = Date.now()
    const out = spawnSync(process.execPath, ['--import', PRELOAD, '-e', 'console.log(Date.now(), new Date().getTime())'], { env: { ...process.env, TEST_CLOCK_SKEW_MS: String(skew) }, encoding: 'utf8' })
    const after = Date.now()
    for (const t of out.stdout.trim().split(' ').map(Number)) {
      expect(t).toBeGreaterThanOrEqual(before + skew)
      expect(t).toBeLessThanOrEqual(after + skew)
    }
  })

  it(`${SKEWS.length} jobs with clocks off by ${SKEWS.map(s => `${s > 0 ? '+' : ''}${s / 1000} s`).join(', ')} on a pool of two: never two holders at once`, async () => {
    seedReady(emu, 'ci-pool-1')
    seedReady(emu, 'ci-pool-2')
    const jobs = await Promise.all(SKEWS.map((skew, i) => job(i, skew)))
    for (const j of jobs) {
      expect(j.main.exitCode, j.main.stdout).toBe(0)
      expect(j.post.exitCode, j.post.stdout).toBe(0)
      expect(j.post.stdout).toContain(`Released sandbox "${j.main.outputs.sandbox_name}"`)
    }
    const h = emu.adobe.leaseHistory()
    const tenures = jobs.map(j => ({ job: j, ...tenure(h, j) }))
    for (const t of tenures) {
      expect(t.job.usedAt).toBeGreaterThanOrEqual(t.from)
      expect(t.job.usedAt).toBeLessThanOrEqual(t.to)
      // the lease record's expiry is about lease-ttl after the claim in the server's time, whatever the runner's clock said
      const until = Date.parse(t.job.main.outputs.lease_expires_at)
      // (a runner that wrote its own clock's time would be 30-90 s off either way)
      expect(until - t.from).toBeGreaterThanOrEqual(59_000)
      expect(until - t.to).toBeLessThanOrEqual(70_000)
      for (const u of tenures) {
        if (u === t || u.name !== t.name) continue
        expect(t.toSeq <= u.fromSeq || u.toSeq <= t.fromSeq, `${t.job.runId} and ${u.job.runId} overlap on ${t.name}`).toBe(true)
      }
    }
  }, 240_000)
})
