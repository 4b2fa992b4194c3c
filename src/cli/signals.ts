// SIGINT and SIGTERM for the whole command: installed once, before anything is started, so
// that no signal between two phases (the operation, exec's command, the cleanup) can end the
// process without its cleanup. Each phase says what a signal does while it runs; between
// phases a signal is remembered, and the next phase sees it.
export type SignalListener = (signal: NodeJS.Signals) => void

export class Signals {
  /** the first signal received, if any */
  first?: NodeJS.Signals
  private listener?: SignalListener
  private readonly handler = (signal: NodeJS.Signals): void => {
    this.first ??= signal
    this.listener?.(signal)
  }

  install(): this {
    process.on('SIGINT', this.handler)
    process.on('SIGTERM', this.handler)
    return this
  }

  uninstall(): void {
    process.off('SIGINT', this.handler)
    process.off('SIGTERM', this.handler)
    this.listener = undefined
  }

  /** Signals go to `listener` until the returned function is called. */
  route(listener: SignalListener): () => void {
    this.listener = listener
    return () => {
      if (this.listener === listener) this.listener = undefined
    }
  }

  /** An abort signal raised by the next signal (or at once, when one came already). */
  cancelling(onSignal: SignalListener): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController()
    const done = this.route(s => {
      onSignal(s)
      controller.abort()
    })
    if (this.first) controller.abort()
    return { signal: controller.signal, done }
  }
}
