// @github/local-action, the tool GitHub recommends for running an action locally, runs this
// action from its sources (src/runner/main.ts exports run(), taking no argument) against the
// emulator: the Trackstar flow, main step then post step.
// Opt-in (LOCAL_ACTION_TEST=1): the tool is a heavy install (its own TypeScript, the artifact
// and cache toolkits with their Azure clients), fetched by npm exec on first use.
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_TRACKSTAR_API_KEY, startEmulator, type Emulator } from '../../emulator/index'
import { ROOT } from '../../scripts/local-runner'

export const LOCAL_ACTION_VERSION = '7.0.1'

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator()
})
afterAll(async () => emu?.close())

describe.skipIf(!process.env.LOCAL_ACTION_TEST)('@github/local-action', () => {
  it('runs the Trackstar flow from src/runner/main.ts: generate, verify, then the post step resets', async () => {
    const envFile = join(mkdtempSync(join(tmpdir(), 'local-action-')), '.env')
    writeFileSync(envFile, ['INPUT_PROVIDER=trackstar', `INPUT_TRACKSTAR-API-KEY=${EMULATOR_TRACKSTAR_API_KEY}`, `INPUT_TRACKSTAR-API-URL=${emu.url}`, 'GITHUB_REPOSITORY=acme/Shop_API'].join('\n'))
    const args = ['exec', '--yes', `--package=@github/local-action@${LOCAL_ACTION_VERSION}`, '--', 'local-action', 'run', ROOT, 'src/runner/main.ts', envFile, '--post', 'src/runner/main.ts']
    const child = spawn('npm', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', d => (out += String(d)))
    child.stderr.on('data', d => (out += String(d)))
    const code = await new Promise<number | null>((resolveExit, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`local-action did not end:\n${out}`))
      }, 280_000)
      child.on('close', c => {
        clearTimeout(timer)
        resolveExit(c)
      })
    })
    expect(code, out).toBe(0)
    const main = out.indexOf('Running Action')
    const post = out.indexOf('Running Post Step')
    expect(main).toBeGreaterThan(0)
    expect(post).toBeGreaterThan(main)
    expect(out.slice(main, post)).toContain('::group::Trackstar: generate')
    expect(out.slice(main, post)).toContain('Generated the Trackstar wms sandbox')
    expect(out.slice(main, post)).toContain('::set-output name=created::true')
    expect(out.slice(post)).toContain('Reset the Trackstar wms sandbox')
    expect(out).not.toContain('::error')
    const generates = emu.requests.filter(r => r.method === 'POST' && r.path === '/sandbox/generate-sandbox/wms')
    expect(generates, 'one generate in the main step, one reset in the post step').toHaveLength(2)
    expect(emu.requests.some(r => r.method === 'GET' && r.path === '/wms/inventory')).toBe(true)
    expect(out).not.toContain(EMULATOR_TRACKSTAR_API_KEY)
  }, 300_000)
})
