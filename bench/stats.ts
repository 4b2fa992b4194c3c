// Small statistics and formatting helpers, and the shape every benchmark section returns.

export function median(values: number[]): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export function min(values: number[]): number {
  return values.length ? Math.min(...values) : NaN
}

export function max(values: number[]): number {
  return values.length ? Math.max(...values) : NaN
}

/** ms with no decimals: "1234 ms" */
export const ms = (v: number): string => `${Math.round(v)} ms`
/** seconds with two decimals: "1.23 s" */
export const sec = (v: number): string => `${(v / 1000).toFixed(2)} s`
export const ratio = (v: number): string => `${v.toFixed(2)}×`
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`

export interface Table {
  title: string
  headers: string[]
  rows: string[][]
}

export interface Target {
  /** what is measured, e.g. "Readiness lag, create, P = 10 s" */
  name: string
  /** the target in words, e.g. "lag ≤ 2.5 s" */
  target: string
  /** the figure(s) measured */
  measured: string
  met: boolean
  /** why it is met or not, in one sentence */
  why: string
}

export interface SectionResult {
  title: string
  /** paragraphs before the tables: the method */
  intro: string[]
  tables: Table[]
  targets: Target[]
  /** paragraphs after the tables */
  notes?: string[]
}

export interface BenchOptions {
  short: boolean
  /** progress lines for the console */
  log(line: string): void
}
