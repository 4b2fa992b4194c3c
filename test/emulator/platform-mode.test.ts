// The roles and sandbox-tooling APIs' mode: the start option (both APIs, or one of them), the
// command-line flag, and what a reset brings back.
import { afterEach, describe, expect, it } from 'vitest'
import { FLAGS, parseCli, usage } from '../../emulator/cli'
import { startEmulator, type Emulator } from '../../emulator'

let emu: Emulator | undefined
afterEach(async () => {
  await emu?.close()
  emu = undefined
})

describe('platform mode', () => {
  it.each([
    [{}, ['spec', 'spec']],
    [{ mode: 'docs' as const }, ['docs', 'docs']],
    [{ mode: 'docs' as const, roles: { addReplaces: true } }, ['docs', 'docs']],
    [{ mode: 'docs' as const, roles: { mode: 'spec' as const } }, ['spec', 'docs']],
    [{ tooling: { mode: 'docs' as const, pendingMs: 5 } }, ['spec', 'docs']]
  ])('start options %j give roles and tooling %j, and a reset brings them back', async (platform, modes) => {
    emu = await startEmulator({ platform })
    expect([emu.platform.roles.mode(), emu.platform.tooling.mode()]).toEqual(modes)
    emu.platform.setMode(modes[0] === 'spec' ? 'docs' : 'spec')
    await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' })
    expect([emu.platform.roles.mode(), emu.platform.tooling.mode()]).toEqual(modes)
  })

  it('--platform-mode sets both APIs, is listed in --help, and takes only spec or docs', () => {
    expect(parseCli(['--platform-mode', 'docs'])?.options).toEqual({ platform: { mode: 'docs' } })
    expect(parseCli(['--platform-mode=spec'])?.options.platform).toEqual({ mode: 'spec' })
    expect(FLAGS.map(f => f.name)).toContain('platform-mode')
    expect(usage()).toMatch(/--platform-mode MODE .*spec .*docs.*\(default: spec\)/)
    expect(() => parseCli(['--platform-mode', 'loose'])).toThrow('--platform-mode needs spec or docs, got loose')
  })
})
