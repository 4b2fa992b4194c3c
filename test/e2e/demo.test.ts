// The README's quick start: `npm run demo` runs the committed bundle's main and post steps
// against the built-in emulator and ends with nothing left behind. Run here as a user would,
// so the first command a new user types stays true.
import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/local-runner'

function demo(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the demo did not end within 90 s:\n${out}`))
    }, 90_000)
    child.once('exit', code => {
      clearTimeout(timer)
      resolve({ code, out })
    })
  })
}

describe('npm run demo', () => {
  it('shows both providers, the role grant that lets a later step read, and leaves nothing behind', async () => {
    const { code, out } = await demo()
    expect(code, out).toBe(0)
    expect(out).toMatch(/\nSandboxes left behind: none\n/)
    // the later step's read: refused without the grant, allowed with it
    expect(out).toContain('GET /data/foundation/schemaregistry/tenant/schemas → 403')
    expect(out).toContain('GET /data/foundation/schemaregistry/tenant/schemas → 200')
    // secrets never printed: the demo shows masked outputs only
    expect(out).not.toMatch(/emulator-client-secret|ts-emulator-key/)
  }, 100_000)
})
