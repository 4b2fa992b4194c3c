// Trackstar end to end: the bundled action against the emulator, as the runner runs it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EMULATOR_TRACKSTAR_API_KEY, startEmulator, type Emulator } from '../../emulator/index'
import { errors, runJob, runStep } from '../../scripts/local-runner'
import { expectMasked, expectMaskedEverywhere } from '../harness/secrets'
import { trackstarInputs } from '../../scripts/emulator-inputs'

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator()
})
afterAll(async () => emu?.close())
beforeEach(() => emu.clearLog())

const base = (): Record<string, string> => trackstarInputs(emu)

function calls(): string[] {
  return emu.requests.map(r => `${r.method} ${r.path} ${r.status}`)
}

describe('trackstar generate', () => {
  it('generates, verifies with an authenticated read, masks the secrets, and resets in the post step', async () => {
    const { main, post } = await runJob({ inputs: { ...base(), 'export-env': 'true' } })
    expect(main.exitCode, main.stdout).toBe(0)
    const conn = emu.trackstar.connections().find(c => c.type === 'wms')
    expect(conn).toBeDefined()
    expect(main.outputs.access_token).toBe(conn?.accessToken)
    expect(main.outputs.connection_id).toBe(conn?.connectionId)
    expect(main.outputs.integration_name).toBe('sandbox')
    expect(main.outputs.customer_id).toBe('')
    expect(JSON.parse(main.outputs.available_actions)).toContain('get_inventory')
    expect(main.outputs.created).toBe('true')
    expect(main.env.TRACKSTAR_ACCESS_TOKEN).toBe(main.outputs.access_token)
    expect(main.env.TRACKSTAR_CONNECTION_ID).toBe(main.outputs.connection_id)

    const secrets = [EMULATOR_TRACKSTAR_API_KEY, main.outputs.access_token, main.outputs.connection_id]
    for (const s of secrets) expectMasked(main, s)
    expectMaskedEverywhere(main, secrets)
    expectMaskedEverywhere(post, secrets)
    expect(main.summary).toContain('| Provider | Trackstar |')

    // verify read, then the post step's reset (generate again)
    expect(calls()).toEqual([
      'POST /sandbox/generate-sandbox/wms 200',
      'GET /wms/inventory 200',
      'POST /sandbox/generate-sandbox/wms 200'
    ])
    const verifyReq = emu.requests[1]
    expect(verifyReq.query.limit).toBe('1')
    expect(verifyReq.headers['x-trackstar-access-token']).toBe(main.outputs.access_token)
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('Reset the Trackstar wms sandbox')
    expect(post.summary).toContain('Post step')
  })

  it.each([
    ['cart', '/cart/orders'],
    ['carrier', '/carrier/invoice-line-items']
  ])('verifies a %s sandbox with a read of %s', async (type, path) => {
    const main = await runStep({ inputs: { ...base(), 'integration-type': type, cleanup: 'none' } })
    expect(main.exitCode, main.stdout).toBe(0)
    expect(calls()).toEqual([`POST /sandbox/generate-sandbox/${type} 200`, `GET ${path} 200`])
  })

  it('cleanup: delete removes the connection in the post step', async () => {
    const { main, post } = await runJob({ inputs: { ...base(), cleanup: 'delete', 'integration-type': 'cart' } })
    expect(main.exitCode).toBe(0)
    expect(post.exitCode).toBe(0)
    // the post step learns a fresh token by generating, then deletes with it
    expect(calls().slice(-2)).toEqual(['POST /sandbox/generate-sandbox/cart 200', 'DELETE /connections 200'])
    const del = emu.requests.at(-1)
    expect(del?.headers['x-trackstar-api-key']).toBe(EMULATOR_TRACKSTAR_API_KEY)
    expect(emu.trackstar.connections().find(c => c.type === 'cart')).toBeUndefined()
    expect(post.stdout).toContain('Deleted the Trackstar cart sandbox connection')
    expectMaskedEverywhere(post, [EMULATOR_TRACKSTAR_API_KEY, main.outputs.access_token, main.outputs.connection_id])
  })

  it('cleanup: none leaves the sandbox alone and saves no state', async () => {
    const { main, post } = await runJob({ inputs: { ...base(), cleanup: 'none', verify: 'false' } })
    expect(main.exitCode).toBe(0)
    expect(main.state.cleanup).toBeUndefined()
    expect(calls()).toEqual(['POST /sandbox/generate-sandbox/wms 200'])
    expect(post.stdout).toContain('nothing to clean up')
  })

  it('saves no secret in the post-step state', async () => {
    const main = await runStep({ inputs: { ...base(), cleanup: 'delete' } })
    expect(JSON.parse(main.state.cleanup)).toEqual({ provider: 'trackstar', integrationType: 'wms', action: 'delete', confirmed: true })
    expectMaskedEverywhere(main, [main.outputs.access_token, main.outputs.connection_id, EMULATOR_TRACKSTAR_API_KEY])
  })

  it('a bad key fails with the 401, the provider text and its request id', async () => {
    const main = await runStep({ inputs: { ...base(), 'trackstar-api-key': 'wrong-key-123456' } })
    expect(main.exitCode).toBe(1)
    const [error] = errors(main)
    const req = emu.requests[0]
    expect(req.status).toBe(401)
    expect(error).toContain('HTTP 401')
    expect(error).toContain(req.requestId)
    expect(error).toContain('trackstar-api-key')
    expect(error).not.toContain('wrong-key-123456')
    expect(emu.requests).toHaveLength(1) // a 401 is not retried
  })
})

describe('trackstar delete', () => {
  it('with a token, deletes the connection', async () => {
    const gen = await runStep({ inputs: { ...base(), 'integration-type': 'carrier', cleanup: 'none', verify: 'false' } })
    emu.clearLog()
    const del = await runStep({ inputs: { ...base(), operation: 'delete', 'integration-type': 'carrier', 'trackstar-access-token': gen.outputs.access_token } })
    expect(del.exitCode, del.stdout).toBe(0)
    expect(calls()).toEqual(['DELETE /connections 200'])
    expect(del.outputs.connection_id).toBe(gen.outputs.connection_id)
    expect(del.outputs.created).toBe('false')
    expectMaskedEverywhere(del, [gen.outputs.access_token, gen.outputs.connection_id])
  })

  it('without a token, generates first to learn it', async () => {
    const del = await runStep({ inputs: { ...base(), operation: 'delete' } })
    expect(del.exitCode, del.stdout).toBe(0)
    expect(calls()).toEqual(['POST /sandbox/generate-sandbox/wms 200', 'DELETE /connections 200'])
    expect(del.state.cleanup).toBeUndefined()
  })

  it('with the token in TRACKSTAR_ACCESS_TOKEN, deletes with it, generates nothing, and masks it', async () => {
    const gen = await runStep({ inputs: { ...base(), 'integration-type': 'cart', cleanup: 'none', verify: 'false' } })
    const token = gen.outputs.access_token
    expect(token.length).toBeGreaterThan(8)
    emu.clearLog()
    const inputs = { ...base(), operation: 'delete', 'integration-type': 'cart' }
    delete (inputs as Record<string, string>)['trackstar-access-token']
    const del = await runStep({ inputs, env: { TRACKSTAR_ACCESS_TOKEN: token } })
    expect(del.exitCode, del.stdout).toBe(0)
    expect(calls()).toEqual(['DELETE /connections 200'])
    expect(emu.requests[0].headers['x-trackstar-access-token']).toBe(token)
    expect(emu.trackstar.connections().find(c => c.type === 'cart')).toBeUndefined()
    expectMasked(del, token)
    expectMaskedEverywhere(del, [token])
  })
})
