import { type ChildProcess, fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root: children run TypeScript through tsx, resolved from there. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Forks a TypeScript module of this folder as a child process with an IPC
 * channel; its stdout and stderr go to `logFile` (the run's progress line owns
 * the terminal), which the driver names when something fails.
 */
export function forkModule(module: string, logFile: string, env: Record<string, string> = {}): ChildProcess {
  const child = fork(fileURLToPath(new URL(module, import.meta.url)), [], {
    cwd: ROOT,
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.LOAD_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOAD_PROF}`] : []),
    ],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** The first IPC message of `type`; rejects if the child exits before sending it. */
export function nextMessage<T extends { type: string }>(
  child: ChildProcess,
  type: T['type'],
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => {
      if (message.type === 'failed') {
        cleanup();
        reject(new Error(`${what} failed: ${(message as unknown as { message: string }).message}`));
      } else if (message.type === type) {
        cleanup();
        resolve(message);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${what} exited (code ${code}) before it reported '${type}'`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Waits `exitWaitMs` for the child to exit by itself, then sends SIGTERM (SIGKILL after `graceMs`). */
export async function stopChild(child: ChildProcess, exitWaitMs = 0, graceMs = 10_000): Promise<void> {
  const done = () => child.exitCode !== null || child.signalCode !== null;
  if (done()) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (exitWaitMs > 0) await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, exitWaitMs))]);
  if (done()) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
