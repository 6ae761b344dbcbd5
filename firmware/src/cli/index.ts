import { DepotConfigError } from '../config.js';
import { HardwareUnavailableError } from '../hardware/real-hardware.js';
import { CliError, type CliIo } from './cli-io.js';
import { provisionCommand } from './provision-command.js';
import { runCommand } from './run-command.js';
import { statusCommand } from './status-command.js';
import { testHardwareCommand } from './test-hardware-command.js';

export type { CliIo } from './cli-io.js';

const USAGE = `usage: keydepot-depot <command> [--config-dir dir]

  provision <bundle.json> [--force]   import a bundle from the cloud's 'depot create'
  run [--simulated-hardware] [--log-level level]
                                      run the depot daemon (SIGINT/SIGTERM stop it);
                                      level: fatal, error, warn, info (default), debug, trace
  status [--json]                     session, last check-in, outbox, lockout, clock
  test-hardware [--key-echo-seconds n] pulse each lock, print sensors, echo keypad keys
                                      (without GPIO: the configuration and the keypad alone)

The config folder is /etc/keydepot unless KEYDEPOT_CONFIG_DIR or --config-dir says otherwise.
`;

/** The technician's command line; returns the exit code. bin/keydepot-depot.ts only calls this. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...args] = argv;
    switch (command) {
      case 'provision':
        return provisionCommand(args, io);
      case 'run':
        return await runCommand(args, io);
      case 'status':
        return statusCommand(args, io);
      case 'test-hardware':
        return await testHardwareCommand(args, io);
      case undefined:
      case 'help':
      case '--help':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write(`unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`keydepot-depot: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof DepotConfigError || error instanceof HardwareUnavailableError) {
      io.stderr.write(`keydepot-depot: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
