// What the benchmark sections share: the emulator's credentials as action inputs, and a
// timed fresh `node` process (for the plain-Node baselines and the cold-start probe).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  EMULATOR_ADOBE_CLIENT_ID,
  EMULATOR_ADOBE_CLIENT_SECRET,
  EMULATOR_ADOBE_ORG_ID,
  EMULATOR_TRACKSTAR_API_KEY,
  type Emulator,
  type LoggedRequest
} from '../emulator/index'
import { nodeBinary } from '../scripts/local-runner'

/** The variables a baseline script reads to reach the emulator with the demo credentials. */
export function baselineEnv(emu: Emulator): Record<string, string> {
  return {
    EMU_URL: emu.url,
    TRACKSTAR_API_KEY: EMULATOR_TRACKSTAR_API_KEY,
    ADOBE_CLIENT_ID: EMULATOR_ADOBE_CLIENT_ID,
    ADOBE_CLIENT_SECRET: EMULATOR_ADOBE_CLIENT_SECRET,
    ADOBE_ORG_ID: EMULATOR_ADOBE_ORG_ID
  }
}

export interface ProcessRun {
  exitCode: number | null
  stdout: string
  stderr: string
  /** Date.now() just before spawn and when the process closed */
  spawnedAt: number
  exitedAt: number
  wallMs: number
}

/** Runs `node file` as a fresh process with exactly `env` (plus PATH); killed after timeoutMs. */
export function runNode(file: string, env: Record<string, string>, opts: { cwd?: string; timeoutMs?: number; args?: string[] } = {}): Promise<ProcessRun> {
  const limit = opts.timeoutMs ?? 120_000
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now()
    const child = spawn(nodeBinary(), [file, ...(opts.args ?? [])], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += String(d)))
    child.stderr.on('data', d => (stderr += String(d)))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${file} did not finish within ${limit} ms\n${stdout}\n${stderr}`))
    }, limit)
    child.on('error', err => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', exitCode => {
      clearTimeout(timer)
      const exitedAt = Date.now()
      resolve({ exitCode, stdout, stderr, spawnedAt, exitedAt, wallMs: exitedAt - spawnedAt })
    })
  })
}

/** Writes `code` to a temp .mjs file, runs it as a fresh node process, removes it again. */
export async function runScript(code: string, env: Record<string, string>, timeoutMs?: number): Promise<ProcessRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-bench-'))
  const file = join(dir, 'baseline.mjs')
  writeFileSync(file, code)
  try {
    const run = await runNode(file, env, { cwd: dir, timeoutMs })
    if (run.exitCode !== 0) throw new Error(`baseline script exited with ${run.exitCode}\n${run.stdout}\n${run.stderr}`)
    return run
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** "METHOD /path" of each request, sandbox and connection names replaced by placeholders. */
export function callShape(requests: LoggedRequest[]): string[] {
  return requests.map(r => `${r.method} ${r.path.replace(/\/sandboxes\/[^/]+$/, '/sandboxes/{name}')}`)
}
