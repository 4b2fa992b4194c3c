// Pull requests from forks and Dependabot runs get no Actions secrets. With empty credentials
// the step says why, and what to do, in one error, before any request; with credentials it
// runs as usual.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../emulator/index'
import { errors, runStep } from '../../scripts/local-runner'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator()
})
afterAll(async () => emu?.close())
beforeEach(() => emu.clearLog())

const GUIDE = 'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/'

function pullRequest(head: string | null, base = 'acme/Shop_API'): { name: string; payload: Record<string, unknown> } {
  return {
    name: 'pull_request',
    payload: { number: 7, pull_request: { number: 7, head: { ref: 'patch-1', repo: head === null ? null : { full_name: head } }, base: { ref: 'main', repo: { full_name: base } } } }
  }
}

describe('fork and Dependabot runs without secrets', () => {
  it('a pull request from a fork with an empty key: one error saying why and what to do, no request', async () => {
    const main = await runStep({ inputs: trackstarInputs(emu, { 'trackstar-api-key': '' }), event: pullRequest('someone/Shop_API') })
    expect(main.exitCode).toBe(1)
    const errs = errors(main)
    expect(errs).toHaveLength(1)
    expect(errs[0]).toMatch(/^::error title=Ephemeral Sandbox[^:]*::/)
    expect(errs[0]).toContain('The trackstar credentials are empty: `trackstar-api-key` (or TRACKSTAR_API_KEY) is not set, because this run is for a pull request from a fork (someone/Shop_API into acme/Shop_API)')
    expect(errs[0]).toContain('no secrets')
    expect(errs[0]).toContain('if: github.event.pull_request.head.repo.full_name == github.repository')
    expect(errs[0]).toContain('pull_request_target')
    expect(errs[0]).toContain(GUIDE)
    expect(errs[0]).not.toContain('debug logging')
    expect(emu.requests, 'no request may be made').toEqual([])
    expect(main.state.cleanup ?? '').toBe('')

    // The post step has nothing to do: no request, no summary.
    const post = await runStep({ inputs: trackstarInputs(emu, { 'trackstar-api-key': '' }), event: pullRequest('someone/Shop_API'), state: main.state })
    expect(post.exitCode).toBe(0)
    expect(post.summary).toBe('')
    expect(emu.requests).toEqual([])
  })

  it('a pull request from a deleted fork counts as a fork', async () => {
    const main = await runStep({ inputs: adobeInputs(emu, { 'adobe-client-secret': '' }), event: pullRequest(null) })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('`adobe-client-secret` (or ADOBE_CLIENT_SECRET) and `adobe-access-token` (or ADOBE_ACCESS_TOKEN) are not set, because this run is for a pull request from a fork (a deleted repository into acme/Shop_API)')
    expect(emu.requests).toEqual([])
  })

  it('a Dependabot run with empty Adobe credentials: says to add Dependabot secrets, no request', async () => {
    const main = await runStep({
      inputs: adobeInputs(emu, { 'adobe-client-secret': '' }),
      event: pullRequest('acme/Shop_API'),
      env: { GITHUB_ACTOR: 'dependabot[bot]' }
    })
    expect(main.exitCode).toBe(1)
    const errs = errors(main)
    expect(errs).toHaveLength(1)
    expect(errs[0]).toContain(
      'The adobe credentials are empty: `adobe-client-secret` (or ADOBE_CLIENT_SECRET) and `adobe-access-token` (or ADOBE_ACCESS_TOKEN) are not set, because this run was started by Dependabot'
    )
    expect(errs[0]).toContain('Dependabot secrets')
    expect(errs[0]).toContain(GUIDE)
    expect(emu.requests).toEqual([])
  })

  it('a pull request from the same repository with an empty key gets the ordinary input error', async () => {
    const main = await runStep({ inputs: trackstarInputs(emu, { 'trackstar-api-key': '' }), event: pullRequest('acme/Shop_API') })
    expect(main.exitCode).toBe(1)
    expect(errors(main)[0]).toContain('Input `trackstar-api-key`: is required')
    expect(errors(main)[0]).not.toContain('fork')
    expect(emu.requests).toEqual([])
  })

  it('a fork\'s pull request that has credentials (a key from elsewhere) runs as usual', async () => {
    const main = await runStep({ inputs: trackstarInputs(emu, { cleanup: 'none' }), event: pullRequest('someone/Shop_API') })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(main.outputs.access_token).not.toBe('')
  })
})
