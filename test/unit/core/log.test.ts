// The runner logger: every line redacted, and no line can start a workflow command.
import { describe, expect, it } from 'vitest'
import { oneLine, safeLines } from '../../../src/core/log'
import { runnerLogger, type LogSink } from '../../../src/runner/log'
import { Secrets } from '../../../src/core/secrets'

/** Would the runner read this stdout line as a command? (v2 after leading blanks, v1 anywhere.) */
function isCommand(line: string): boolean {
  return line.trimStart().startsWith('::') || /##\[[a-z-]+[\] ]/.test(line)
}

function sink(): LogSink & { calls: [string, string][] } {
  const calls: [string, string][] = []
  return {
    calls,
    info: m => void calls.push(['info', m]),
    notice: m => void calls.push(['notice', String(m)]),
    warning: m => void calls.push(['warning', String(m)]),
    debug: m => void calls.push(['debug', m])
  }
}

describe('oneLine', () => {
  it.each([
    ['a\n::stop-commands::x', 'a ::stop-commands::x'],
    ['::add-mask::x', ': :add-mask::x'],
    ['  ::warning::x', '  : :warning::x'],
    ['\t::error::x', '\t: :error::x'],
    ['\r\n::x', '  : :x'],
    [':::x', ': ::x'],
    ['a::b', 'a::b'],
    [':x', ':x'],
    ['x ##[add-mask]y ##[error]z', 'x ## [add-mask]y ## [error]z'],
    ['bell\u0007 esc\u001b[31m nul\u0000 del\u007f c1\u0085 ls\u2028 ps\u2029 end', 'bell  esc [31m nul  del  c1  ls  ps  end'],
    ['keeps\ttabs, ünïcödé and 😀', 'keeps\ttabs, ünïcödé and 😀']
  ])('%j → %j', (input, expected) => {
    const out = oneLine(input)
    expect(out).toBe(expected)
    expect(out).not.toMatch(/[\n\r]/)
    expect(isCommand(out)).toBe(false)
  })

  it('neutralises a leading :: after blanks of any kind the runner skips', () => {
    for (const blank of [' ', '\t', '\u00a0', '\u3000', '\u001c', '\u000b']) {
      expect(isCommand(oneLine(`${blank}::set-output name=x::y`)), JSON.stringify(blank)).toBe(false)
    }
  })
})

describe('safeLines', () => {
  it('keeps our own line breaks but makes every line command-free', () => {
    const out = safeLines('first\n::stop-commands::x\r\n  ::add-mask::y\rlast ##[group]z\u0007')
    expect(out).toBe('first\n: :stop-commands::x\n  : :add-mask::y\nlast ## [group]z ')
    for (const line of out.split('\n')) expect(isCommand(line)).toBe(false)
  })
})

describe('runnerLogger', () => {
  it('sends each level to its own runner call, redacted and command-free', () => {
    const secrets = new Secrets(() => undefined)
    secrets.add('s3cr3t-value')
    const out = sink()
    const log = runnerLogger(secrets, out)
    log.info('info s3cr3t-value\n::stop-commands::t')
    log.notice('notice czNjcjN0LXZhbHVl')
    log.warning('warning s3cr3t%2Dvalue')
    log.debug('debug ::x')
    expect(out.calls).toEqual([
      ['info', 'info ***\n: :stop-commands::t'],
      ['notice', 'notice ***'],
      ['warning', 'warning ***'],
      ['debug', 'debug ::x']
    ])
  })

  it('redacts a secret that holds a line break before the line is split', () => {
    const secrets = new Secrets(() => undefined)
    secrets.add('two\nlines')
    const out = sink()
    runnerLogger(secrets, out).info('key two\nlines end')
    expect(out.calls).toEqual([['info', 'key *** end']])
  })

  it('lends its redaction to the HTTP layer', () => {
    const secrets = new Secrets(() => undefined)
    secrets.add('tok-1234')
    expect(runnerLogger(secrets, sink()).redact?.('a tok-1234 b')).toBe('a *** b')
  })
})
