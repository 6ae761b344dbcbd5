import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** The cloud's settings, read once at start (loadConfig) and then passed in. */
export interface CloudConfig {
  /** Folder for the SQLite file and the key files. */
  readonly dataDir: string;
  /** `sqlite:<path>` or `mysql://user:pass@host:port/db`. */
  readonly databaseUrl: string;
  readonly udpHost: string;
  readonly udpPort: number;
  readonly httpHost: string;
  readonly httpPort: number;
  /** What provisioning bundles tell depots to dial; unset means `depot create` refuses to guess. */
  readonly publicRelayHost: string | undefined;
  readonly publicRelayPort: number;
  /** The relay's static X25519 secret key (mode 0600), never in the database. */
  readonly relayKeyFile: string;
  /** The 32-byte master every depot's offline key is derived from (mode 0600). */
  readonly offlineMasterKeyFile: string;
  /** Seals PIN digits and other secrets at rest (docs/design.md, Sealing data at rest); never in the database. */
  readonly dataKeyFile: string;
  /** The key customers' blind search index is derived from (keys/blind-index.ts), beside the data keys. */
  readonly indexKeyFile: string;
  readonly logLevel: LogLevel;
  readonly cryptoBackend: 'sodium-native' | 'libsodium-wrappers';
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  /** HTTP sits behind a TLS-terminating reverse proxy: send HSTS, take the client address from X-Forwarded-For. */
  readonly behindProxy: boolean;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** One or more settings are wrong; `problems` has one plain sentence per bad value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** Environment variable naming a JSON file with any of the settings below (camelCase keys). */
const CONFIG_FILE_VARIABLE = 'KEYDEPOT_CONFIG';

const DEFAULT_UDP_PORT = 47900;

// Each setting: its environment variable, what a wrong value is told it must be, and its check.
// Numbers may arrive as text (environment) or as numbers (JSON file).
const text = z.string().trim().min(1);
// A DNS name or an IP literal; catches 'udp://relay.example.org' and 'relay:47900' early.
const host = z
  .string()
  .regex(
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/,
  );
const port = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v),
  z.number().int().min(1).max(65535),
);
const SETTINGS = {
  dataDir: { env: 'KEYDEPOT_DATA_DIR', must: 'a folder path', schema: text },
  databaseUrl: {
    env: 'KEYDEPOT_DATABASE_URL',
    must: 'a database URL starting with sqlite: or mysql://',
    schema: z.string().regex(/^(sqlite:.|mysql:\/\/.|mariadb:\/\/.)/),
  },
  udpHost: { env: 'KEYDEPOT_UDP_HOST', must: 'a host name or IP address (no scheme, no port)', schema: host },
  udpPort: { env: 'KEYDEPOT_UDP_PORT', must: 'a port number', schema: port },
  httpHost: { env: 'KEYDEPOT_HTTP_HOST', must: 'a host name or IP address (no scheme, no port)', schema: host },
  httpPort: { env: 'KEYDEPOT_HTTP_PORT', must: 'a port number', schema: port },
  publicRelayHost: {
    env: 'KEYDEPOT_PUBLIC_RELAY_HOST',
    must: 'a host name or IP address (no scheme, no port)',
    schema: host,
  },
  publicRelayPort: { env: 'KEYDEPOT_PUBLIC_RELAY_PORT', must: 'a port number', schema: port },
  relayKeyFile: { env: 'KEYDEPOT_RELAY_KEY_FILE', must: 'a file path', schema: text },
  offlineMasterKeyFile: { env: 'KEYDEPOT_OFFLINE_MASTER_KEY_FILE', must: 'a file path', schema: text },
  dataKeyFile: { env: 'KEYDEPOT_DATA_KEY_FILE', must: 'a file path', schema: text },
  indexKeyFile: { env: 'KEYDEPOT_INDEX_KEY_FILE', must: 'a file path', schema: text },
  logLevel: {
    env: 'KEYDEPOT_LOG_LEVEL',
    must: 'one of fatal, error, warn, info, debug, trace, silent',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
  cryptoBackend: {
    env: 'KEYDEPOT_CRYPTO_BACKEND',
    must: 'sodium-native or libsodium-wrappers',
    schema: z.enum(['sodium-native', 'libsodium-wrappers']),
  },
  tlsCertFile: { env: 'KEYDEPOT_TLS_CERT_FILE', must: 'a file path', schema: text },
  tlsKeyFile: { env: 'KEYDEPOT_TLS_KEY_FILE', must: 'a file path', schema: text },
  behindProxy: {
    env: 'KEYDEPOT_BEHIND_PROXY',
    must: 'true or false',
    schema: z.preprocess(
      (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
      z.boolean(),
    ),
  },
} as const satisfies Record<string, { env: string; must: string; schema: z.ZodType }>;

type Key = keyof typeof SETTINGS;
type Parsed = { [K in Key]?: z.output<(typeof SETTINGS)[K]['schema']> };

/**
 * Reads the settings from `env` and, if `KEYDEPOT_CONFIG` names one, a JSON
 * file (environment wins over file). Every value is checked; all bad values
 * are reported at once in a ConfigError. Pure apart from `readFile`.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): CloudConfig {
  const problems: string[] = [];
  const file = readConfigFile(env[CONFIG_FILE_VARIABLE], readFile, problems);
  const parsed: Parsed = {};
  for (const key of Object.keys(SETTINGS) as Key[]) {
    const setting = SETTINGS[key];
    const fromEnv = env[setting.env];
    const [raw, source] =
      fromEnv !== undefined && fromEnv !== '' ? [fromEnv, setting.env] : [file.values[key], `${key} in ${file.path}`];
    if (raw === undefined) continue;
    const result = setting.schema.safeParse(raw);
    if (result.success) (parsed as Record<Key, unknown>)[key] = result.data;
    else problems.push(`${source} must be ${setting.must}, got ${show(raw)}`);
  }
  if ((parsed.tlsCertFile === undefined) !== (parsed.tlsKeyFile === undefined)) {
    problems.push('KEYDEPOT_TLS_CERT_FILE and KEYDEPOT_TLS_KEY_FILE must be set together (HTTPS needs both)');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = parsed.dataDir ?? './data';
  const udpPort = parsed.udpPort ?? DEFAULT_UDP_PORT;
  return {
    dataDir,
    databaseUrl: parsed.databaseUrl ?? `sqlite:${join(dataDir, 'keydepot.sqlite')}`,
    udpHost: parsed.udpHost ?? '0.0.0.0',
    udpPort,
    httpHost: parsed.httpHost ?? '127.0.0.1',
    httpPort: parsed.httpPort ?? 8080,
    publicRelayHost: parsed.publicRelayHost,
    publicRelayPort: parsed.publicRelayPort ?? udpPort,
    relayKeyFile: parsed.relayKeyFile ?? join(dataDir, 'relay.key'),
    offlineMasterKeyFile: parsed.offlineMasterKeyFile ?? join(dataDir, 'offline-master.key'),
    dataKeyFile: parsed.dataKeyFile ?? join(dataDir, 'data.key'),
    indexKeyFile: parsed.indexKeyFile ?? join(dataDir, 'index.key'),
    logLevel: parsed.logLevel ?? 'info',
    cryptoBackend: parsed.cryptoBackend ?? 'sodium-native',
    tlsCertFile: parsed.tlsCertFile,
    tlsKeyFile: parsed.tlsKeyFile,
    behindProxy: parsed.behindProxy ?? false,
  };
}

function readConfigFile(
  path: string | undefined,
  readFile: (path: string) => string,
  problems: string[],
): { path: string; values: Record<string, unknown> } {
  if (path === undefined || path === '') return { path: '', values: {} };
  let content: unknown;
  try {
    content = JSON.parse(readFile(path));
  } catch (error) {
    problems.push(`${CONFIG_FILE_VARIABLE} names ${path}, which cannot be read as JSON: ${(error as Error).message}`);
    return { path, values: {} };
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    problems.push(`${path} must hold a JSON object of settings`);
    return { path, values: {} };
  }
  // A misspelt key would otherwise be ignored silently and its default used.
  for (const key of Object.keys(content)) {
    if (!(key in SETTINGS)) problems.push(`${path} has an unknown setting '${key}'`);
  }
  return { path, values: content as Record<string, unknown> };
}

function show(value: unknown): string {
  const textValue = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${textValue.length > 60 ? `${textValue.slice(0, 60)}…` : textValue}'`;
}
