// The registry of every secret value the step has seen. Registering masks the value in the
// runner's log (`::add-mask::`); `redact` removes secrets from text we build ourselves
// (errors, summaries, dumped responses), in the encodings a secret can take on the way.

export type MaskFn = (value: string) => void

const REDACTED = '***'

function base64(bytes: Buffer, url: boolean): string {
  return bytes.toString(url ? 'base64url' : 'base64')
}

/** The forms a secret can appear in inside a message, a URL or a JSON body: the runner masks these. */
export function encodings(value: string): string[] {
  const bytes = Buffer.from(value)
  const json = JSON.stringify(value).slice(1, -1)
  const forms = new Set<string>([
    value,
    json,
    json.replace(/\//g, '\\/'),
    asciiJson(value),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    base64(bytes, false),
    base64(bytes, false).replace(/=/g, ''),
    base64(bytes, true)
  ])
  return [...forms].filter(f => f.length > 0)
}

/** JSON as an ASCII-only encoder writes it: every other character as `\uXXXX`. */
function asciiJson(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/[^\x20-\x7e]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** A hex number that matches in upper or lower case: `[eE]9`. */
function hexAnyCase(n: number, width: number): string {
  return n
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, d => `[${d}${d.toUpperCase()}]`)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

const JSON_SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' }
const HTML_NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }

/**
 * Every way one character can be written in text that came back from a provider: as itself,
 * JSON-escaped (`\/`, `\uXXXX`, a surrogate pair), URL-encoded (`%XX` per UTF-8 byte in
 * either case, `+` for a space) or as an HTML character reference.
 */
function characterForms(ch: string): string[] {
  const code = ch.codePointAt(0) as number
  const forms = [escapeRegExp(ch)]
  if (JSON_SHORT[ch]) forms.push(escapeRegExp(JSON_SHORT[ch]))
  const units = ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [code]
  forms.push(units.map(u => `\\\\u${hexAnyCase(u, 4)}`).join(''))
  forms.push([...Buffer.from(ch)].map(b => `%${hexAnyCase(b, 2)}`).join(''))
  if (ch === ' ') forms.push('\\+')
  if (HTML_NAMED[ch]) forms.push(HTML_NAMED[ch])
  forms.push(`&#0*${code};`, `&#[xX]0*${hexAnyCase(code, 1)};`)
  return forms
}

/** One pattern for a secret in any mix of the character forms above. */
export function secretPattern(value: string): RegExp {
  return new RegExp([...value].map(ch => `(?:${characterForms(ch).join('|')})`).join(''), 'g')
}

/**
 * The stretches of base64 that any text holding the secret encodes to, at each of the three
 * byte alignments the secret can have in it (a `client:secret` pair, a token inside a blob):
 * only the characters that depend on the secret's bytes alone.
 */
export function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value)
  const cores: string[] = []
  for (const offset of [0, 1, 2]) {
    const text = base64(Buffer.concat([Buffer.alloc(offset), bytes]), false)
    const core = text.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6))
    // Short stretches would also match ordinary words.
    if (core.length >= 8) cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return cores
}

/**
 * The characters that begin every written form of a character other than itself (`\u`,
 * `%XX`, `&#..;`, `&amp;`, `+`): text without any of them can hold a secret only as itself.
 */
const ESCAPES = /[\\%&+]/

interface Known {
  value: string
  /** the pattern for any mix of written forms, built when text first needs it */
  pattern?: RegExp
}

export class Secrets {
  private readonly values = new Set<string>()
  /** exact forms, longest first: the base64 ones (whole and cores) */
  private forms: string[] = []
  /** every secret, longest first */
  private known: Known[] = []

  constructor(private readonly mask: MaskFn) {}

  /** Register a secret: masked in the log at once. Empty values are not secrets. */
  add(value: string | undefined | null): void {
    if (value === undefined || value === null) return
    const v = String(value)
    if (v.trim() === '' || this.values.has(v)) return
    this.values.add(v)
    for (const form of encodings(v)) {
      // Short encodings of short values would mask ordinary words in the log.
      if (form === v || form.length >= 8) this.mask(form)
    }
    const bytes = Buffer.from(v)
    const whole = [base64(bytes, false), base64(bytes, true)]
    this.forms = [...new Set([...this.forms, ...whole, ...base64Cores(v)])].sort((a, b) => b.length - a.length)
    this.known = [...this.known, { value: v }].sort((a, b) => b.value.length - a.value.length)
  }

  has(value: string): boolean {
    return this.values.has(value)
  }

  /** Replace every known secret (in any of its encodings) with ***. */
  redact(text: string): string {
    let out = text
    // Base64 first: its characters could hold a short secret's own letters.
    for (const form of this.forms) out = out.split(form).join(REDACTED)
    // Most text has no escapes at all: a plain search finds all there is, and the step never
    // builds the large pattern of a long token.
    const escaped = ESCAPES.test(out)
    for (const secret of this.known) {
      if (!escaped) out = out.split(secret.value).join(REDACTED)
      else out = out.replace((secret.pattern ??= secretPattern(secret.value)), REDACTED)
    }
    return out
  }
}
