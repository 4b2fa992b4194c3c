// Prune: delete the stale development sandboxes that earlier runs left behind (runners die,
// cleanup jobs get cancelled), never anything else.
import { ActionError, errorMessage } from '../../errors'
import type { AdobeInputs } from '../../inputs'
import type { StepContext, StepResult } from '../types'
import { pickForPrune } from '../../github/prune-closed'
import type { SandboxApi, Sandbox } from './api'

/** Deletions in flight at once: fast, yet gentle on the API's rate limit. */
export const PRUNE_CONCURRENCY = 5
const PAGE_SIZE = 100
const MAX_PAGES = 1000

/** Adobe dates are UTC without a zone: `2019-09-04 04:57:24`. */
export function parseAdobeDate(text: string | undefined): number | undefined {
  if (!text) return undefined
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}Z`
  const t = Date.parse(iso)
  return Number.isNaN(t) ? undefined : t
}

export async function listAll(api: SandboxApi): Promise<Sandbox[]> {
  const all: Sandbox[] = []
  for (let page = 0; page < MAX_PAGES; page++) {
    // `_links.next` is a template; the next offset is ours to compute.
    const { sandboxes, count } = await api.page(PAGE_SIZE, page * PAGE_SIZE)
    all.push(...sandboxes)
    if (count < PAGE_SIZE || sandboxes.length === 0) return all
  }
  throw new ActionError(`Listing sandboxes stopped after ${MAX_PAGES} pages`)
}

export function isStale(s: Sandbox, prefix: string, olderThanMs: number, nowMs: number): boolean {
  if (s.isDefault || s.type !== 'development') return false
  if (s.state === 'deleted' || s.state === 'deleting') return false
  if (!s.name.startsWith(prefix)) return false
  const changed = parseAdobeDate(s.lastModifiedDate) ?? parseAdobeDate(s.createdDate)
  // Without a date its age is unknown: keep it.
  return changed !== undefined && nowMs - changed > olderThanMs
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

export async function prune(ctx: StepContext<AdobeInputs>, api: SandboxApi, token: string): Promise<StepResult> {
  const { prunePrefix, pruneOlderThanSeconds, dryRun, ignoreWarnings } = ctx.inputs
  const prefix = prunePrefix as string
  const all = await listAll(api)
  const now = ctx.deadline.clock.now()
  // What goes and why: by age, and with prune-closed by what GitHub says (src/github/).
  const picked = await pickForPrune(ctx, all, (s, olderThanMs) => isStale(s, prefix, olderThanMs, now))
  const why = new Map(picked.picked.map(p => [p.name, p.reason]))
  const stale = [...why.keys()]
  ctx.log.info(`Prune: ${all.length} sandboxes listed, ${stale.length} to delete with prefix "${prefix}"`)

  const deleted: string[] = []
  const failed: string[] = []
  if (dryRun) {
    for (const name of stale) ctx.log.info(`Would delete sandbox "${name}": ${why.get(name)} (dry run)`)
    deleted.push(...stale)
  } else {
    await eachLimited(stale, PRUNE_CONCURRENCY, async name => {
      try {
        await api.remove(name, ignoreWarnings)
        deleted.push(name)
        ctx.log.info(`Deleted sandbox "${name}": ${why.get(name)}`)
      } catch (err) {
        ctx.deadline.check('pruning')
        failed.push(`${name}: ${errorMessage(err)}`)
        ctx.log.warning(`Could not delete sandbox "${name}": ${errorMessage(err)}`)
      }
    })
  }
  deleted.sort()
  const result: StepResult = {
    outputs: { pruned: JSON.stringify(deleted), access_token: token, created: 'false' },
    env: { AEP_ACCESS_TOKEN: token },
    summary: [
      ['Prefix', `\`${prefix}\``],
      ['Older than', `${pruneOlderThanSeconds} s`],
      ['Listed', String(all.length)],
      [dryRun ? 'Would delete' : 'Deleted', String(deleted.length)],
      ...(failed.length ? ([['Failed', String(failed.length)]] as [string, string][]) : []),
      ...picked.summary,
      ['Post step will', 'do nothing']
    ],
    summaryList: { heading: dryRun ? 'Would delete (dry run)' : 'Deleted', items: deleted }
  }
  if (failed.length) result.failure = `Prune could not delete ${failed.length} sandbox(es):\n${failed.join('\n')}`
  if (picked.problems.length) result.failure = [result.failure, `prune-closed kept the sandboxes GitHub did not answer for:\n${picked.problems.join('\n')}`].filter(Boolean).join('\n')
  return result
}
