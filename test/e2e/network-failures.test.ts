// A URL that leads nowhere, against the bundled action: a port on 127.0.0.1 that nothing
// listens on, a host under the reserved .invalid domain (RFC 6761: it never resolves, and the
// action answers so without asking the network), and TLS to a server that speaks plain HTTP.
// The error names the host and port and the input (or runner variable) that set the URL, and
// advises checking it, not raising `timeout`: the step tries an unreachable host three times
// and a refused TLS handshake once, with the default `timeout` of 900 s left untouched.
import { createServer } from 'node:net'
import { describe, expect } from 'vitest'
import { IMS_TOKEN_PATH } from '../../emulator/ims'
import { emulatorPerTest } from '../harness/per-test'
import { errors, renderLog, runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs, trackstarInputs } from '../../scripts/emulator-inputs'

const { emu, it } = emulatorPerTest()

/** A port on 127.0.0.1 that was just free: a connection to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

/** Retry lines of the log that name this host. */
function retries(run: StepRun, host: string): string[] {
  return run.stdout.split('\n').filter(l => l.includes('retrying in') && l.includes(host))
}

// [the URL input, the step's inputs with that input pointing at `url`]
const URL_INPUTS: [string, (url: string) => Record<string, string>][] = [
  ['trackstar-api-url', url => trackstarInputs(emu, { cleanup: 'none', 'trackstar-api-url': url })],
  ['adobe-ims-url', url => adobeInputs(emu, { 'sandbox-name': 'net-box', 'adobe-ims-url': url })],
  ['adobe-platform-url', url => adobeInputs(emu, { 'sandbox-name': 'net-box', 'adobe-platform-url': url })]
]

/** The requests that did reach the emulator: only a token mint, when the platform URL is the one that fails. */
function expectOnlyTokenMint(input: string): void {
  const paths = emu.requests.map(r => r.path)
  if (input === 'adobe-platform-url') expect(paths).toEqual([IMS_TOKEN_PATH])
  else expect(paths).toEqual([])
}

describe('a refused port names the host, the port and the input, after three tries', () => {
  it.each(URL_INPUTS)('%s', async (input, inputs) => {
    const port = await closedPort()
    const host = `127.0.0.1:${port}`
    const main = await runStep({ inputs: inputs(`http://${host}`) })
    expect(main.exitCode, main.stdout).toBe(1)
    const errs = errors(main)
    expect(errs).toHaveLength(1)
    expect(errs[0]).toContain(`no answer: connection refused by ${host} (ECONNREFUSED). Tried 3 times. Check the \`${input}\` input (a wrong host or port?) and that the runner can reach that host`)
    expect(errs[0]).not.toMatch(/timeout/i)
    // Two retries, each logged with the host; then the error.
    expect(retries(main, host)).toHaveLength(2)
    expect(retries(main, host)[1]).toContain('(attempt 3 of at most 3)')
    expectOnlyTokenMint(input)
    expect(main.state.cleanup ?? '').toBe('')
  })

  it("GitHub's API: the runner's GITHUB_API_URL variable is named", async () => {
    const port = await closedPort()
    const host = `127.0.0.1:${port}`
    const main = await runStep({
      inputs: adobeInputs(emu, { operation: 'prune', 'prune-prefix': 'gh-', 'prune-closed': 'true', 'github-token': 'ghs_networkTest0123456789abcdef' }),
      env: { GITHUB_API_URL: `http://${host}` }
    })
    // The token check is not worth failing a prune for (see prune-closed): it says why and goes on.
    const line = main.stdout.split('\n').find(l => l.startsWith('Could not check github-token'))
    expect(line, main.stdout).toContain(`connection refused by ${host} (ECONNREFUSED). Tried 3 times. Check the runner's \`GITHUB_API_URL\` variable`)
    expect(retries(main, host)).toHaveLength(2)
    expect(renderLog(main).join('\n')).not.toContain('ghs_networkTest')
  })
})

describe('an unknown host (.invalid) names the host, the port and the input, without leaving the runner', () => {
  it.each(URL_INPUTS)('%s', async (input, inputs) => {
    const main = await runStep({ inputs: inputs('https://sandbox-api.invalid') })
    expect(main.exitCode, main.stdout).toBe(1)
    const [error] = errors(main)
    expect(error).toContain(
      `no answer: the host of sandbox-api.invalid:443 could not be found (ENOTFOUND). Tried 3 times. Check the host name in the \`${input}\` input and that the runner can resolve it`
    )
    expect(error).not.toMatch(/timeout/i)
    expect(retries(main, 'sandbox-api.invalid:443')).toHaveLength(2)
    expectOnlyTokenMint(input)
  })
})

describe('TLS refused', () => {
  it('https:// to a server that speaks plain HTTP fails at once, naming the host and the input', async () => {
    const host = new URL(emu.url).host
    const main = await runStep({ inputs: trackstarInputs(emu, { cleanup: 'none', 'trackstar-api-url': `https://${host}` }) })
    expect(main.exitCode, main.stdout).toBe(1)
    const [error] = errors(main)
    expect(error).toMatch(new RegExp(`no answer: TLS with ${host.replace(/\./g, '\\.')} failed: (EPROTO|ERR_SSL_WRONG_VERSION_NUMBER) \\(wrong version number\\)\\. Not retried`))
    expect(error).toContain('Check that the `trackstar-api-url` input names the right host (an http:// server behind an https:// URL?)')
    expect(retries(main, host)).toEqual([])
    // The handshake failed before any HTTP request: the emulator logged none.
    expect(emu.requests).toEqual([])
  })
})

describe('an adobe-ims-url that answers, but is not IMS', () => {
  it('a 404 for the token path says to check adobe-ims-url', async () => {
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'net-box', 'adobe-ims-url': `${emu.url}/not-ims` }) })
    expect(main.exitCode, main.stdout).toBe(1)
    const [error] = errors(main)
    expect(error).toMatch(/Adobe IMS: mint an access token \(client credentials\) failed: HTTP 404/)
    expect(error).toContain('Check adobe-ims-url: it must be the IMS base URL (https://ims-na1.adobelogin.com), under which /ims/token/v3 mints tokens')
    expect(emu.requests.map(r => r.path)).toEqual([`/not-ims${IMS_TOKEN_PATH}`])
  })

  it('a page that is not a token answer, every time, says to check adobe-ims-url', async () => {
    emu.faults.add({ method: 'POST', path: IMS_TOKEN_PATH, faults: [{ kind: 'html' }, { kind: 'html' }, { kind: 'html' }] })
    const main = await runStep({ inputs: adobeInputs(emu, { 'sandbox-name': 'net-box' }) })
    expect(main.exitCode, main.stdout).toBe(1)
    const [error] = errors(main)
    expect(error).toContain('HTTP 200, but the answer could not be read (not JSON). Check adobe-ims-url (it must be the IMS base URL, https://ims-na1.adobelogin.com)')
    expect(emu.requests.map(r => r.path)).toEqual([IMS_TOKEN_PATH, IMS_TOKEN_PATH, IMS_TOKEN_PATH])
  })
})
