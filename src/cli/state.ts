// The state file: what the action keeps in the runner's step state, kept in a file so that a
// later `cleanup` (another process, another CI job) can undo what an operation started. It
// holds the handoff (ids and decisions) and the operation's inputs that are not secret, and
// nothing else; every change is written at once, through a temporary file and a rename, so a
// process killed half-way leaves the previous version whole.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { loadHandoff, type Handoff, type StateStore } from '../core/handoff'
import { inputSpec } from '../core/input-table'
import { UsageError } from './args'

interface StateData {
  /** the inputs given to the operation, secrets left out */
  inputs: Record<string, string>
  /** the step state, as the runner would keep it */
  state: Record<string, string>
}

const FORMAT = 'ephemeral-sandbox state v1'

export class FileState implements StateStore {
  private data: StateData

  private constructor(
    readonly path: string,
    data: StateData
  ) {
    this.data = data
  }

  /** The file's state, or an empty one when there is no file. An unreadable file is refused: it may record a sandbox. */
  static open(path: string): FileState {
    if (!existsSync(path)) return new FileState(path, { inputs: {}, state: {} })
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'))
    } catch (err) {
      throw new UsageError(`the state file ${path} cannot be read (${(err as Error).message}): check it, or remove it when it records nothing`)
    }
    const p = parsed as { format?: unknown; inputs?: unknown; state?: unknown }
    if (!p || p.format !== FORMAT || !isStrings(p.inputs) || !isStrings(p.state)) {
      throw new UsageError(`${path} is not a state file of ephemeral-sandbox: give another --state-file`)
    }
    return new FileState(path, { inputs: p.inputs, state: p.state })
  }

  exists(): boolean {
    return existsSync(this.path)
  }

  get inputs(): Record<string, string> {
    return { ...this.data.inputs }
  }

  handoff(): Handoff | undefined {
    return loadHandoff(this)
  }

  get(key: string): string {
    return this.data.state[key] ?? ''
  }

  save(key: string, value: string): void {
    this.data.state[key] = value
    this.write()
  }

  /** A fresh state for a new operation: its inputs (secrets left out), nothing recorded yet; written at once. */
  start(inputs: Record<string, string>): void {
    const kept: Record<string, string> = {}
    for (const [name, value] of Object.entries(inputs)) if (!inputSpec(name)?.secret) kept[name] = value
    this.data = { inputs: kept, state: {} }
    this.write()
  }

  remove(): void {
    rmSync(this.path, { force: true })
  }

  private write(): void {
    mkdirSync(dirname(this.path), { recursive: true })
    const tmp = `${this.path}.${process.pid}.tmp`
    writeFileSync(tmp, `${JSON.stringify({ format: FORMAT, ...this.data }, null, 2)}\n`, { mode: 0o600 })
    renameSync(tmp, this.path)
  }
}

function isStrings(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(x => typeof x === 'string')
}
