#!/usr/bin/env node
// The command line's entry (dist/cli.js): run the command, then leave at once with its
// status, so that a request abandoned by an interrupt cannot hold the process.
import { run } from './cli/main'

run(process.argv.slice(2)).then(code => process.exit(code))
