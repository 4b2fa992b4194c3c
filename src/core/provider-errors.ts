// Turns any provider error body into its code and text. The providers answer in several
// shapes (Adobe's gateway, its services and IMS, and Trackstar each have their own); this is the one place that knows them all. Provider text is
// redacted on its decoded form, before any excerpt is cut, and made safe for one log line.
import { oneLine } from './log'

export interface ParsedError {
  code?: string
  message?: string
}

/** Removes the step's secrets from a text; the identity when none are known. */
export type Redact = (text: string) => string

/** Longest provider text shown in a message. */
export const EXCERPT_CHARS = 200

function str(v: unknown): string | undefined {
  // Blank text is no text; excerpt() trims what it keeps.
  if (typeof v === 'string' && v.trim() !== '') return v
  if (typeof v === 'number') return String(v)
  return undefined
}

/** Flattens a Trackstar 422 `detail` ({location: {field: [messages]}}) into one line. */
function flattenDetail(detail: unknown): string | undefined {
  if (!detail || typeof detail !== 'object') return str(detail)
  const parts: string[] = []
  for (const [location, fields] of Object.entries(detail as Record<string, unknown>)) {
    if (fields && typeof fields === 'object') {
      for (const [field, msgs] of Object.entries(fields as Record<string, unknown>)) {
        const text = Array.isArray(msgs) ? msgs.join('; ') : String(msgs)
        parts.push(`${location}.${field}: ${text}`)
      }
    } else {
      parts.push(`${location}: ${String(fields)}`)
    }
  }
  return parts.length ? parts.join(', ') : undefined
}

/** A JSON value with every string in it (keys too) redacted: the decoded text, whatever escapes it came in. */
function redactValue(v: unknown, redact: Redact): unknown {
  if (typeof v === 'string') return redact(v)
  if (Array.isArray(v)) return v.map(item => redactValue(item, redact))
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [redact(k), redactValue(item, redact)]))
  }
  return v
}

/** Provider text as a message shows it: redacted, on one line, command-free, then cut short. */
export function excerpt(text: string, redact: Redact): string | undefined {
  // Redact before the cut (a cut could leave part of a secret) and after the line is made
  // plain (a secret with a line break in it was whole only before).
  const line = oneLine(redact(text)).replace(/\s+/g, ' ').trim()
  if (line === '') return undefined
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line
}

export function parseErrorBody(text: string, redact: Redact = t => t): ParsedError {
  let decoded: unknown
  try {
    decoded = JSON.parse(text)
  } catch {
    // Not JSON (an HTML error page from a proxy, say; nothing at all): redacted whole, then
    // the tags dropped.
    return present({ message: excerpt(redact(text).replace(/<[^>]*>/g, ' '), redact) })
  }
  const parsed = shape(redactValue(decoded, redact))
  const cut = (v: string | undefined): string | undefined => (v === undefined ? undefined : excerpt(v, redact))
  return present({ code: cut(parsed.code), message: cut(parsed.message) })
}

/** Without the fields that hold nothing. */
function present(e: ParsedError): ParsedError {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined))
}

/** "body.value: must be string; header: …" from a validation list; undefined when it holds no message. */
function validationText(list: unknown): string | undefined {
  if (!Array.isArray(list)) return undefined
  const parts: string[] = []
  for (const item of list) {
    if (!item || typeof item !== 'object') continue
    const { location, message } = item as Record<string, unknown>
    const text = str(message)
    if (!text) continue
    const where = Array.isArray(location) ? location.map(str).filter(Boolean).join('.') : str(location)
    parts.push(where ? `${where}: ${text}` : text)
  }
  return parts.length ? parts.join('; ') : undefined
}

/** The code and text of an error body, by the shape it has. */
function shape(body: unknown): ParsedError {
  if (!body || typeof body !== 'object') return { message: str(body) }
  const b = body as Record<string, unknown>

  // A server that validates requests against an OpenAPI file: a problem body whose
  // `validation` list says what was wrong and where ({location: ["body", "value"], message}).
  // The title alone ("Invalid request") would not say which part of the request to fix.
  const found = validationText(b.validation)
  if (found) {
    const code = typeof b.type === 'string' ? /([A-Z]+-\d+-\d+)\s*$/.exec(b.type)?.[1] : undefined
    return { code, message: [str(b.title), found].filter(Boolean).join(': ') }
  }
  // Adobe sandbox service: {type: ".../SMS-2074-400", status, title}
  if (typeof b.type === 'string' && (b.title !== undefined || b.detail !== undefined)) {
    const code = /([A-Z]+-\d+-\d+)\s*$/.exec(b.type)?.[1]
    return { code, message: str(b.title) ?? str(b.detail) }
  }
  // Adobe gateway: {error_code, message}
  if (b.error_code !== undefined) return { code: str(b.error_code), message: str(b.message) }
  // IMS: {error, error_description}
  if (typeof b.error === 'string' && b.error_description !== undefined) {
    return { code: b.error, message: str(b.error_description) }
  }
  // Trackstar: {error, origin} / {error, id} / {error, detail}
  if (b.error !== undefined) {
    let message = str(b.error) ?? JSON.stringify(b.error)
    const detail = flattenDetail(b.detail)
    if (detail) message += ` (${detail})`
    if (typeof b.id === 'string' && b.id) message += ` (id ${b.id})`
    return { message }
  }
  if (b.message !== undefined) return { message: str(b.message) }
  // A body of unknown shape: shown as JSON, its strings already redacted.
  return { message: JSON.stringify(body) }
}
