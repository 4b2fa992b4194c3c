// The job summary's text: what the step did, in a table, never a secret (every cell is redacted).
import type { Secrets } from './secrets'
import type { SummaryRow } from './provider'

export interface SummaryWriter {
  write(markdown: string): Promise<void>
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

export function renderSummary(
  title: string,
  rows: SummaryRow[],
  secrets: Secrets,
  list?: { heading: string; items: string[] }
): string {
  const lines = [`### ${cell(title)}`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`)]
  if (list) {
    lines.push('', `**${cell(list.heading)}**${list.items.length ? '' : ': none'}`, '')
    for (const item of list.items) lines.push(`- \`${item}\``)
  }
  return secrets.redact(lines.join('\n')) + '\n'
}

export function formatDuration(ms: number): string {
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
}
