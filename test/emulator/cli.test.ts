// The emulator's command line: flags parsed by node's parseArgs, one table entry each, and
// --help listing every flag with its default.
import { describe, expect, it } from 'vitest'
import { FLAGS, parseCli, usage } from '../../emulator/cli'

const RULE = '{"method":"POST","path":"/sandbox/generate-sandbox/wms","faults":[{"kind":"status","status":503},"pass"]}'

describe('emulator cli', () => {
  it('--help lists every flag with its default, faults included', () => {
    const text = usage()
    for (const flag of FLAGS) {
      const line = text.split('\n').find(l => l.trimStart().startsWith(`--${flag.name} `))
      expect(line, flag.name).toBeDefined()
      expect(line).toContain(`(default: ${flag.default})`)
    }
    expect(text).toMatch(/--fault JSON .*rate-limit/)
    expect(parseCli(['--help'])).toBeUndefined()
    expect(parseCli(['-h'])).toBeUndefined()
  })

  it('reads flags, in both --flag value and --flag=value forms, and repeated faults', () => {
    const c = parseCli(['--port=4010', '--provision-ms', '500', '--delete-ms', '20', '--latency-ms', '5', '--fault', RULE, '--fault', RULE, '--url-file', '/tmp/u'])
    expect(c?.options).toEqual({ port: 4010, latencyMs: 5, adobe: { createMs: 500, resetMs: 500, deleteMs: 20 } })
    expect(c?.faults).toHaveLength(2)
    expect(c?.faults[0]).toMatchObject({ method: 'POST', path: '/sandbox/generate-sandbox/wms', faults: [{ kind: 'status', status: 503 }, 'pass'] })
    expect(c?.urlFile).toBe('/tmp/u')
  })

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port', 'x'], /--port needs a non-negative integer/],
    [['--create-ms=-1'], /--create-ms needs a non-negative integer/],
    [['--fault', 'nope'], /--fault needs a JSON fault rule/],
    [['--fault', '{"path":"/x","faults":[{"kind":"explode"}]}'], /unknown fault/],
    [['stray'], /positional/]
  ])('rejects %j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message)
  })
})
