// Property: whatever the client secret is (random printable ASCII and Unicode) and however the
// provider echoes it back (raw, JSON-escaped with \/ and \uXXXX, URL- or form-encoded,
// base64, base64url, inside HTML), no 4-character piece of it appears in anything the bundled
// step shows: stdout (outside its `::add-mask::` lines), stderr, the state or the summary.
// Seeded: PROPERTY_SEED=<n> replays a run; the seed is in every failure message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator, type Fault } from '../../emulator/index'
import { runStep, type StepRun } from '../../scripts/local-runner'
import { adobeInputs } from '../../scripts/emulator-inputs'
import { fragments, shownText } from '../harness/secrets'

const SEED = Number(process.env.PROPERTY_SEED) || Date.now() % 2 ** 31
const CASES = 36
const LANES = 6
const TOKEN_PATH = '/ims/token/v3'

/** mulberry32: small, seedable, good enough to pick characters and encodings. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i))
const ASCII = range(0x21, 0x7e)
// Latin-1, Greek, Cyrillic, Arabic, CJK, emoji (outside the BMP: surrogate pairs in JSON).
const UNICODE = [...range(0xa1, 0xff), ...range(0x391, 0x3a9), ...range(0x410, 0x44f), ...range(0x627, 0x64a), ...range(0x4e00, 0x4e3f), ...range(0x1f600, 0x1f64f), '€', '™', '→']

type Encode = (secret: string, rnd: () => number) => string | Record<string, unknown>

const jsonAscii = (s: string, upper: boolean): string =>
  JSON.stringify(s)
    .slice(1, -1)
    .replace(/\//g, '\\/')
    .replace(/[^\x20-\x7e]/g, c => {
      const hex = c.charCodeAt(0).toString(16).padStart(4, '0')
      return `\\u${upper ? hex.toUpperCase() : hex}`
    })
const html = (s: string, numeric: boolean): string =>
  [...s]
    .map(c => {
      if (numeric && (c.codePointAt(0) as number) > 0x7e) return `&#${c.codePointAt(0)};`
      return ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' } as Record<string, string>)[c] ?? c
    })
    .join('')

/** Bodies an error answer could carry the secret in: [name, body]. Strings go out as they are. */
const ENCODINGS: [string, Encode][] = [
  ['raw in JSON', s => ({ error: 'invalid_client', error_description: `bad client_secret ${s}` })],
  ['JSON-escaped text with \\/ and \\uXXXX', (s, r) => `{"error":"invalid_client","error_description":"bad client_secret ${jsonAscii(s, r() < 0.5)}"}`],
  ['unknown JSON shape', (s, r) => `{"detail":{"received":{"client_secret":"${jsonAscii(s, r() < 0.5)}"}}}`],
  ['URL-encoded text', s => `bad request: client_secret=${encodeURIComponent(s)}&grant_type=client_credentials`],
  ['form-encoded text', s => `bad request: ${new URLSearchParams({ client_secret: s, scope: 'openid' }).toString()}`],
  ['URL-encoded in lower-case hex', s => `client_secret=${encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, m => m.toLowerCase())}`],
  ['base64', s => ({ error: 'invalid_client', error_description: `credential ${Buffer.from(s).toString('base64')}` })],
  ['base64url', s => `credential ${Buffer.from(s).toString('base64url')}`],
  ['base64 of id:secret', s => `Basic ${Buffer.from(`emulator-client-id:${s}`).toString('base64')}`],
  ['inside HTML', (s, r) => `<html><head><title>401</title></head><body><h1>Unauthorized</h1><p>bad client_secret ${html(s, r() < 0.5)}</p></body></html>`]
]

/** The exact echoed texts, to check that none comes back whole either. */
function echoedForms(secret: string, bodies: (string | Record<string, unknown>)[]): string[] {
  const forms = [encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), jsonAscii(secret, false)]
  return forms.filter(f => f.length >= 8 && bodies.some(b => (typeof b === 'string' ? b : JSON.stringify(b)).includes(f)))
}

/** One main step whose token request is answered with a 503, then a 401, each echoing the secret. */
async function runCase(emu: Emulator, secret: string, bodies: (string | Record<string, unknown>)[]): Promise<StepRun> {
  const faults: Fault[] = [
    { kind: 'status', status: 503, body: bodies[0] },
    { kind: 'status', status: 401, body: bodies[1] }
  ]
  emu.faults.clear()
  emu.faults.add({ method: 'POST', path: TOKEN_PATH, faults })
  return runStep({
    inputs: adobeInputs(emu, { 'adobe-client-secret': secret, 'sandbox-name': 'property' }),
    env: { RUNNER_DEBUG: '1' }
  })
}

let emulators: Emulator[] = []
/**
 * What the step shows on its own, from baseline runs: its characters and its 4-character
 * pieces. A secret is built so that every 4-character piece of it holds a character the
 * baseline never showed (a symbol or a non-ASCII character, not a letter or digit, which
 * request ids and timings could bring), and none of its pieces is one the baseline showed:
 * a piece found in a case's output can then only have come from the secret.
 */
let ordinary = new Set<string>()
const ordinaryPieces = new Set<string>()

beforeAll(async () => {
  emulators = await Promise.all(Array.from({ length: LANES }, () => startEmulator()))
  const baselineSecret = 'baseline-secret-0123456789'
  const rnd = prng(1)
  const bodies = ENCODINGS.map(([, encode]) => encode(baselineSecret, rnd))
  const pairs = Array.from({ length: Math.ceil(bodies.length / 2) }, (_, k) => [bodies[2 * k], bodies[2 * k + 1] ?? bodies[0]])
  // one baseline run per lane at a time
  for (let from = 0; from < pairs.length; from += LANES) {
    const runs = await Promise.all(pairs.slice(from, from + LANES).map((pair, lane) => runCase(emulators[lane], baselineSecret, pair)))
    for (const run of runs) {
      const shown = shownText(run)
      for (const ch of shown) ordinary.add(ch)
      for (const piece of fragments(shown)) ordinaryPieces.add(piece)
    }
  }
  ordinary = new Set([...ordinary])
}, 60_000)
afterAll(async () => {
  await Promise.all(emulators.map(e => e.close()))
})

/** A secret of `length` characters; every third is one the step never shows on its own. */
function secretFor(rnd: () => number, alphabet: string[], length: number): string {
  const rare = alphabet.filter(c => !ordinary.has(c) && !/[A-Za-z0-9]/.test(c))
  const rarePool = rare.length >= 2 ? rare : UNICODE.filter(c => !ordinary.has(c))
  for (let tries = 0; tries < 1000; tries++) {
    const chars: string[] = []
    for (let i = 0; i < length; i++) chars.push(i % 3 === 0 ? pick(rnd, rarePool) : pick(rnd, alphabet))
    const secret = chars.join('')
    if (!fragments(secret).some(f => ordinaryPieces.has(f))) return secret
  }
  throw new Error(`seed ${SEED}: no secret without a piece of the baseline output in 1000 tries`)
}

describe('redaction property', () => {
  it(`no piece of a random secret, echoed in random encodings, is ever shown (${CASES} cases)`, async () => {
    const rnd = prng(SEED)
    const cases = Array.from({ length: CASES }, (_, i) => {
      const alphabet = i % 2 === 0 ? ASCII : [...ASCII, ...UNICODE, ...UNICODE]
      const secret = secretFor(rnd, alphabet, 12 + Math.floor(rnd() * 30))
      const chosen = [pick(rnd, ENCODINGS), pick(rnd, ENCODINGS)]
      return { i, secret, names: chosen.map(([name]) => name), bodies: chosen.map(([, encode]) => encode(secret, rnd)) }
    })
    const failures: string[] = []
    let exposures = 0
    await Promise.all(
      emulators.map(async (emu, lane) => {
        for (const c of cases.filter(k => k.i % LANES === lane)) {
          const run = await runCase(emu, c.secret, c.bodies)
          const where = `seed ${SEED} case ${c.i} (${c.names.join(', ')}), secret ${JSON.stringify(c.secret)}`
          if (run.exitCode !== 1 || !/::error[^:]*::Adobe IMS/.test(run.stdout)) failures.push(`${where}: the step did not fail on the echoed 401\n${run.stdout}`)
          if (!run.masks.includes(c.secret)) failures.push(`${where}: the secret was not masked`)
          const shown = shownText(run)
          const leaked = [...fragments(c.secret).filter(f => shown.includes(f)), ...echoedForms(c.secret, c.bodies).filter(f => shown.includes(f))]
          if (leaked.length) {
            exposures++
            failures.push(`${where}: shown ${JSON.stringify(leaked.slice(0, 5))}\n${shown}`)
          }
        }
      })
    )
    console.log(`redaction property: seed ${SEED}, ${CASES} cases, ${exposures} exposed; ASCII never shown on its own: ${ASCII.filter(ch => !ordinary.has(ch)).join('')}`)
    expect(failures, `seed ${SEED}`).toEqual([])
  }, 120_000)
})
