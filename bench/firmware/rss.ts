/**
 * Memory of the depot daemon (issue 4, goal ≤ 80 MB RSS), idle and under a
 * check-in storm, beside a bare Node process measured in the same run, all
 * with the node flags the systemd unit uses (DAEMON_NODE_FLAGS).
 *
 * The daemon is the shipped build: scripts/build-depot.ts bundles it first.
 *   idle:  `node … firmware/dist/keydepot-depot.mjs run --simulated-hardware`,
 *          the real CLI on simulated hardware, over UDP to a relay in this process;
 *   storm: bench/firmware/storm-daemon.ts bundled the same way: the same
 *          daemon with a check-in every 10 ms, doors moving every 5 ms, and
 *          this process pushing 20 PIN_ADD commands every 50 ms.
 * RSS is read from /proc/<pid>/status (VmRSS twice a second, VmHWM for the
 * peak), so the children run unmodified.
 *
 * `measureRss()` is called by bench/firmware.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDepot } from '../../scripts/build-depot.js';
import { CommandKind, PinKind } from '../../shared/src/index.js';

/** As in firmware/systemd (scripts/install-depot.sh): a small V8 young generation. */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=1'] as const;
/** The environment the systemd unit adds (firmware/systemd/keydepot-depot.service); bare node gets it too. */
export const DAEMON_ENV = { MALLOC_ARENA_MAX: '2' } as const;

export interface RssFigure {
  readonly peakMb: number;
  readonly lastMb: number;
}

export interface StormCounts {
  readonly checkIns: number;
  /** COMMAND_RESULT frames the relay received, repeats included, and distinct command ids among them. */
  readonly resultFrames: number;
  readonly distinctResults: number;
  /** EVENT frames the relay received, repeats included, and distinct events among them. */
  readonly eventFrames: number;
  readonly distinctEvents: number;
}

export interface RssResult {
  readonly nodeFlags: readonly string[];
  readonly bundleKb: number;
  readonly buildMs: number;
  readonly bareNode: RssFigure;
  readonly daemonIdle: RssFigure;
  readonly daemonStorm: RssFigure;
  readonly storm: StormCounts;
  readonly goalMb: 80;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** VmRSS and VmHWM (peak) of a live process, in kB. */
function procRss(pid: number): { rssKb: number; peakKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
  } catch {
    return undefined;
  }
}

async function measureFor(
  label: string,
  args: readonly string[],
  seconds: number,
  onProgress: (text: string) => void,
  options: { ready?: () => boolean; during?: () => Promise<void> } = {},
): Promise<RssFigure> {
  const child: ChildProcess = spawn(process.execPath, [...DAEMON_NODE_FLAGS, ...args], {
    env: { ...process.env, ...DAEMON_ENV },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Keep the daemon's last log lines (pino at info) to show if it dies.
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    tail.push(text);
    if (tail.length > 20) tail.shift();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid ?? 0;
  try {
    const readyBy = Date.now() + 10_000;
    while (options.ready !== undefined && !options.ready()) {
      if (Date.now() > readyBy || child.exitCode !== null) throw new Error(`${label} did not start:\n${tail.join('')}`);
      await sleep(50);
    }
    const samples: number[] = [];
    const until = Date.now() + seconds * 1000;
    const work = options.during?.();
    while (Date.now() < until) {
      const rss = procRss(pid);
      if (rss === undefined) throw new Error(`${label} exited:\n${tail.join('')}`);
      samples.push(rss.rssKb);
      onProgress(`${label}: ${mb(rss.rssKb)} MB`);
      await sleep(500);
    }
    await work;
    const peak = Math.max(procRss(pid)?.peakKb ?? 0, ...samples);
    return { peakMb: mb(peak), lastMb: mb(samples.at(-1) ?? 0) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export async function measureRss(
  options: { idleSeconds?: number; stormSeconds?: number; onProgress?: (text: string) => void } = {},
): Promise<RssResult> {
  const onProgress = options.onProgress ?? (() => {});
  const idleSeconds = options.idleSeconds ?? 10;
  const stormSeconds = options.stormSeconds ?? 15;
  // Test support: a relay over UDP and a provisioned depot folder (bench only, never shipped).
  const { startTestRelay } = await import('../../firmware/test/support/test-relay.js');
  const { provisionedDepot } = await import('../../firmware/test/support/depot-fixture.js');

  onProgress('bundling the daemon…');
  const daemon = await buildDepot();
  const stormDaemon = await buildDepot({
    entry: join(ROOT, 'bench', 'firmware', 'storm-daemon.ts'),
    outfile: join(ROOT, 'firmware', 'dist', 'bench-storm-daemon.mjs'),
  });

  const bareNode = await measureFor('bare node', ['-e', 'setInterval(() => {}, 1000)'], 3, onProgress);
  const relay = await startTestRelay();
  const fixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port, compartments: 6 });
  let pinId = 10_000;
  const pushCommands = async () => {
    const until = Date.now() + stormSeconds * 1000 - 500;
    while (Date.now() < until) {
      for (let i = 0; i < 20; i++) {
        relay.core.queueCommand({
          command: CommandKind.PinAdd,
          pinId: pinId++,
          pinKind: PinKind.Permanent,
          compartment: 1 + (pinId % 6),
          digits: String(10_000_000 + pinId),
          validFromMs: 0,
          validUntilMs: 0,
          schedule: [],
        });
      }
      relay.push();
      await sleep(50);
    }
  };
  const checkedIn = (before: number) => () => relay.core.statuses.length > before;
  try {
    const daemonIdle = await measureFor(
      'daemon bundle, idle',
      [daemon.outfile, 'run', '--simulated-hardware', '--config-dir', fixture.dir],
      idleSeconds,
      onProgress,
      { ready: checkedIn(relay.core.statuses.length) },
    );
    const before = {
      checkIns: relay.core.statuses.length,
      results: relay.core.results.length,
      receipts: relay.core.receipts,
      stored: relay.core.storedOrder.length,
    };
    const daemonStorm = await measureFor(
      'daemon bundle, storm',
      [stormDaemon.outfile, fixture.dir],
      stormSeconds,
      onProgress,
      { ready: checkedIn(before.checkIns), during: pushCommands },
    );
    const storm: StormCounts = {
      checkIns: relay.core.statuses.length - before.checkIns,
      resultFrames: relay.core.results.length - before.results,
      distinctResults: new Set(relay.core.results.slice(before.results).map((r) => r.id)).size,
      eventFrames: relay.core.receipts - before.receipts,
      distinctEvents: relay.core.storedOrder.length - before.stored,
    };
    return {
      nodeFlags: DAEMON_NODE_FLAGS,
      bundleKb: Math.round(daemon.bytes / 1024),
      buildMs: Math.round(daemon.ms),
      bareNode,
      daemonIdle,
      daemonStorm,
      storm,
      goalMb: 80,
    };
  } finally {
    await relay.close();
    fixture.remove();
    rmSync(stormDaemon.outfile, { force: true });
  }
}
