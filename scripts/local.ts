// `npm run local`: runs the bundled action's main and post steps with the inputs and
// credentials in .env (see .env.example), as the runner would, and prints the masked log.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { maskedOutputs, renderLog, ROOT, runJob } from './local-runner'

const file = join(ROOT, '.env')
if (!existsSync(file)) {
  console.error('No .env: copy .env.example to .env and fill it in.')
  process.exit(1)
}
const inputs: Record<string, string> = {}
const env: Record<string, string> = {}
for (const line of readFileSync(file, 'utf8').split('\n')) {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_-]*)=(.*)$/.exec(line)
  if (!m) continue
  if (m[1].startsWith('INPUT_')) inputs[m[1].slice(6).toLowerCase()] = m[2].trim()
  else env[m[1]] = m[2].trim()
}
const { main, post } = await runJob({ inputs, env, timeoutMs: 30 * 60_000 })
const masks = [...main.masks, ...post.masks]
console.log('▶ Main step')
for (const l of renderLog(main, masks)) console.log(`  ${l}`)
console.log('Outputs:', maskedOutputs(main))
console.log('▶ Post step')
for (const l of renderLog(post, masks)) console.log(`  ${l}`)
process.exitCode = main.exitCode || post.exitCode || 0
