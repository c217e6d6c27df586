#!/usr/bin/env node
// The `x-webhooks` executable: `run` with this process's arguments, streams and environment.
import { run } from './run.js'

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code
})
