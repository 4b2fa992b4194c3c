// Checks action.yml against GitHub's metadata syntax for actions: the keys each level may
// hold, their types, the runtimes the runner still runs, and that the entry files exist.
// (The published JSON schemas for action metadata do not know `node24` yet.)
//   npx tsx scripts/action-metadata.ts [path/to/action.yml]
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'

const TOP = { name: 'string', author: 'string', description: 'string', inputs: 'map', outputs: 'map', runs: 'map', branding: 'map' } as const
const REQUIRED_TOP = ['name', 'description', 'runs']
const INPUT_KEYS = ['description', 'required', 'default', 'deprecationMessage']
const NODE_RUNTIMES = ['node20', 'node24']
const RETIRED_RUNTIMES = ['node12', 'node16']
const NODE_RUNS = ['using', 'main', 'pre', 'post', 'pre-if', 'post-if']
const DOCKER_RUNS = ['using', 'image', 'env', 'args', 'entrypoint', 'pre-entrypoint', 'post-entrypoint', 'pre-if', 'post-if']
const COLORS = ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']
const ID = /^[A-Za-z_][A-Za-z0-9_-]*$/

type Map = Record<string, unknown>
const isMap = (v: unknown): v is Map => typeof v === 'object' && v !== null && !Array.isArray(v)
const isScalar = (v: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof v)

/** Every problem found, as `where: what`; empty when the metadata is valid. */
export function checkActionMetadata(doc: unknown, actionDir: string): string[] {
  const out: string[] = []
  if (!isMap(doc)) return ['action.yml: expected a mapping at the top']
  for (const key of REQUIRED_TOP) if (doc[key] === undefined) out.push(`${key}: required`)
  for (const [key, value] of Object.entries(doc)) {
    const type = TOP[key as keyof typeof TOP]
    if (!type) out.push(`${key}: unknown key (allowed: ${Object.keys(TOP).join(', ')})`)
    else if (type === 'string' && typeof value !== 'string') out.push(`${key}: expected a string`)
    else if (type === 'map' && !isMap(value)) out.push(`${key}: expected a mapping`)
  }

  const runs = isMap(doc.runs) ? doc.runs : {}
  const using = runs.using
  const composite = using === 'composite'
  for (const [id, spec] of Object.entries(isMap(doc.inputs) ? doc.inputs : {})) {
    if (!ID.test(id)) out.push(`inputs.${id}: an id must start with a letter or _ and hold only letters, digits, - and _`)
    if (!isMap(spec)) {
      out.push(`inputs.${id}: expected a mapping`)
      continue
    }
    for (const key of Object.keys(spec)) if (!INPUT_KEYS.includes(key)) out.push(`inputs.${id}.${key}: unknown key (allowed: ${INPUT_KEYS.join(', ')})`)
    if (typeof spec.description !== 'string') out.push(`inputs.${id}.description: required, a string`)
    if (spec.required !== undefined && typeof spec.required !== 'boolean') out.push(`inputs.${id}.required: expected true or false`)
    if (spec.default !== undefined && !isScalar(spec.default)) out.push(`inputs.${id}.default: expected a string`)
    if (spec.deprecationMessage !== undefined && typeof spec.deprecationMessage !== 'string') out.push(`inputs.${id}.deprecationMessage: expected a string`)
  }
  for (const [id, spec] of Object.entries(isMap(doc.outputs) ? doc.outputs : {})) {
    if (!ID.test(id)) out.push(`outputs.${id}: an id must start with a letter or _ and hold only letters, digits, - and _`)
    if (!isMap(spec)) {
      out.push(`outputs.${id}: expected a mapping`)
      continue
    }
    const allowed = composite ? ['description', 'value'] : ['description']
    for (const key of Object.keys(spec)) if (!allowed.includes(key)) out.push(`outputs.${id}.${key}: unknown key for this kind of action (allowed: ${allowed.join(', ')})`)
    if (typeof spec.description !== 'string') out.push(`outputs.${id}.description: required, a string`)
    if (composite && spec.value === undefined) out.push(`outputs.${id}.value: required in a composite action`)
  }

  if (typeof using !== 'string') out.push('runs.using: required')
  else if (RETIRED_RUNTIMES.includes(using)) out.push(`runs.using: ${using} no longer runs on GitHub's runners; use ${NODE_RUNTIMES.at(-1)}`)
  else if (NODE_RUNTIMES.includes(using)) {
    for (const key of Object.keys(runs)) if (!NODE_RUNS.includes(key)) out.push(`runs.${key}: unknown key for a JavaScript action (allowed: ${NODE_RUNS.join(', ')})`)
    if (typeof runs.main !== 'string') out.push('runs.main: required, a path')
    for (const key of ['main', 'pre', 'post']) {
      const file = runs[key]
      if (file === undefined) continue
      if (typeof file !== 'string') out.push(`runs.${key}: expected a path`)
      else if (!existsSync(join(actionDir, file))) out.push(`runs.${key}: ${file} does not exist`)
    }
    for (const key of ['pre-if', 'post-if']) if (runs[key] !== undefined && typeof runs[key] !== 'string') out.push(`runs.${key}: expected a condition such as always()`)
    if (runs['pre-if'] !== undefined && runs.pre === undefined) out.push('runs.pre-if: set without runs.pre')
    if (runs['post-if'] !== undefined && runs.post === undefined) out.push('runs.post-if: set without runs.post')
  } else if (using === 'docker') {
    for (const key of Object.keys(runs)) if (!DOCKER_RUNS.includes(key)) out.push(`runs.${key}: unknown key for a Docker action`)
    if (typeof runs.image !== 'string') out.push('runs.image: required')
  } else if (composite) {
    if (!Array.isArray(runs.steps)) out.push('runs.steps: required, a list')
  } else {
    out.push(`runs.using: "${using}" is not a runtime (accepted: ${[...NODE_RUNTIMES, 'docker', 'composite'].join(', ')})`)
  }

  if (isMap(doc.branding)) {
    for (const key of Object.keys(doc.branding)) if (!['color', 'icon'].includes(key)) out.push(`branding.${key}: unknown key (allowed: color, icon)`)
    if (doc.branding.color !== undefined && !COLORS.includes(String(doc.branding.color))) out.push(`branding.color: "${String(doc.branding.color)}" is not one of ${COLORS.join(', ')}`)
    if (doc.branding.icon !== undefined && typeof doc.branding.icon !== 'string') out.push('branding.icon: expected a Feather icon name')
  }
  return out
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = resolve(process.argv[2] ?? 'action.yml')
  const problems = checkActionMetadata(parse(readFileSync(file, 'utf8')), dirname(file))
  for (const p of problems) console.error(`${file}: ${p}`)
  if (problems.length) process.exit(1)
  console.log(`${file}: valid action metadata`)
}
