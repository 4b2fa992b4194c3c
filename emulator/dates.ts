// Sandbox dates as the API writes them, and the odd forms a misbehaving server or proxy
// sends instead (the skew-dates fault): another zone, another format, far off, or invalid.

/** 'YYYY-MM-DD HH:mm:ss' in UTC, the API's date format. */
export function formatSandboxDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

export function parseSandboxDate(s: string): number {
  const ms = Date.parse(`${s.trim().replace(' ', 'T')}Z`)
  if (Number.isNaN(ms)) throw new Error(`emulator: bad sandbox date ${s}`)
  return ms
}

export type DateSkew = 'iso' | 'zone' | 'shifted' | 'epoch' | 'http' | 'future' | 'past' | 'invalid'

/**
 * iso: '2024-05-01T12:00:00.000Z'; zone: the same instant with an offset ('…T21:00:00+09:00');
 * shifted: local time of that zone in the API format without a zone (reads `hours` off as UTC);
 * epoch: a number of ms; http: 'Wed, 01 May 2024 12:00:00 GMT'; future/past: the API format
 * `years` away; invalid: '0000-00-00 00:00:00'.
 */
export const DATE_SKEWS: readonly DateSkew[] = ['iso', 'zone', 'shifted', 'epoch', 'http', 'future', 'past', 'invalid']

const YEAR_MS = 365.25 * 86_400_000

export function skewDate(ms: number, style: DateSkew, hours = 9, years = 10): string | number {
  const offsetMs = hours * 3_600_000
  switch (style) {
    case 'iso':
      return new Date(ms).toISOString()
    case 'zone': {
      const sign = hours < 0 ? '-' : '+'
      const abs = Math.abs(hours)
      const zone = `${sign}${String(Math.floor(abs)).padStart(2, '0')}:${String(Math.round((abs % 1) * 60)).padStart(2, '0')}`
      return `${new Date(ms + offsetMs).toISOString().slice(0, 19)}${zone}`
    }
    case 'shifted':
      return formatSandboxDate(ms + offsetMs)
    case 'epoch':
      return ms
    case 'http':
      return new Date(ms).toUTCString()
    case 'future':
      return formatSandboxDate(ms + years * YEAR_MS)
    case 'past':
      return formatSandboxDate(Math.max(0, ms - years * YEAR_MS))
    case 'invalid':
      return '0000-00-00 00:00:00'
  }
}
