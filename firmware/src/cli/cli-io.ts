import { type DepotConfig, loadDepotConfig } from '../config.js';

/** What a CLI command may touch: passed in by bin/keydepot-depot.ts, faked by tests. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves with the signal's name on SIGINT or SIGTERM (the daemon's graceful stop). */
  readonly untilStopSignal: () => Promise<string>;
}

/** A command's failure with a plain message for the technician; exit code 1 unless given. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** /etc/keydepot unless KEYDEPOT_CONFIG_DIR or --config-dir says otherwise. */
const DEFAULT_CONFIG_DIR = '/etc/keydepot';

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Map<string, string | true>;
}

/** `--name value`, `--name=value` and bare `--flag`; `booleans` never take a value. */
export function parseArgs(argv: readonly string[], booleans: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (inline !== undefined) flags.set(name, inline);
    else if (booleans.includes(name)) flags.set(name, true);
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new CliError(`--${name} needs a value`);
      flags.set(name, value);
      i++;
    }
  }
  return { positionals, flags };
}

/** Refuses flags the command does not know, so a typo never passes silently. */
export function onlyFlags(args: ParsedArgs, known: readonly string[]): void {
  for (const name of args.flags.keys()) {
    if (!known.includes(name)) throw new CliError(`unknown option --${name}`);
  }
}

/** The config folder's depot, with status.json where KEYDEPOT_STATUS_DIR says (the unit's tmpfs). */
export function loadConfigOf(args: ParsedArgs, io: CliIo): DepotConfig {
  return loadDepotConfig(configDirOf(args, io), { statusDir: io.env.KEYDEPOT_STATUS_DIR || undefined });
}

export function configDirOf(args: ParsedArgs, io: CliIo): string {
  const flag = args.flags.get('config-dir');
  if (typeof flag === 'string') return flag;
  return io.env.KEYDEPOT_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
}
