import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { toHex } from '@keydepot/shared';

const ENTRY = fileURLToPath(new URL('./relay-process.ts', import.meta.url));

/** A relay running in a child process (relay-process.ts under tsx). */
export interface RelayChild {
  readonly port: number;
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export async function spawnRelay(
  db: { readonly url: string; readonly dataKeyFile: string },
  relaySecretKey: Uint8Array,
  env: Record<string, string> = {},
): Promise<RelayChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    env: {
      ...process.env,
      KEYDEPOT_RELAY_DB_URL: db.url,
      KEYDEPOT_RELAY_DATA_KEY_FILE: db.dataKeyFile,
      KEYDEPOT_RELAY_SECRET_KEY: toHex(relaySecretKey),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n')) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`relay process exited early (${code})`)));
  });
  return {
    port,
    process: child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
