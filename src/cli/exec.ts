// exec's child: the command runs with the results in its environment; SIGINT and SIGTERM that
// reach this process are passed on to it, and its end is waited for before cleanup starts.
import { spawn } from 'node:child_process'
import type { Signals } from './signals'

export interface ChildEnd {
  /** the status to exit with: the child's code, or 128 + the signal's number */
  status: number
  /** the signal we passed on, if one was */
  interrupted?: NodeJS.Signals
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 }

export function runChild(command: string[], env: NodeJS.ProcessEnv, signals: Signals, onNote: (line: string) => void): Promise<ChildEnd> {
  return new Promise(resolve => {
    let interrupted: NodeJS.Signals | undefined
    const child = spawn(command[0], command.slice(1), { env, stdio: 'inherit' })
    const forward = (signal: NodeJS.Signals): void => {
      interrupted ??= signal
      onNote(`Received ${signal}: passing it to the command and waiting for it to end; cleanup follows`)
      child.kill(signal)
    }
    const unroute = signals.route(forward)
    const done = (end: ChildEnd): void => {
      unroute()
      resolve(end)
    }
    child.on('error', err => {
      onNote(`Could not run ${command[0]}: ${err.message}`)
      done({ status: 127, interrupted })
    })
    child.on('exit', (code, signal) => {
      const status = code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1)
      done({ status, interrupted })
    })
  })
}
