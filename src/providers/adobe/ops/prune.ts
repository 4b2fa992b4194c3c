// Prune: delete the stale development sandboxes that earlier runs left behind (runners die,
// cleanup jobs get cancelled), never anything else.
import { ActionError, errorMessage } from '../../../core/errors'
import type { AdobeInputs } from '../../../core/inputs'
import type { StepContext, StepResult } from '../../../core/provider'
import { pickForPrune } from './prune-closed'
import type { SandboxApi, Sandbox } from '../api'
import { exists, goingAway } from '../states'

/** Deletions in flight at once: fast, yet gentle on the API's rate limit. */
export const PRUNE_CONCURRENCY = 5
const PAGE_SIZE = 100
export const MAX_PAGES = 1000

/** Adobe dates are UTC without a zone: `2019-09-04 04:57:24`. */
export function parseAdobeDate(text: string | undefined): number | undefined {
  if (!text) return undefined
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}Z`
  const t = Date.parse(iso)
  return Number.isNaN(t) ? undefined : t
}

/** The part of the Sandbox API that listing needs: one page at a time. */
export interface Pager {
  page(limit: number, offset: number): Promise<{ sandboxes: Sandbox[]; limit?: number }>
}

/**
 * Every sandbox, listed to the end before anything is deleted, each name once. A server may
 * use a smaller page than asked for (`_page.limit` says which): the next offset follows the
 * page it used. The listing ends on a short or empty page; a page that repeats the one before
 * (an offset the server ignored) ends it with an error rather than a partial list.
 */
export async function listAll(api: Pager): Promise<Sandbox[]> {
  const byName = new Map<string, Sandbox>()
  let offset = 0
  let previous = ''
  for (let page = 0; page < MAX_PAGES; page++) {
    const { sandboxes, limit } = await api.page(PAGE_SIZE, offset)
    if (sandboxes.length === 0) return [...byName.values()]
    const names = JSON.stringify(sandboxes.map(s => s.name))
    if (names === previous) {
      throw new ActionError(
        `Listing sandboxes: the page at offset ${offset} repeated the page before it, so the API seems to ignore the offset; nothing was deleted, as the full list could not be read`
      )
    }
    previous = names
    // A name seen twice (pages that shifted while listing) is one sandbox: the later record wins.
    for (const s of sandboxes) byName.set(s.name, s)
    // Without `_page.limit` the page size is unknown: only an empty page ends the listing.
    const used = limit ?? sandboxes.length
    if (sandboxes.length < used) return [...byName.values()]
    offset += used
  }
  throw new ActionError(`Listing sandboxes stopped after ${MAX_PAGES} pages; nothing was deleted`)
}

/** Whether prune may delete this listed sandbox: never the default, only development ones with the prefix, past the age. */
export function isStale(s: Sandbox, prefix: string, olderThanMs: number, nowMs: number): boolean {
  if (s.isDefault !== false || s.type !== 'development') return false
  // Gone, or already on its way out: nothing to do.
  if (!exists(s) || goingAway(s)) return false
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
