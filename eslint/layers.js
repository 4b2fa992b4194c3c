// Two lint rules that keep the tree's layers as docs/architecture.md draws them:
//   layers/boundaries  what the files of a folder may import (a folder of ours, or a package)
//   layers/no-cycle    no import cycle among the project's own files, type-only imports included
// Both read import paths as written: relative paths are resolved to files of the project, bare
// names are packages. They need no type information, so they run with the rest of ESLint.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'

/** The import and export-from specifiers of a source text (comments removed first). */
export function specifiers(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
  const out = []
  const statement = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"\n]+)['"]/g
  const dynamic = /\bimport\(\s*(?:\/\*[\s\S]*?\*\/\s*)?['"]([^'"\n]+)['"]\s*\)/g
  for (const m of code.matchAll(statement)) out.push(m[1])
  for (const m of code.matchAll(dynamic)) out.push(m[1])
  return out
}

const EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '/index.ts', '/index.js']

/** The project file a relative specifier names, or undefined (a package, or nothing on disk). */
export function resolveImport(fromFile, spec) {
  if (!spec.startsWith('.')) return undefined
  const base = resolve(dirname(fromFile), spec)
  for (const ext of ['', ...EXTENSIONS]) {
    const candidate = base + ext
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  return undefined
}

const importsCache = new Map()

/** The project files a file imports (cached for one lint run: files do not change meanwhile). */
function importsOf(file) {
  let found = importsCache.get(file)
  if (!found) {
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      // a file that cannot be read imports nothing we can follow
    }
    found = [...new Set(specifiers(text).map(s => resolveImport(file, s)).filter(Boolean))]
    importsCache.set(file, found)
  }
  return found
}

/** A cycle through `start`, as the list of files from it back to it, or undefined. */
export function cycleThrough(start, direct = importsOf(start)) {
  const seen = new Set()
  const path = [start]
  const visit = file => {
    if (file === start) return true
    if (seen.has(file)) return false
    seen.add(file)
    path.push(file)
    for (const next of importsOf(file)) if (visit(next)) return true
    path.pop()
    return false
  }
  for (const next of direct) {
    if (visit(next)) return [...path, start]
  }
  return undefined
}

const AST_SOURCES = ['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'ImportExpression']

/** Calls `each(node, spec)` for every import of the file ESLint is looking at. */
function onImports(each) {
  const visitor = {}
  for (const type of AST_SOURCES) {
    visitor[type] = node => {
      const spec = node.source && node.source.type === 'Literal' && typeof node.source.value === 'string' ? node.source.value : undefined
      if (spec) each(node, spec)
    }
  }
  return visitor
}

const toPosix = p => p.split(sep).join('/')

const noCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid import cycles among the project\'s own files (type-only imports included)' },
    schema: [],
    messages: { cycle: 'Import cycle: {{cycle}}. Move what both need into a module of its own (docs/architecture.md)' }
  },
  create(context) {
    const file = context.filename
    if (!isAbsolute(file)) return {}
    const cwd = context.cwd
    const reported = new Set()
    return onImports((node, spec) => {
      const target = resolveImport(file, spec)
      if (!target) return
      const cycle = cycleThrough(file, [target])
      if (!cycle) return
      const text = cycle.map(f => toPosix(relative(cwd, f))).join(' → ')
      if (reported.has(text)) return
      reported.add(text)
      context.report({ node, messageId: 'cycle', data: { cycle: text } })
    })
  }
}

/**
 * Options: a list of `{ from, except?, disallow: [...], why }`. A file whose path (from the
 * project root, with `/`) starts with `from` and not with `except` may not import anything
 * whose path starts with an entry of `disallow`, nor a package named in it.
 */
const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid imports that cross a layer of the tree the wrong way' },
    schema: [
      {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            from: { type: 'string' },
            except: { type: 'string' },
            disallow: { type: 'array', items: { type: 'string' } },
            why: { type: 'string' }
          },
          required: ['from', 'disallow', 'why'],
          additionalProperties: false
        }
      }
    ],
    messages: { crossing: '{{file}} may not import {{target}}: {{why}}' }
  },
  create(context) {
    const file = context.filename
    if (!isAbsolute(file)) return {}
    const cwd = context.cwd
    const here = toPosix(relative(cwd, file))
    const rules = (context.options[0] ?? []).filter(r => here.startsWith(r.from) && !(r.except && here.startsWith(r.except)))
    if (rules.length === 0) return {}
    return onImports((node, spec) => {
      const resolved = resolveImport(file, spec)
      const target = resolved ? toPosix(relative(cwd, resolved)) : spec
      for (const rule of rules) {
        const hit = rule.disallow.find(d => (resolved ? target.startsWith(d) : target === d || target.startsWith(`${d}/`)))
        if (hit) context.report({ node, messageId: 'crossing', data: { file: here, target, why: rule.why } })
      }
    })
  }
}

export default { meta: { name: 'layers' }, rules: { 'no-cycle': noCycle, boundaries } }
