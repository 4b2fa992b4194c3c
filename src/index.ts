// The bundle's entry for both the main and the post step: run() tells them apart by the
// state the main step saved. Leave at once when it is done: a request abandoned by a cancel
// or a timeout must not hold the process.
import { run } from './runner/main'

run().finally(() => process.exit())
