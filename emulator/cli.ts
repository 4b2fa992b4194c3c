// Starts the emulator from the command line for the demo, local runs and CI:
//   npx tsx emulator/cli.ts [flags]      (npm run emulator -- --help lists them)
// Every flag is one entry of FLAGS: its name, default, help text, and what it sets.
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import {
  EMULATOR_ADOBE_CLIENT_ID,
  EMULATOR_ADOBE_CLIENT_SECRET,
  EMULATOR_ADOBE_ORG_ID,
  EMULATOR_TRACKSTAR_API_KEY
} from './credentials'
import { faultRuleFromJson, type FaultRule } from './faults'
import { platformMode } from './modes'
import { startEmulator, type EmulatorOptions } from './server'
import type { TrackstarShape } from './trackstar'

export interface CliConfig {
  options: EmulatorOptions
  faults: FaultRule[]
  urlFile?: string
}

interface Flag {
  name: string
  /** what holds when the flag is absent, for --help */
  default: string
  /** the value's form, for --help: N, HOST, PATH, JSON */
  value: string
  help: string
  /** may be given more than once */
  multiple?: boolean
  apply(config: CliConfig, value: string): void
}

function count(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new Error(`--${flag} needs a non-negative integer, got ${v}`)
  return Number(v)
}

const adobe = (c: CliConfig, patch: NonNullable<EmulatorOptions['adobe']>): void => {
  c.options.adobe = { ...c.options.adobe, ...patch }
}

export const FLAGS: Flag[] = [
  { name: 'port', value: 'N', default: '0', help: 'port to listen on (0: a free port)', apply: (c, v) => (c.options.port = count('port', v)) },
  { name: 'host', value: 'HOST', default: '127.0.0.1', help: 'address to listen on', apply: (c, v) => (c.options.host = v) },
  {
    name: 'provision-ms',
    value: 'N',
    default: 'create 3000, reset 3000, delete 1000',
    help: 'sets create and reset time at once; delete takes at most 1000 (as on the real service, it is quicker)',
    apply: (c, v) => {
      const ms = count('provision-ms', v)
      adobe(c, { createMs: ms, resetMs: ms, deleteMs: Math.min(ms, 1000) })
    }
  },
  { name: 'create-ms', value: 'N', default: '3000', help: 'how long an Adobe sandbox stays "creating"', apply: (c, v) => adobe(c, { createMs: count('create-ms', v) }) },
  { name: 'reset-ms', value: 'N', default: '3000', help: 'how long an Adobe sandbox stays "resetting"', apply: (c, v) => adobe(c, { resetMs: count('reset-ms', v) }) },
  { name: 'delete-ms', value: 'N', default: '1000', help: 'how long an Adobe sandbox stays "deleting"', apply: (c, v) => adobe(c, { deleteMs: count('delete-ms', v) }) },
  { name: 'licence-size', value: 'N', default: '5', help: 'Adobe sandboxes the licence allows, the default one included', apply: (c, v) => adobe(c, { licenseLimit: count('licence-size', v) }) },
  { name: 'license-limit', value: 'N', default: '5', help: 'the same as --licence-size', apply: (c, v) => adobe(c, { licenseLimit: count('license-limit', v) }) },
  { name: 'page-cap', value: 'N', default: '50', help: 'most sandboxes on one list page, whatever limit asks (_page.limit says it)', apply: (c, v) => adobe(c, { pageCap: count('page-cap', v) }) },
  { name: 'default-sandbox-name', value: 'NAME', default: 'prod', help: "the default (isDefault) sandbox's name", apply: (c, v) => adobe(c, { defaultSandboxName: v }) },
  {
    name: 'trackstar-shape',
    value: 'SHAPE',
    default: 'current',
    help: "Trackstar generate's answer: current, endpoints, no-me, me-null, legacy or rotate",
    apply: (c, v) => (c.options.trackstar = { ...c.options.trackstar, shape: v as TrackstarShape })
  },
  {
    name: 'platform-mode',
    value: 'MODE',
    default: 'spec',
    help: "the roles and sandbox-tooling APIs: spec (as strict as Adobe's OpenAPI) or docs (the forms Adobe's docs show)",
    apply: (c, v) => {
      let mode
      try {
        mode = platformMode(v)
      } catch {
        throw new Error(`--platform-mode needs spec or docs, got ${v}`)
      }
      c.options.platform = { ...c.options.platform, mode }
    }
  },
  { name: 'latency-ms', value: 'N', default: '0', help: 'added before every provider request is handled', apply: (c, v) => (c.options.latencyMs = count('latency-ms', v)) },
  { name: 'latency-jitter-ms', value: 'N', default: '0', help: 'a random delay up to this long, added per request', apply: (c, v) => (c.options.latencyJitterMs = count('latency-jitter-ms', v)) },
  {
    name: 'fault',
    value: 'JSON',
    default: 'none',
    multiple: true,
    help:
      'a fault rule, as POST /_emulator/faults takes it; repeatable. Example: ' +
      `'{"method":"POST","path":"/sandbox/generate-sandbox/wms","faults":[{"kind":"status","status":503}]}'. ` +
      'Kinds: status, status-after, delay, drop-before, drop-after, rate-limit, html, wrong-shape, echo, act-later, cap-page, ignore-offset, shift-pages, skew-dates, shape; "pass" lets one request through',
    apply: (c, v) => {
      let parsed: unknown
      try {
        parsed = JSON.parse(v)
      } catch {
        throw new Error(`--fault needs a JSON fault rule, got ${v}`)
      }
      c.faults.push(faultRuleFromJson(parsed))
    }
  },
  { name: 'url-file', value: 'PATH', default: 'none', help: 'write the emulator URL to this file once it listens', apply: (c, v) => (c.urlFile = v) }
]

export function usage(): string {
  const rows = FLAGS.map(f => [`--${f.name} ${f.value}`, `${f.help} (default: ${f.default})`])
  const width = Math.max(...rows.map(([l]) => l.length), '-h, --help'.length)
  return ['usage: npm run emulator -- [flags]', '', ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`), `  ${'-h, --help'.padEnd(width)}  this text`].join('\n')
}

/** Reads the flags; throws on an unknown flag or a bad value. Undefined for --help. */
export function parseCli(argv: string[]): CliConfig | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(FLAGS.map(f => [f.name, { type: 'string' as const, multiple: f.multiple ?? false }]))
    }
  })
  if (values.help) return undefined
  const config: CliConfig = { options: {}, faults: [] }
  for (const flag of FLAGS) {
    const given = (values as Record<string, string | string[] | boolean | undefined>)[flag.name] as string | string[] | undefined
    for (const v of given === undefined ? [] : Array.isArray(given) ? given : [given]) flag.apply(config, v)
  }
  return config
}

async function main(): Promise<void> {
  let config: CliConfig | undefined
  try {
    config = parseCli(process.argv.slice(2))
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${usage()}`)
    process.exit(2)
  }
  if (!config) {
    console.log(usage())
    return
  }
  const emulator = await startEmulator(config.options)
  for (const rule of config.faults) emulator.faults.add(rule)
  if (config.urlFile) writeFileSync(config.urlFile, `${emulator.url}\n`)
  console.log(`Emulator listening on ${emulator.url}`)
  console.log(`  trackstar-api-key:   ${EMULATOR_TRACKSTAR_API_KEY}`)
  console.log(`  adobe-client-id:     ${EMULATOR_ADOBE_CLIENT_ID}`)
  console.log(`  adobe-client-secret: ${EMULATOR_ADOBE_CLIENT_SECRET}`)
  console.log(`  adobe-org-id:        ${EMULATOR_ADOBE_ORG_ID}`)
  console.log(`  trackstar-api-url / adobe-ims-url / adobe-platform-url: ${emulator.url}`)
  if (config.faults.length) console.log(`  faults: ${config.faults.length} rule(s) waiting`)

  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

// Run only as a command, so tests can import the flag table.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch(err => {
    console.error(err instanceof Error ? err.message : String(err))
    process.exit(1)
  })
}
