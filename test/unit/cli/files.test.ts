// The state file (no secret, refuses what it cannot read, written whole) and the outputs:
// stdout with every secret as ***, the file with mode 0600 as dotenv or JSON; and the run
// context outside GitHub.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FileState } from '../../../src/cli/state'
import { dotenvValue, formatDotenv, shownOutputs, writeOutputsFile } from '../../../src/cli/outputs'
import { cliRunInfo } from '../../../src/cli/run-info'
import { UsageError } from '../../../src/cli/args'
import { saveHandoff } from '../../../src/core/handoff'
import { Secrets } from '../../../src/core/secrets'
import { defaultSandboxName, defaultSandboxTitle } from '../../../src/core/naming'
import { cliLogger, cliMessage } from '../../../src/cli/log'

let dir = ''
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = ''
})
const temp = (): string => (dir = mkdtempSync(join(tmpdir(), 'cli-files-')))

describe('FileState', () => {
  it('keeps the inputs without secrets and the handoff, written at once with mode 0600', () => {
    const path = join(temp(), 'nested', 'state.json')
    const state = FileState.open(path)
    expect(state.exists()).toBe(false)
    state.start({ provider: 'adobe', 'adobe-client-secret': 'SHH', 'trackstar-api-key': 'KEY', 'github-token': 'ghs_x', 'sandbox-name': 'ci-a' })
    expect(state.exists()).toBe(true)
    saveHandoff(state, { provider: 'adobe', sandbox: 'ci-a', action: 'delete', created: true, confirmed: false })
    const text = readFileSync(path, 'utf8')
    expect(text).not.toMatch(/SHH|KEY|ghs_x/)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const again = FileState.open(path)
    expect(again.inputs).toEqual({ provider: 'adobe', 'sandbox-name': 'ci-a' })
    expect(again.handoff()).toMatchObject({ sandbox: 'ci-a', action: 'delete' })
    again.remove()
    expect(FileState.open(path).exists()).toBe(false)
  })

  it('refuses a file it cannot read, or one that is not its own', () => {
    const path = join(temp(), 'state.json')
    writeFileSync(path, '{ not json')
    expect(() => FileState.open(path)).toThrow(UsageError)
    writeFileSync(path, JSON.stringify({ hello: 'world' }))
    expect(() => FileState.open(path)).toThrow(/is not a state file of ephemeral-sandbox/)
  })
})

describe('outputs', () => {
  const secrets = new Secrets(() => undefined)
  secrets.add('tok-SECRET-123456')
  const values = { access_token: 'tok-SECRET-123456', sandbox_name: 'ci-a', sandbox_title: 'CI sandbox of x (run 1): kept.', available_actions: '["a","b"]', AEP_SANDBOX_NAME: 'ci-a' }

  it('stdout: dotenv lines in upper snake case, every secret as ***', () => {
    const shown = shownOutputs(values, secrets)
    expect(shown).not.toContain('SECRET')
    expect(shown).toBe("ACCESS_TOKEN=***\nSANDBOX_NAME=ci-a\nSANDBOX_TITLE='CI sandbox of x (run 1): kept.'\nAVAILABLE_ACTIONS='[\"a\",\"b\"]'\nAEP_SANDBOX_NAME=ci-a\n")
  })

  it('quotes values so that a dotenv reader gets them back', () => {
    expect(dotenvValue('plain-1.2')).toBe('plain-1.2')
    expect(dotenvValue("it's\nhere")).toBe('"it\'s\\nhere"')
    expect(formatDotenv({ a: '' })).toBe('A=\n')
  })

  it.each(['out.env', 'out.json'])('the file %s holds every value with mode 0600, also when it was there before', name => {
    const path = join(temp(), name)
    writeFileSync(path, 'old', { mode: 0o644 })
    writeOutputsFile(path, values)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const text = readFileSync(path, 'utf8')
    if (name.endsWith('.json')) expect(JSON.parse(text)).toEqual(values)
    else expect(text).toContain('ACCESS_TOKEN=tok-SECRET-123456\n')
  })
})

describe('the log', () => {
  it('redacts, then makes each line command-safe', () => {
    const secrets = new Secrets(() => undefined)
    secrets.add('hunter2-hunter2')
    const lines: string[] = []
    const log = cliLogger(secrets, {}, t => void lines.push(t))
    log.info('token hunter2-hunter2\n::set-output name=x::y')
    log.debug('hidden')
    expect(lines.join('')).toBe('token ***\n: :set-output name=x::y\n')
    expect(cliMessage('Input `sandbox-name`: is required')).toBe('--sandbox-name: is required')
  })
})

describe('cliRunInfo', () => {
  it('GitLab: the project, the pipeline and the merge request name the sandbox; the pipeline URL is in the title', () => {
    const { info, source } = cliRunInfo({ GITLAB_CI: 'true', CI_PROJECT_PATH: 'acme/shop-api', CI_PROJECT_NAME: 'shop-api', CI_PIPELINE_ID: '5501', CI_MERGE_REQUEST_IID: '12', CI_JOB_NAME: 'test', CI_PIPELINE_URL: 'https://gitlab.example/acme/shop-api/-/pipelines/5501' })
    expect(defaultSandboxName(info, 'abc123')).toBe('gh-shop-api-pr-12-abc123')
    expect(defaultSandboxTitle(info, 'run')).toBe('CI sandbox of acme/shop-api PR #12 (run 5501 attempt 1): deleted when the run ends. https://gitlab.example/acme/shop-api/-/pipelines/5501')
    expect(source).toMatch(/^GitLab CI \(CI_PROJECT_PATH=acme\/shop-api, CI_PIPELINE_ID=5501, CI_MERGE_REQUEST_IID=12/)
    expect(info.apiUrl).toBeUndefined()
  })

  it('Jenkins: the job, the build and the change', () => {
    const { info, source } = cliRunInfo({ JENKINS_URL: 'https://ci.example/', JOB_NAME: 'shop/PR-7', BUILD_NUMBER: '31', CHANGE_ID: '7', BUILD_URL: 'https://ci.example/job/shop/job/PR-7/31/' })
    expect(defaultSandboxName(info, 'abc123')).toBe('gh-shop-pr-7-abc123')
    expect(defaultSandboxTitle(info, 'run')).toContain('https://ci.example/job/shop/job/PR-7/31/')
    expect(source).toMatch(/^Jenkins \(JOB_NAME=shop\/PR-7, BUILD_NUMBER=31, CHANGE_ID=7\)/)
  })

  it('elsewhere: the user and the host, and no GitHub run URL', () => {
    const { info, source } = cliRunInfo({ USER: 'alice' }, () => 'laptop.local')
    expect(defaultSandboxName(info, 'abc123')).toMatch(/^gh-alice-laptop-run-\d+-abc123$/)
    expect(defaultSandboxTitle(info, 'run')).toMatch(/^CI sandbox of alice@laptop\.local \(run \d+ attempt 1\): deleted when the run ends\.$/)
    expect(source).toContain('alice@laptop.local')
  })

  it('inside a GitHub job, the runner\'s variables', () => {
    const { info } = cliRunInfo({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/app', GITHUB_RUN_ID: '9' })
    expect(info).toMatchObject({ repository: 'acme/app', runId: 9, apiUrl: 'https://api.github.com' })
  })
})
