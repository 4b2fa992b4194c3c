// The command line end to end: `node dist/cli.js` as its own process against the emulator on
// 127.0.0.1, with the credentials in its environment as a CI job gives them. Create and lease
// are cleaned up by `cleanup` from the state file; exec passes its command's status through
// and cleans up, also when interrupted; bad input exits 2 before any request; no secret is on
// stdout or stderr; the outputs file has mode 0600.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { EMULATOR_ADOBE_CLIENT_ID, EMULATOR_ADOBE_CLIENT_SECRET, EMULATOR_ADOBE_ORG_ID, EMULATOR_TRACKSTAR_API_KEY } from '../../emulator/index'
import { emulatorPerTest } from '../harness/per-test'
import { nodeBinary, ROOT } from '../../scripts/local-runner'
import { bearerTokens, expectOnlyLive } from '../harness/adobe'
import { forms } from '../harness/secrets'
import { LEASE_ENV, seedReady } from '../harness/lease'

const CLI = join(ROOT, 'dist/cli.js')
const { emu, it } = emulatorPerTest({ adobe: { createMs: 600, resetMs: 600, deleteMs: 300 } })

interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

interface CliOptions {
  cwd: string
  env?: Record<string, string>
  /** send this signal to the command line's process (not its group) once stdout or stderr shows `text` */
  signalWhen?: { text: string; signal: NodeJS.Signals }
}

/** Runs `node dist/cli.js …` to its end (60 s at most). */
function cli(args: string[], o: CliOptions): Promise<CliRun> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: o.cwd,
    USER: 'tester',
    ADOBE_CLIENT_ID: EMULATOR_ADOBE_CLIENT_ID,
    ADOBE_CLIENT_SECRET: EMULATOR_ADOBE_CLIENT_SECRET,
    ADOBE_ORG_ID: EMULATOR_ADOBE_ORG_ID,
    TRACKSTAR_API_KEY: EMULATOR_TRACKSTAR_API_KEY,
    ...LEASE_ENV,
    ...o.env
  }
  if (process.env.NODE_COMPILE_CACHE) env.NODE_COMPILE_CACHE = process.env.NODE_COMPILE_CACHE
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary(), [CLI, ...args], { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let signalled = false
    const watch = (): void => {
      if (o.signalWhen && !signalled && (stdout + stderr).includes(o.signalWhen.text)) {
        signalled = true
        child.kill(o.signalWhen.signal)
      }
    }
    child.stdout.on('data', d => {
      stdout += String(d)
      watch()
    })
    child.stderr.on('data', d => {
      stderr += String(d)
      watch()
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the command line did not finish within 60 s\n${stdout}\n${stderr}`))
    }, 60_000)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'cli-e2e-'))
}

const adobeFlags = (): string[] => ['--provider', 'adobe', '--adobe-ims-url', emu.url, '--adobe-platform-url', emu.url]
const STATE = '.ephemeral-sandbox/state.json'

/** No secret of this test, in any common encoding, on stdout or stderr. */
function expectNoSecrets(runs: CliRun[], extra: string[] = []): void {
  const secrets = [EMULATOR_ADOBE_CLIENT_SECRET, EMULATOR_TRACKSTAR_API_KEY, ...bearerTokens(emu), ...extra].filter(s => s.length > 0)
  for (const run of runs) {
    for (const form of secrets.flatMap(forms)) {
      expect(run.stdout.includes(form), `a secret on stdout: ${run.stdout}`).toBe(false)
      expect(run.stderr.includes(form), `a secret on stderr: ${run.stderr}`).toBe(false)
    }
  }
}

function dotenv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter(l => l.includes('='))
      .map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^'(.*)'$/, '$1')])
  )
}

describe('ephemeral-sandbox create and cleanup', () => {
  it('creates a sandbox, shows outputs with the token as ***, writes a 0600 outputs file; cleanup deletes it, a second cleanup finds nothing', async () => {
    const cwd = workdir()
    try {
      const create = await cli(['create', ...adobeFlags(), '--outputs-file', 'out/sandbox.env'], { cwd })
      expect(create.code, create.stderr).toBe(0)
      const shown = dotenv(create.stdout)
      const name = shown.SANDBOX_NAME
      expect(name).toMatch(/^gh-tester-[a-z0-9-]+-run-\d+-[a-z0-9]{6}$/)
      expect(shown.ACCESS_TOKEN).toBe('***')
      expect(shown.CREATED).toBe('true')
      expect(create.stderr).toContain('Run context: no CI variables found: the user and host (tester@')
      expect(emu.adobe.get(name)?.state).toBe('active')
      // the file has everything, the token too, and only its owner may read it
      const file = join(cwd, 'out/sandbox.env')
      expect(statSync(file).mode & 0o777).toBe(0o600)
      const written = dotenv(readFileSync(file, 'utf8'))
      expect(written.SANDBOX_NAME).toBe(name)
      expect(bearerTokens(emu)).toContain(written.ACCESS_TOKEN)
      // the state names the sandbox and holds no secret
      const state = readFileSync(join(cwd, STATE), 'utf8')
      expect(JSON.parse(JSON.parse(state).state.cleanup)).toMatchObject({ provider: 'adobe', sandbox: name, action: 'delete', created: true })
      for (const secret of [EMULATOR_ADOBE_CLIENT_SECRET, written.ACCESS_TOKEN]) expect(state).not.toContain(secret)

      // a second sandbox needs a second state file: refused before any request
      const before = emu.requests.length
      const again = await cli(['create', ...adobeFlags()], { cwd })
      expect(again.code).toBe(2)
      expect(again.stderr).toContain(`already records the Adobe sandbox "${name}"`)
      expect(again.stderr).toContain('two sandboxes need two state files')
      expect(emu.requests.length).toBe(before)

      const cleanup = await cli(['cleanup'], { cwd })
      expect(cleanup.code, cleanup.stderr).toBe(0)
      expect(cleanup.stderr).toContain(`Deleted sandbox "${name}"`)
      expect(existsSync(join(cwd, STATE))).toBe(false)
      expectOnlyLive(emu)

      const second = await cli(['cleanup'], { cwd })
      expect(second.code).toBe(0)
      expect(second.stderr).toContain('Nothing to clean up')
      expect(emu.requests.filter(r => r.method === 'DELETE')).toHaveLength(1)
      expectNoSecrets([create, again, cleanup, second], [written.ACCESS_TOKEN])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 90_000)

  it('names the sandbox after the GitLab merge request and pipeline', async () => {
    const cwd = workdir()
    try {
      const env = { GITLAB_CI: 'true', CI_PROJECT_PATH: 'acme/shop-api', CI_PROJECT_NAME: 'shop-api', CI_PIPELINE_ID: '5501', CI_MERGE_REQUEST_IID: '12', CI_JOB_NAME: 'test', CI_PIPELINE_URL: 'https://gitlab.example/acme/shop-api/-/pipelines/5501' }
      const create = await cli(['create', ...adobeFlags()], { cwd, env })
      expect(create.code, create.stderr).toBe(0)
      const shown = dotenv(create.stdout)
      expect(shown.SANDBOX_NAME).toMatch(/^gh-shop-api-pr-12-[a-z0-9]{6}$/)
      expect(shown.SANDBOX_TITLE).toContain('https://gitlab.example/acme/shop-api/-/pipelines/5501')
      expect(create.stderr).toContain('Run context: GitLab CI (CI_PROJECT_PATH=acme/shop-api, CI_PIPELINE_ID=5501, CI_MERGE_REQUEST_IID=12')
      const cleanup = await cli(['cleanup'], { cwd, env })
      expect(cleanup.code, cleanup.stderr).toBe(0)
      expectOnlyLive(emu)
      expectNoSecrets([create, cleanup])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 90_000)
})

describe('an interrupted create', () => {
  it('exits 130 after saying how to clean up; the state file records the sandbox, and cleanup deletes it', async () => {
    emu.adobe.setTimings({ createMs: 60_000 })
    const cwd = workdir()
    try {
      const create = await cli(['create', ...adobeFlags(), '--sandbox-name', 'ci-interrupted'], { cwd, signalWhen: { text: 'Creating sandbox "ci-interrupted"', signal: 'SIGINT' } })
      expect(create.code, create.stderr).toBe(130)
      expect(create.stderr).toContain('Received SIGINT: stopping')
      expect(create.stderr).toContain(`What was started is recorded in ${STATE}: run ephemeral-sandbox cleanup --state-file ${STATE}`)
      expect(JSON.parse(JSON.parse(readFileSync(join(cwd, STATE), 'utf8')).state.cleanup)).toMatchObject({ sandbox: 'ci-interrupted', action: 'delete', created: true })
      // the provider finishes the create it accepted; cleanup then deletes the sandbox
      emu.adobe.finishNow('ci-interrupted')
      const cleanup = await cli(['cleanup'], { cwd })
      expect(cleanup.code, cleanup.stderr).toBe(0)
      expect(cleanup.stderr).toContain('Deleted sandbox "ci-interrupted"')
      expectOnlyLive(emu)
      expectNoSecrets([create, cleanup])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 90_000)
})

describe('a cleanup that cannot finish', () => {
  it('keeps the state file: without credentials it exits 2 before any request, refused by IMS it exits 1; then a cleanup with them deletes the sandbox', async () => {
    const cwd = workdir()
    try {
      const create = await cli(['create', ...adobeFlags()], { cwd })
      expect(create.code, create.stderr).toBe(0)
      const name = dotenv(create.stdout).SANDBOX_NAME

      let before = emu.requests.length
      const missing = await cli(['cleanup'], { cwd, env: { ADOBE_CLIENT_SECRET: '' } })
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain('--adobe-client-secret: is required (or set the ADOBE_CLIENT_SECRET environment variable)')
      expect(emu.requests.length).toBe(before)
      expect(existsSync(join(cwd, STATE))).toBe(true)

      before = emu.requests.length
      const refused = await cli(['cleanup'], { cwd, env: { ADOBE_CLIENT_SECRET: 'not-the-secret-Qx9' } })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(`warning: Cleanup failed: could not delete the Adobe sandbox "${name}"`)
      expect(refused.stderr).toContain('is kept: run cleanup again')
      expect(emu.requests.slice(before).every(r => r.path === '/ims/token/v3')).toBe(true)
      expect(emu.adobe.get(name)?.state).toBe('active')

      const cleanup = await cli(['cleanup'], { cwd })
      expect(cleanup.code, cleanup.stderr).toBe(0)
      expectOnlyLive(emu)
      expectNoSecrets([create, missing, refused, cleanup], ['not-the-secret-Qx9'])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 90_000)
})

describe('ephemeral-sandbox lease and cleanup', () => {
  it('leases a ready pool sandbox; cleanup resets it and marks it free', async () => {
    seedReady(emu, 'ci-pool-1')
    const cwd = workdir()
    try {
      const lease = await cli(['lease', ...adobeFlags(), '--pool', 'ci-pool-*', '--state-file', 'pool.json', '--outputs-file', 'lease.json'], { cwd })
      expect(lease.code, lease.stderr).toBe(0)
      expect(dotenv(lease.stdout).SANDBOX_NAME).toBe('ci-pool-1')
      const written = JSON.parse(readFileSync(join(cwd, 'lease.json'), 'utf8')) as Record<string, string>
      expect(statSync(join(cwd, 'lease.json')).mode & 0o777).toBe(0o600)
      expect(written).toMatchObject({ sandbox_name: 'ci-pool-1', sandbox_state: 'active' })
      expect(Date.parse(written.lease_expires_at)).toBeGreaterThan(Date.now())
      expect(emu.adobe.get('ci-pool-1')?.title).toMatch(/^lease v1 held until=\S+ nonce=[0-9a-f]{16} by=tester@\S+ run=\d+\.1 job=local$/)

      const cleanup = await cli(['cleanup', '--state-file', 'pool.json'], { cwd })
      expect(cleanup.code, cleanup.stderr).toBe(0)
      expect(cleanup.stderr).toContain('Released sandbox "ci-pool-1": reset started, marked free')
      expect(emu.adobe.leases().find(l => l.name === 'ci-pool-1')).toMatchObject({ lease: 'free' })
      expect(existsSync(join(cwd, 'pool.json'))).toBe(false)
      expectNoSecrets([lease, cleanup], [written.access_token])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 90_000)
})

describe('ephemeral-sandbox exec', () => {
  it('runs the command with the results in its environment, passes its failing status through, and deletes the sandbox', async () => {
    const cwd = workdir()
    try {
      const script = 'test -n "$AEP_SANDBOX_NAME" && test -n "$AEP_ACCESS_TOKEN" && echo "child saw $AEP_SANDBOX_NAME" && exit 7'
      const run = await cli(['exec', ...adobeFlags(), '--', 'sh', '-c', script], { cwd })
      expect(run.code, run.stderr).toBe(7)
      const name = /child saw (\S+)/.exec(run.stdout)?.[1] ?? ''
      expect(name).toMatch(/^gh-tester-/)
      expect(run.stderr).toContain('The command exited with status 7')
      expect(run.stderr).toContain(`Deleted sandbox "${name}"`)
      expect(run.stderr).toContain('ACCESS_TOKEN=***')
      expect(existsSync(join(cwd, STATE))).toBe(false)
      expectOnlyLive(emu)
      expectNoSecrets([run])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 90_000)

  it.each(['SIGINT', 'SIGTERM'] as const)('%s while the command runs: the command gets it, the sandbox is deleted, and the exit status is 130', async signal => {
    const cwd = workdir()
    try {
      const child = `process.on('${signal}', () => { require('node:fs').writeFileSync('child-got-signal', '${signal}'); process.exit(0) }); console.log(['child', 'ready'].join('-')); setInterval(() => {}, 1000)`
      // the text only the running child prints (the log's "Running …" line shows its source)
      const run = await cli(['exec', ...adobeFlags(), '--', process.execPath, '-e', child], { cwd, signalWhen: { text: 'child-ready', signal } })
      expect(run.code, run.stderr).toBe(130)
      expect(readFileSync(join(cwd, 'child-got-signal'), 'utf8')).toBe(signal)
      expect(run.stderr).toContain(`Received ${signal}: passing it to the command`)
      expect(run.stderr).toMatch(/Deleted sandbox "gh-tester-[^"]+"[\s\S]*Interrupted: cleanup done/)
      expectOnlyLive(emu)
      expectNoSecrets([run])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 90_000)

  it('a signal as the command starts (between the operation and the command) still ends in cleanup and 130', async () => {
    const cwd = workdir()
    try {
      const child = "process.on('SIGINT', () => process.exit(0)); setInterval(() => {}, 1000)"
      const run = await cli(['exec', ...adobeFlags(), '--', process.execPath, '-e', child], { cwd, signalWhen: { text: 'Running ', signal: 'SIGINT' } })
      expect(run.code, run.stderr).toBe(130)
      expect(run.stderr).toMatch(/Deleted sandbox "gh-tester-[^"]+"[\s\S]*Interrupted: cleanup done/)
      expectOnlyLive(emu)
      expectNoSecrets([run])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 90_000)

  it('trackstar: generate, the command sees the connection, cleanup resets the sandbox as the post step does', async () => {
    const cwd = workdir()
    try {
      const script = 'test -n "$TRACKSTAR_ACCESS_TOKEN" && test -n "$TRACKSTAR_CONNECTION_ID" && echo ok'
      const run = await cli(['exec', '--provider', 'trackstar', '--trackstar-api-url', emu.url, '--outputs-file', 'ts.env', '--', 'sh', '-c', script], { cwd })
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain('ok')
      const written = dotenv(readFileSync(join(cwd, 'ts.env'), 'utf8'))
      expect(run.stderr).toContain('ACCESS_TOKEN=***')
      expect(run.stderr).toContain('CONNECTION_ID=***')
      expect(run.stderr).toContain('Reset the Trackstar wms sandbox')
      expect(emu.requests.filter(r => r.method === 'POST' && r.path === '/sandbox/generate-sandbox/wms')).toHaveLength(2)
      expectNoSecrets([run], [written.ACCESS_TOKEN, written.CONNECTION_ID])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 90_000)
})

describe('bad input', () => {
  it.each([
    ['an unknown flag', ['create', '--provider', 'adobe', '--sandbox-nme', 'x'], /Unknown option '--sandbox-nme'/],
    ['an invalid sandbox name', ['create', '--provider', 'adobe', '--sandbox-name', 'Bad_Name'], /--sandbox-name: "Bad_Name" is not a valid sandbox name.*did you mean "bad-name"/],
    ['a flag of another operation', ['create', '--provider', 'adobe', '--pool', 'ci-*'], /--pool does not apply to adobe create/],
    ['missing credentials', ['create', '--provider', 'adobe'], /--adobe-client-id: Adobe credentials are missing/, { ADOBE_CLIENT_ID: '', ADOBE_CLIENT_SECRET: '' }],
    ['a GitHub-only flag outside GitHub', ['prune', '--provider', 'adobe', '--prune-prefix', 'gh-', '--prune-closed'], /--prune-closed works with GitHub only: it needs --github-token \(or GITHUB_TOKEN\) and GITHUB_REPOSITORY=owner\/name/],
    ['exec without a command', ['exec', '--provider', 'adobe'], /exec needs a command to run after --/],
    ['a bad timeout', ['exec', '--provider', 'trackstar', '--timeout', '9d', '--', 'true'], /--timeout: got "9d"/]
  ])('%s exits 2 before any request and writes no state', async (_what, args, message, env?: Record<string, string>) => {
    const cwd = workdir()
    try {
      const run = await cli([...args, '--adobe-ims-url', emu.url].filter((a, i, all) => !(args[0] === 'exec' && args[1] === '--provider' && args[2] === 'trackstar' && (a === '--adobe-ims-url' || all[i - 1] === '--adobe-ims-url'))), { cwd, env })
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toMatch(message)
      expect(emu.requests).toEqual([])
      expect(existsSync(join(cwd, STATE))).toBe(false)
      expectNoSecrets([run])
    } finally {
      rmSync(cwd, { recursive: true, force: true })
    }
  }, 30_000)
})
