// `npm run local`: the .env read with node's parser, the log streamed while the step runs,
// and a Ctrl-C part-way that cancels the main step, after which the post step still runs and
// the emulator holds nothing.
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_CLIENT_SECRET, EMULATOR_ADOBE_ORG_ID, startEmulator, type Emulator } from '../../emulator/index'
import { ROOT } from '../../scripts/local-runner'
import { readConfig, repositoryFromRemote } from '../../scripts/local'
import { expectOnlyLive } from '../harness/adobe'

let emu: Emulator
beforeAll(async () => {
  // Provisioning outlasts the moment of the Ctrl-C, so the cancel lands mid-wait.
  emu = await startEmulator({ adobe: { createMs: 4000, deleteMs: 200 } })
})
afterAll(async () => emu?.close())

describe('npm run local', () => {
  it('Ctrl-C part-way cancels the main step, the post step still runs, and nothing is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-run-'))
    const envFile = join(dir, '.env')
    writeFileSync(
      envFile,
      [
        '# a comment, and values in the forms parseEnv reads',
        'INPUT_PROVIDER=adobe',
        "INPUT_SANDBOX-NAME='local-cancel'",
        `INPUT_ADOBE-IMS-URL=${emu.url}`,
        `INPUT_ADOBE-PLATFORM-URL=${emu.url} # trailing comment`,
        `ADOBE_CLIENT_ID=${EMULATOR_ADOBE_CLIENT_ID}`,
        `ADOBE_CLIENT_SECRET="${EMULATOR_ADOBE_CLIENT_SECRET}"`,
        `ADOBE_ORG_ID=${EMULATOR_ADOBE_ORG_ID}`
      ].join('\n')
    )
    // In its own process group, so the SIGINT reaches npm, tsx and the script together, as a
    // terminal's Ctrl-C does.
    const child = spawn('npm', ['run', '--silent', 'local', '--', '--env-file', envFile, '--repo', 'acme/local-test', '--pr', '12'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let interruptedAt = -1
    child.stderr.on('data', d => (out += String(d)))
    child.stdout.on('data', d => {
      out += String(d)
      if (interruptedAt < 0 && out.includes('creating (1 s elapsed)')) {
        interruptedAt = out.length
        process.kill(-(child.pid as number), 'SIGINT')
      }
    })
    const exit = await new Promise<[number | null, NodeJS.Signals | null]>((resolveExit, reject) => {
      const timer = setTimeout(() => {
        process.kill(-(child.pid as number), 'SIGKILL')
        reject(new Error(`npm run local did not end:\n${out}`))
      }, 45_000)
      child.on('close', (c, signal) => {
        clearTimeout(timer)
        resolveExit([c, signal])
      })
    })
    // streamed: the main step's lines arrived while it was still running
    expect(interruptedAt, out).toBeGreaterThan(0)
    expect(out).toContain('Repository acme/local-test, pull request #12')
    expect(out).toContain('cancelling the main step')
    expect(out).toMatch(/Cancelled while waiting for sandbox "local-cancel"/)
    const post = out.indexOf('▶ Post step')
    expect(post).toBeGreaterThan(interruptedAt)
    expect(out.slice(post)).toContain('Deleted sandbox "local-cancel"')
    expect(out).not.toContain(EMULATOR_ADOBE_CLIENT_SECRET)
    // the key names in .env reached the action, with their quotes and comments removed
    expect(emu.requests.some(r => r.method === 'POST' && r.body.includes('"local-cancel"'))).toBe(true)
    expectOnlyLive(emu)
    // npm ends by the signal it was sent, once the script has finished; the script's own code is 130
    expect(exit[0] === 130 || exit[1] === 'SIGINT', String(exit)).toBe(true)
  }, 60_000)
})

describe('local run context', () => {
  it.each([
    ['git@github.com:acme/shop.git', 'acme/shop'],
    ['https://github.com/acme/shop', 'acme/shop'],
    ['https://github.com/acme/shop.git', 'acme/shop'],
    ['ssh://git@github.com/acme/shop.git', 'acme/shop'],
    ['/srv/git/shop', undefined]
  ])('%s → %s', (url, repo) => expect(repositoryFromRemote(url)).toBe(repo))

  it('takes the repository from the flag, else from git, and the pull request from the flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-git-'))
    execFileSync('git', ['init', '-q'], { cwd: dir })
    expect(readConfig([], dir)?.repository).toMatch(/^local\/local-git-/)
    execFileSync('git', ['remote', 'add', 'origin', 'git@github.com:acme/from-git.git'], { cwd: dir })
    expect(readConfig(['--pr', '5'], dir)).toMatchObject({ repository: 'acme/from-git', pr: 5, envFile: join(dir, '.env') })
    expect(readConfig(['--repo', 'acme/flag'], dir)?.repository).toBe('acme/flag')
    expect(() => readConfig(['--pr', 'x'], dir)).toThrow('--pr')
    expect(() => readConfig(['--repo', 'noslash'], dir)).toThrow('--repo')
    expect(readConfig(['--help'], dir)).toBeUndefined()
  })
})
