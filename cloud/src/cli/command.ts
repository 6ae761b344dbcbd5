import type { ParseArgsConfig } from 'node:util';
import type { CryptoBackend } from '@keydepot/shared';
import type { CloudConfig } from '../config.js';
import type { StoreDatabase } from '../store/database.js';

/** Where the CLI reads and writes: process streams in the bin file, buffers in tests. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly stdin: AsyncIterable<string | Uint8Array>;
  /** Folder that relative paths and default bundle names are resolved against (default: process.cwd()). */
  readonly cwd?: string;
  /** Clock in Unix ms (default: Date.now). */
  readonly now?: () => number;
  /** Ends long-running commands (`serve`); default: SIGINT or SIGTERM. */
  readonly stop?: AbortSignal;
}

/** What a command runs with. The store and the crypto backend are opened on first use and closed by runCli. */
export interface CliContext {
  readonly config: CloudConfig;
  readonly io: CliIo;
  readonly cwd: string;
  now(): number;
  /** The store, migrated to the latest schema unless `migrate: false`. */
  store(options?: { migrate?: boolean }): Promise<StoreDatabase>;
  crypto(): Promise<CryptoBackend>;
  print(line?: string): void;
}

export type OptionValues = Record<string, string | boolean | undefined>;

/** One CLI command: `keydepot-cloud <name> [options]`. */
export interface Command {
  /** One or two words: 'migrate', 'depot create'. */
  readonly name: string;
  readonly summary: string;
  /** Option lines for --help, one per option. */
  readonly help: readonly string[];
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** The name one bare argument is read into (`verify-export <file>`); without it none is allowed. */
  readonly positional?: string;
  run(context: CliContext, values: OptionValues): Promise<void>;
}

/** A failure the user can act on: printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {
  override name = 'CliError';
}

/** The command line itself is wrong: printed with a hint to --help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A required text option. */
export function requiredText(values: OptionValues, option: string): string {
  const value = values[option];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${option} is required`);
  return value.trim();
}

/** An optional text option (undefined when absent). */
export function optionalText(values: OptionValues, option: string): string | undefined {
  const value = values[option];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${option} needs a value`);
  return value.trim();
}

/** A whole-number option within [min, max]. */
export function integerOption(values: OptionValues, option: string, min: number, max: number): number {
  const text = requiredText(values, option);
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${option} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/** `--depot <id>`: a depot id. */
export function depotIdOption(values: OptionValues): number {
  return integerOption(values, 'depot', 1, 0xffffffff);
}

/** The common `--help` option every command takes. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;
