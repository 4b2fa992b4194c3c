// pr-comment: one comment on the pull request per workflow job, found again by a hidden
// marker and updated in place (never a second one), saying which sandbox the job has, its
// state, and what cleanup will do; the post step updates it with what cleanup did. The
// comment is never worth failing a job for: a token that may not comment (a pull request
// from a fork gets a read-only one) is a notice, any other trouble a warning.
import { errorMessage, ProviderError } from '../core/errors'
import type { AdobeInputs, Inputs } from '../core/inputs'
import { parseSandboxTitle } from '../core/naming'
import type { CleanupOutcome, StepContext, StepResult } from '../core/provider'
import type { Handoff, StateStore } from '../core/handoff'
import type { RunInfo } from '../core/run-info'
import { githubClientFor } from './client'

/** What the comment shows of the sandbox; kept in the state (no secret in it) for the post step. */
export interface CommentView {
  name: string
  title: string
  state: string
  type: string
  /** "run 987 attempt 1", with its URL when known */
  madeBy: string
  cleanup: string
}

interface Saved {
  /** the comment's id once written; 'forbidden' when the token may not comment */
  id?: number
  forbidden?: boolean
  view: CommentView
}

const STATE_KEY = 'prComment'

/**
 * The hidden first line that finds the comment again: one per workflow and named sandbox
 * (so the jobs of a per-PR recipe share one), else one per workflow and job (a default name
 * changes with every run, the job does not).
 */
export function commentMarker(run: RunInfo, sandboxName?: string): string {
  const clean = (s: string | undefined): string => (s ?? '').replace(/[^A-Za-z0-9 _./()-]/g, '_').slice(0, 100)
  const key = sandboxName ? `sandbox ${sandboxName}` : `job ${clean(run.job)}`
  return `<!-- ephemeral-sandbox pr-comment: ${clean(run.workflow)} / ${key} -->`
}

function runLabel(run: RunInfo, runId = run.runId, attempt = run.runAttempt ?? 1): string {
  const text = `run ${runId} attempt ${attempt}`
  return run.repository ? `[${text}](${run.serverUrl}/${run.repository}/actions/runs/${runId}/attempts/${attempt})` : text
}

/** Text from the provider inside a table cell: no table breaks, no HTML, no mentions that ping. */
function code(text: string): string {
  const t = text.replace(/[`\r\n|]/g, ' ').replace(/</g, '‹').trim()
  return t === '' ? '—' : `\`${t}\``
}

export function renderComment(run: RunInfo, view: CommentView, step: 'main' | 'post', marker = commentMarker(run)): string {
  const where = [run.workflow && `workflow ${code(run.workflow)}`, run.job && `job ${code(run.job)}`].filter(Boolean).join(', ')
  return [
    marker,
    '### Adobe sandbox for this pull request',
    '',
    '| | |',
    '|---|---|',
    `| Sandbox | ${code(view.name)} |`,
    `| Title | ${code(view.title)} |`,
    `| State | ${code(view.state)} |`,
    `| Type | ${code(view.type)} |`,
    `| Made by | ${view.madeBy}${where ? ` (${where})` : ''} |`,
    `| Cleanup | ${view.cleanup.replace(/[\r\n|]/g, ' ').replace(/</g, '‹')} |`,
    '',
    `<sub>Updated by the ${step === 'main' ? 'main' : 'post'} step of ${runLabel(run)}. This comment is kept up to date in place.</sub>`,
    ''
  ].join('\n')
}

/** Whether this step comments, with a notice when asked to in a place it cannot. */
function wanted(ctx: StepContext<Inputs>, step: 'main' | 'post'): ctx is StepContext<AdobeInputs> {
  if (ctx.inputs.provider !== 'adobe' || !ctx.inputs.prComment) return false
  if (ctx.run.prNumber === undefined || !ctx.run.repository) {
    if (step === 'main') ctx.log.notice(`pr-comment: this run is not for a pull request (event ${ctx.run.eventName ?? 'unknown'}), so there is nothing to comment on`)
    return false
  }
  if (ctx.inputs.githubToken === '') {
    if (step === 'main') ctx.log.notice('pr-comment: github-token is empty, so the action cannot comment; leave it at its default ${{ github.token }}')
    return false
  }
  return true
}

function load(state: StateStore): Saved | undefined {
  try {
    const saved = JSON.parse(state.get(STATE_KEY) || 'null') as Saved | null
    return saved && typeof saved.view?.name === 'string' ? saved : undefined
  } catch {
    return undefined
  }
}

/** Writes the comment: by its saved id, else the one with our marker, else a new one. */
async function write(ctx: StepContext<AdobeInputs>, state: StateStore, saved: Saved, step: 'main' | 'post'): Promise<void> {
  const repo = ctx.run.repository
  const pr = ctx.run.prNumber as number
  const marker = commentMarker(ctx.run, ctx.inputs.sandboxName)
  const body = ctx.secrets.redact(renderComment(ctx.run, saved.view, step, marker))
  try {
    const github = githubClientFor(ctx)
    let id = saved.id
    if (id !== undefined) {
      try {
        await github.updateComment(repo, id, body)
      } catch (err) {
        // Deleted by someone meanwhile: look for another, or write a new one.
        if (!(err instanceof ProviderError && err.status === 404)) throw err
        id = undefined
      }
    }
    if (id === undefined) {
      const mine = (await github.comments(repo, pr)).find(c => c.body.startsWith(marker))
      id = mine ? (await github.updateComment(repo, mine.id, body)).id : (await github.createComment(repo, pr, body)).id
      ctx.log.info(`pr-comment: ${mine ? 'updated the' : 'wrote a'} comment on pull request #${pr}`)
    }
    saved.id = id
  } catch (err) {
    if (err instanceof ProviderError && err.status === 403 && !/rate limit/i.test(err.message)) {
      saved.forbidden = true
      ctx.log.notice(
        `pr-comment: github-token may not comment on pull request #${pr} (GitHub answered 403). A pull request from a fork gets a read-only token; otherwise give the job permissions: pull-requests: write`
      )
    } else {
      ctx.log.warning(`pr-comment: could not write the comment on pull request #${pr}: ${errorMessage(err)}`)
    }
  }
  state.save(STATE_KEY, JSON.stringify(saved))
}

/** After the main step's result: the sandbox, its state and what the post step will do. */
export async function commentAfterMain(ctx: StepContext<Inputs>, state: StateStore, result: StepResult): Promise<void> {
  if (!wanted(ctx, 'main')) return
  const out = result.outputs
  if (!out.sandbox_name) return
  const facts = out.created === 'true' ? undefined : parseSandboxTitle(out.sandbox_title)
  const madeBy =
    out.created === 'true'
      ? runLabel(ctx.run)
      : facts
        ? `${runLabel({ ...ctx.run, repository: facts.repository }, facts.runId, facts.runAttempt)} (reused by this run)`
        : 'an earlier run (reused by this run)'
  const postWill = result.summary.find(([label]) => label === 'Post step will')?.[1] ?? 'do nothing'
  const view: CommentView = {
    name: out.sandbox_name,
    title: out.sandbox_title ?? '',
    state: out.sandbox_state ?? '',
    type: out.sandbox_type ?? '',
    madeBy,
    cleanup: `when the job ends, the post step will ${postWill}`
  }
  await write(ctx, state, { view }, 'main')
}

/** After the post step's cleanup: what it did. */
export async function commentAfterCleanup(ctx: StepContext<Inputs>, state: StateStore, handoff: Handoff, outcome: CleanupOutcome): Promise<void> {
  if (handoff.provider !== 'adobe' || !wanted(ctx, 'post')) return
  const saved = load(state)
  if (saved?.forbidden) return
  const failed = outcome.kind === 'failed'
  const view: CommentView = saved?.view ?? { name: handoff.sandbox, title: '', state: '', type: '', madeBy: runLabel(ctx.run), cleanup: '' }
  view.state = failed ? `${view.state || 'unknown'} (cleanup failed)` : handoff.action === 'delete' ? 'deleted' : 'resetting'
  view.cleanup = `the post step: ${outcome.text}`
  await write(ctx, state, { ...saved, view }, 'post')
}
