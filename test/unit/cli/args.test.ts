// The command line's words: the command, one flag per input, booleans in every usual form,
// exec's command after --, and every mistake a UsageError (exit 2).
import { describe, expect, it } from 'vitest'
import { DEFAULT_STATE_FILE, inapplicable, normalizeBooleans, parseCommandLine, UsageError } from '../../../src/cli/args'
import { inputSource } from '../../../src/cli/main'

describe('parseCommandLine', () => {
  it('takes the operation from the command and the inputs from the flags', () => {
    const p = parseCommandLine(['create', '--provider', 'adobe', '--sandbox-name=ci-one', '--if-exists', 'fail'])
    expect(p.command).toBe('create')
    expect(p.inputs).toEqual({ provider: 'adobe', 'sandbox-name': 'ci-one', 'if-exists': 'fail', operation: 'create' })
    expect(p.stateFile).toBe(DEFAULT_STATE_FILE)
    expect(p.outputsFile).toBeUndefined()
  })

  it('reads booleans alone, negated, with a value and with =', () => {
    expect(normalizeBooleans(['--dry-run', '--no-wait', '--verify', 'false', '--summary=False', '--pool', 'true'])).toEqual(['--dry-run=true', '--wait=false', '--verify=false', '--summary=False', '--pool', 'true'])
    expect(parseCommandLine(['prune', '--dry-run', '--provider', 'adobe']).inputs['dry-run']).toBe('true')
  })

  it('exec: the command after --, the operation as a flag', () => {
    const p = parseCommandLine(['exec', '--provider', 'adobe', '--operation', 'lease', '--pool', 'ci-*', '--', 'npm', 'run', 'test:aep', '--', 'x'])
    expect(p.command).toBe('exec')
    expect(p.child).toEqual(['npm', 'run', 'test:aep', '--', 'x'])
    expect(p.inputs.operation).toBe('lease')
  })

  it('state and outputs files', () => {
    const p = parseCommandLine(['cleanup', '--state-file', 'a/b.json', '--outputs-file', 'o.json'])
    expect([p.stateFile, p.outputsFile]).toEqual(['a/b.json', 'o.json'])
  })

  it.each([
    [['create', '--sandbox-nme', 'x'], /Unknown option '--sandbox-nme'/],
    [['creat'], /unknown command "creat"/],
    [['create', 'extra'], /unexpected argument "extra"/],
    [['exec', '--provider', 'adobe'], /exec needs a command to run after --/],
    [['create', '--', 'ls'], /only exec runs a command after --/],
    [['create', '--operation', 'reset'], /--operation reset contradicts the command "create"/],
    [['create', '--state-file', ''], /--state-file: is empty/],
    [['create', '--pool'], /argument missing/]
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError)
    expect(() => parseCommandLine(argv)).toThrow(message)
  })

  it('help for the command and for an operation', () => {
    expect(parseCommandLine(['--help'])).toMatchObject({ help: true, command: undefined })
    expect(parseCommandLine(['lease', '-h'])).toMatchObject({ help: true, command: 'lease' })
    expect(parseCommandLine(['help', 'exec'])).toMatchObject({ help: true, command: 'exec' })
  })
})

describe('inapplicable flags', () => {
  it('names a flag that does not belong to the provider or operation, and where it does', () => {
    expect(inapplicable({ pool: 'x', provider: 'adobe' }, 'adobe', 'create')).toEqual(['--pool does not apply to adobe create (it applies to adobe lease, maintain)'])
    expect(inapplicable({ 'trackstar-api-url': 'x' }, 'adobe', 'create')[0]).toMatch(/applies to trackstar/)
    expect(inapplicable({ pool: 'x', 'lease-ttl': '1h', timeout: '60' }, 'adobe', 'lease')).toEqual([])
  })
})

describe('inputSource', () => {
  it('flags first, then what the state file kept, then the table default; GITHUB_TOKEN only for github-token', () => {
    const get = inputSource({ timeout: '60' }, { GITHUB_TOKEN: 'ghs_abc' }, { timeout: '30', 'sandbox-name': 'kept' })
    expect(get('timeout')).toBe('60')
    expect(get('sandbox-name')).toBe('kept')
    expect(get('cleanup')).toBe('auto')
    expect(get('github-token')).toBe('ghs_abc')
    expect(inputSource({}, {})('github-token')).toBe('')
  })
})

describe('run: what reaches stderr before any input is read', () => {
  it('redacts a secret flag\'s value and the credentials in the environment, even in a usage message', async () => {
    const { run } = await import('../../../src/cli/main')
    const err: string[] = []
    const out: string[] = []
    const code = await run(['create', '--provider', 'adobe', '--adobe-client-secret', 'Zq9Zq9Zq9Zq9', 'Wv7Wv7Wv7Wv7', 'Zq9Zq9Zq9Zq9'], {
      env: { ADOBE_CLIENT_SECRET: 'Wv7Wv7Wv7Wv7' },
      stdout: t => void out.push(t),
      stderr: t => void err.push(t)
    })
    expect(code).toBe(2)
    expect(err.join('')).toContain('unexpected argument "***"')
    expect(err.join('') + out.join('')).not.toMatch(/Zq9Z|Wv7W/)
  })

  it('--help exits 0 with the usage on stdout; no command shows it too', async () => {
    const { run } = await import('../../../src/cli/main')
    const out: string[] = []
    expect(await run(['--help'], { env: {}, stdout: t => void out.push(t), stderr: () => undefined })).toBe(0)
    expect(out.join('')).toContain('Usage:')
    expect(await run(['lease', '--help'], { env: {}, stdout: t => void out.push(t), stderr: () => undefined })).toBe(0)
    expect(out.join('')).toContain('Flags for adobe lease:')
  })
})
