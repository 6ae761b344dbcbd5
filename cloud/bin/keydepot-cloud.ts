#!/usr/bin/env -S tsx --max-semi-space-size=64
/** keydepot-cloud: the cloud's command line. All the work is in src/cli; this only wires the process in. */
import { runCli } from '../src/cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
