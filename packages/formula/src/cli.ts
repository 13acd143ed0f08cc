#!/usr/bin/env node
import { runCli } from './cli/run.js';

process.exitCode = runCli(process.argv.slice(2), {
  stdout: (chunk) => process.stdout.write(chunk),
  stderr: (text) => process.stderr.write(text),
});
