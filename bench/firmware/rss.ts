/**
 * Memory of the depot daemon (issue 4, goal ≤ 80 MB RSS), idle and under a
 * check-in storm, beside a bare Node process measured in the same run. Each
 * process is a child (`node --import tsx`, as the systemd unit runs the
 * daemon) that reports its RSS twice a second; the figure is the peak.
 *
 * The daemon child runs the real firmware (core, SQLite file, link over UDP
 * to a relay in this process) on simulated hardware. Storm: a check-in every
 * 10 ms, commands pushed in bursts, doors moving every few ms (journal writes).
 *
 * `measureRss()` is called by bench/firmware.ts; this file is also the child's
 * entry point (argv[2] = JSON of ChildSpec).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CommandKind, PinKind } from '../../shared/src/index.js';

interface ChildSpec {
  readonly role: 'bare' | 'daemon';
  readonly configDir?: string;
  readonly storm?: boolean;
}

export interface RssFigure {
  readonly peakMb: number;
  readonly lastMb: number;
}

export interface RssResult {
  readonly bareNode: RssFigure;
  readonly bareNodeTsx: RssFigure;
  readonly daemonIdle: RssFigure;
  readonly daemonStorm: RssFigure;
  /** Check-ins and commands the relay saw during the storm. */
  readonly stormCheckIns: number;
  readonly stormCommands: number;
  readonly stormEvents: number;
  readonly goalMb: 80;
}

const SELF = fileURLToPath(import.meta.url);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spawnChild(spec: ChildSpec, tsx: boolean): { child: ChildProcess; samples: number[]; ready: Promise<void> } {
  const args = tsx ? ['--import', 'tsx', SELF, JSON.stringify(spec)] : ['-e', BARE_SCRIPT];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const samples: number[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line === 'ready') markReady();
    else if (line.startsWith('rss ')) samples.push(Number(line.slice(4)));
  });
  return { child, samples, ready };
}

/** A bare Node process that only reports its RSS: the floor every Node program starts from. */
const BARE_SCRIPT = `
const report = () => process.stdout.write('rss ' + process.memoryUsage().rss + '\\n');
process.stdout.write('ready\\n'); report(); setInterval(report, 500);`;

async function measureFor(
  spec: ChildSpec,
  tsx: boolean,
  seconds: number,
  onProgress: (text: string) => void,
  during?: () => Promise<void>,
): Promise<RssFigure> {
  const { child, samples, ready } = spawnChild(spec, tsx);
  try {
    await ready;
    const until = Date.now() + seconds * 1000;
    const work = during?.();
    while (Date.now() < until) {
      onProgress(`${spec.role}${spec.storm ? ' (storm)' : ''}: ${mb(samples.at(-1) ?? 0)} MB`);
      await sleep(250);
    }
    await work;
    return { peakMb: mb(Math.max(...samples)), lastMb: mb(samples.at(-1) ?? 0) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
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

  const bareNode = await measureFor({ role: 'bare' }, false, 3, onProgress);
  const bareNodeTsx = await measureFor({ role: 'bare' }, true, 3, onProgress);

  const relay = await startTestRelay();
  const fixture = provisionedDepot({ relayPublicKey: relay.keys.publicKey, relayPort: relay.port, compartments: 6 });
  try {
    const daemonIdle = await measureFor({ role: 'daemon', configDir: fixture.dir }, true, idleSeconds, onProgress);
    const checkInsBefore = relay.core.statuses.length;
    const commandsBefore = relay.core.results.length;
    const eventsBefore = relay.core.receipts;
    let pinId = 10_000;
    const daemonStorm = await measureFor(
      { role: 'daemon', configDir: fixture.dir, storm: true },
      true,
      stormSeconds,
      onProgress,
      async () => {
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
      },
    );
    return {
      bareNode,
      bareNodeTsx,
      daemonIdle,
      daemonStorm,
      stormCheckIns: relay.core.statuses.length - checkInsBefore,
      stormCommands: relay.core.results.length - commandsBefore,
      stormEvents: relay.core.receipts - eventsBefore,
      goalMb: 80,
    };
  } finally {
    await relay.close();
    fixture.remove();
  }
}

/** The child: a bare process (`role: 'bare'`, under tsx) or the daemon. */
async function child(spec: ChildSpec): Promise<void> {
  const report = () => process.stdout.write(`rss ${process.memoryUsage().rss}\n`);
  setInterval(report, 500);
  if (spec.role === 'bare') {
    process.stdout.write('ready\n');
    report();
    return;
  }
  const { loadDepotConfig } = await import('../../firmware/src/config.js');
  const { startDepotDaemon } = await import('../../firmware/src/daemon.js');
  const { createSimulatedHardware, SimulatedClock } = await import('../../firmware/src/hardware/simulated/index.js');
  const { udpLinkSocket } = await import('../../firmware/src/link/udp-socket.js');
  const config = loadDepotConfig(spec.configDir ?? '');
  const clock = new SimulatedClock({ speed: 1, startWallMs: Date.now() });
  const hardware = createSimulatedHardware({ compartments: config.compartments, clock });
  const daemon = await startDepotDaemon({
    config,
    hardware,
    socketFactory: (relay) => udpLinkSocket(relay),
    rhythm: spec.storm
      ? { checkInIntervalMs: 10, checkInJitterMs: 2, journalFlushMs: 5, retransmitMinMs: 200, retransmitMaxMs: 300 }
      : undefined,
  });
  process.on('SIGTERM', () => {
    void daemon.stop().then(() => {
      clock.stop();
      process.exit(0);
    });
  });
  process.stdout.write('ready\n');
  report();
  if (spec.storm) {
    // Doors open and close all the time: every movement is a journaled event to send.
    let n = 0;
    setInterval(() => {
      const compartment = hardware.compartment(1 + (n++ % config.compartments));
      if (compartment.doorOpen) compartment.closeDoor();
      else compartment.openDoor({ force: true });
    }, 5);
  }
}

if (process.argv[1] === SELF && process.argv[2] !== undefined) {
  child(JSON.parse(process.argv[2]) as ChildSpec).catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
