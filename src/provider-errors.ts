// Turns any provider error body into its code and text. The providers answer in several
// shapes (see SPEC Part 2); this is the one place that knows them all.

export interface ParsedError {
  code?: string
  message?: string
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim()
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

export function parseErrorBody(text: string): ParsedError {
  const trimmed = text.trim()
  if (trimmed === '') return {}
  let body: unknown
  try {
    body = JSON.parse(trimmed)
  } catch {
    // Not JSON (an HTML error page from a proxy, say): keep a short, single-line excerpt.
    const line = trimmed.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()
    return { message: line.length > 200 ? `${line.slice(0, 200)}…` : line || undefined }
  }
  if (!body || typeof body !== 'object') return { message: str(body) }
  const b = body as Record<string, unknown>

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
  return { message: trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed }
}
