#!/usr/bin/env node
/** keydepot-depot: the technician's entry point. Everything happens in runCli. */
import { runCli } from '../src/cli/index.js';

const untilStopSignal = () =>
  new Promise<string>((resolve) => {
    const stop = (signal: NodeJS.Signals) => resolve(signal);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  untilStopSignal,
});
process.exitCode = code;
