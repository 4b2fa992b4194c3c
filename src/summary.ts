// The job summary: what the step did, in a table, never a secret (every cell is redacted).
import * as core from '@actions/core'
import type { Secrets } from './secrets'
import type { SummaryRow } from './providers/types'

export interface SummaryWriter {
  write(markdown: string): Promise<void>
}

export const runnerSummary: SummaryWriter = {
  async write(markdown) {
    if (!process.env.GITHUB_STEP_SUMMARY) return
    await core.summary.addRaw(markdown, true).write()
    core.summary.emptyBuffer()
  }
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
