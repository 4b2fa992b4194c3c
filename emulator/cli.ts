// Starts the emulator from the command line for the demo and CI scripts:
//   npx tsx emulator/cli.ts [--port N] [--host 127.0.0.1] [--provision-ms N] [--latency-ms N] [--url-file PATH]
//     [--page-cap N] [--license-limit N] [--default-sandbox-name NAME] [--trackstar-shape SHAPE]
import { writeFileSync } from 'node:fs'
import {
  EMULATOR_ADOBE_CLIENT_ID,
  EMULATOR_ADOBE_CLIENT_SECRET,
  EMULATOR_ADOBE_ORG_ID,
  EMULATOR_TRACKSTAR_API_KEY
} from './credentials'
import { startEmulator, type EmulatorOptions } from './server'
import type { TrackstarShape } from './trackstar'

const USAGE =
  'usage: emulator/cli.ts [--port N] [--host HOST] [--provision-ms N] [--latency-ms N] [--url-file PATH]' +
  ' [--page-cap N] [--license-limit N] [--default-sandbox-name NAME] [--trackstar-shape SHAPE]'

function parseArgs(argv: string[]): { options: EmulatorOptions; urlFile?: string } {
  const options: EmulatorOptions = {}
  let urlFile: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2)
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined) throw new Error(`${flag} needs a value`)
      return v
    }
    const count = (): number => {
      const v = value()
      if (!/^\d+$/.test(v)) throw new Error(`${flag} needs a non-negative integer, got ${v}`)
      return Number(v)
    }
    switch (flag) {
      case '--port':
        options.port = count()
        break
      case '--host':
        options.host = value()
        break
      case '--provision-ms': {
        // Create and reset take this long; delete is quicker, as on the real service.
        const ms = count()
        options.adobe = { ...options.adobe, createMs: ms, resetMs: ms, deleteMs: Math.min(ms, 1000) }
        break
      }
      case '--latency-ms':
        options.latencyMs = count()
        break
      case '--page-cap':
        options.adobe = { ...options.adobe, pageCap: count() }
        break
      case '--license-limit':
        options.adobe = { ...options.adobe, licenseLimit: count() }
        break
      case '--default-sandbox-name':
        options.adobe = { ...options.adobe, defaultSandboxName: value() }
        break
      case '--trackstar-shape':
        options.trackstar = { ...options.trackstar, shape: value() as TrackstarShape }
        break
      case '--url-file':
        urlFile = value()
        break
      case '--help':
      case '-h':
        console.log(USAGE)
        process.exit(0)
        break
      default:
        throw new Error(`unknown argument ${argv[i]}`)
    }
  }
  return { options, urlFile }
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`)
    process.exit(2)
  }
  const emulator = await startEmulator(parsed.options)
  if (parsed.urlFile) writeFileSync(parsed.urlFile, `${emulator.url}\n`)
  console.log(`Emulator listening on ${emulator.url}`)
  console.log(`  trackstar-api-key:   ${EMULATOR_TRACKSTAR_API_KEY}`)
  console.log(`  adobe-client-id:     ${EMULATOR_ADOBE_CLIENT_ID}`)
  console.log(`  adobe-client-secret: ${EMULATOR_ADOBE_CLIENT_SECRET}`)
  console.log(`  adobe-org-id:        ${EMULATOR_ADOBE_ORG_ID}`)
  console.log(`  trackstar-api-url / adobe-ims-url / adobe-platform-url: ${emulator.url}`)

  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch(err => {
  console.error(err instanceof Error ? err.message : String(err))
  process.exit(1)
})
