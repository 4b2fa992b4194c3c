// Each test its own emulator, so that the tests of a file can run side by side: end-to-end
// tests mostly wait (provisioning, back-offs, the step's start), and one test's requests,
// faults and sandboxes must never meet another's.
//
// `emu` stands for the running test's emulator wherever the test's code reaches it: the test
// body runs inside an AsyncLocalStorage scope that holds its own set-up, and `emu` forwards to
// it. Files keep writing `emu.adobe.seed(...)` as they did with one shared emulator.
import { AsyncLocalStorage } from 'node:async_hooks'
import { it as vitestIt } from 'vitest'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index'

type Body<A extends unknown[]> = (...args: A) => unknown

/** `it` and `it.each`, with each test concurrent and inside its own set-up. */
export interface PerTestIt {
  (name: string, fn: Body<[]>, timeout?: number): void
  // the `| [unknown]` makes TypeScript read array literals as tuples, as vitest's own `each` does
  each<T extends readonly unknown[] | readonly [unknown]>(cases: readonly T[]): (name: string, fn: Body<[...T]>, timeout?: number) => void
  each<T>(cases: readonly T[]): (name: string, fn: Body<[T]>, timeout?: number) => void
  /** a test that runs alone among its file's tests: after the concurrent ones before it, before any after it */
  serial(name: string, fn: Body<[]>, timeout?: number): void
}

export interface PerTest<T> {
  /** the running test's set-up; throws outside a test */
  current(): T
  it: PerTestIt
}

/** Tests that each get `setup()`'s value for their whole run, and `teardown` after it. */
export function perTest<T>(setup: () => Promise<T>, teardown: (value: T) => Promise<void> | void): PerTest<T> {
  const scope = new AsyncLocalStorage<T>()
  const current = (): T => {
    const value = scope.getStore()
    if (value === undefined) throw new Error('no test is running here: per-test values exist only inside a test body')
    return value
  }
  const wrap =
    <A extends unknown[]>(fn: Body<A>) =>
    async (...args: A): Promise<void> => {
      const value = await setup()
      try {
        await scope.run(value, () => fn(...args))
      } finally {
        await teardown(value)
      }
    }
  const it = ((name: string, fn: Body<[]>, timeout?: number) => vitestIt.concurrent(name, wrap(fn), timeout)) as PerTestIt
  it.each = ((cases: readonly unknown[]) => (name: string, fn: Body<unknown[]>, timeout?: number) =>
    vitestIt.concurrent.each(cases)(name, wrap(fn) as never, timeout)) as PerTestIt['each']
  it.serial = (name, fn, timeout) => vitestIt(name, wrap(fn), timeout)
  return { current, it }
}

/** An object whose every property is read from `target()`, its methods bound to it. */
export function forwarding<T extends object>(target: () => T): T {
  return new Proxy({} as T, {
    get(_, key) {
      const value = target()
      const found = Reflect.get(value, key, value) as unknown
      return typeof found === 'function' ? (found as (...a: unknown[]) => unknown).bind(value) : found
    }
  })
}

/**
 * An emulator for each test, started with `options` and then `prepare`d; `emu` is the running
 * test's one. Replaces a file-wide `let emu` with beforeEach/afterEach.
 */
export function emulatorPerTest(options: EmulatorOptions | (() => EmulatorOptions) = {}, prepare?: (emu: Emulator) => void | Promise<void>): { emu: Emulator; it: PerTestIt } {
  const tests = perTest(
    async () => {
      const emu = await startEmulator(typeof options === 'function' ? options() : options)
      try {
        await prepare?.(emu)
      } catch (err) {
        await emu.close()
        throw err
      }
      return emu
    },
    emu => emu.close()
  )
  return { emu: forwarding(tests.current), it: tests.it }
}
