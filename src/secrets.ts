// The registry of every secret value the step has seen. Registering masks the value in the
// runner's log (`::add-mask::`); `redact` removes secrets from text we build ourselves
// (errors, summaries, dumped responses), in the encodings a secret can take on the way.

export type MaskFn = (value: string) => void

const REDACTED = '***'

/** The forms a secret can appear in inside a message, a URL or a JSON body. */
export function encodings(value: string): string[] {
  const forms = new Set<string>([value])
  forms.add(JSON.stringify(value).slice(1, -1))
  forms.add(encodeURIComponent(value))
  forms.add(new URLSearchParams({ v: value }).toString().slice(2))
  forms.add(Buffer.from(value, 'utf8').toString('base64'))
  forms.add(Buffer.from(value, 'utf8').toString('base64url'))
  return [...forms].filter(f => f.length > 0)
}

export class Secrets {
  private readonly values = new Set<string>()
  private forms: string[] = []

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
    this.forms = [...new Set([...this.forms, ...encodings(v)])].sort((a, b) => b.length - a.length)
  }

  has(value: string): boolean {
    return this.values.has(value)
  }

  /** Replace every known secret (in any of its encodings) with ***. */
  redact(text: string): string {
    let out = text
    for (const form of this.forms) {
      if (out.includes(form)) out = out.split(form).join(REDACTED)
    }
    return out
  }
}
