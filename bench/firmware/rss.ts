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
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
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
  /** The same daemon transpiled to plain JavaScript first and run by bare `node` (no tsx loader). */
  readonly daemonIdleJs: RssFigure;
  readonly daemonStormJs: RssFigure;
  /** Check-ins and commands the relay saw during the storm. */
  readonly stormCheckIns: number;
  readonly stormCommands: number;
  readonly stormEvents: number;
  readonly goalMb: 80;
}

const SELF = fileURLToPath(import.meta.url);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How a child runs: bare `node -e`, this file under tsx, or this file transpiled to JS. */
type Runner = { kind: 'bare' } | { kind: 'tsx' } | { kind: 'js'; entry: string };

function spawnChild(spec: ChildSpec, runner: Runner): { child: ChildProcess; samples: number[]; ready: Promise<void> } {
  const args =
    runner.kind === 'bare'
      ? ['-e', BARE_SCRIPT]
      : runner.kind === 'tsx'
        ? ['--import', 'tsx', SELF, JSON.stringify(spec)]
        : [runner.entry, JSON.stringify(spec)];
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
  runner: Runner,
  seconds: number,
  onProgress: (text: string) => void,
  during?: () => Promise<void>,
): Promise<RssFigure> {
  const { child, samples, ready } = spawnChild(spec, runner);
  try {
    await ready;
    const until = Date.now() + seconds * 1000;
    const work = during?.();
    while (Date.now() < until) {
      onProgress(`${spec.role} (${runner.kind}${spec.storm ? ', storm' : ''}): ${mb(samples.at(-1) ?? 0)} MB`);
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

  const bareNode = await measureFor({ role: 'bare' }, { kind: 'bare' }, 3, onProgress);
  const bareNodeTsx = await measureFor({ role: 'bare' }, { kind: 'tsx' }, 3, onProgress);
  const compiled = transpileForNode();

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
  try {
    const idle = { role: 'daemon', configDir: fixture.dir } as const;
    const storm = { ...idle, storm: true };
    const daemonIdle = await measureFor(idle, { kind: 'tsx' }, idleSeconds, onProgress);
    const checkInsBefore = relay.core.statuses.length;
    const commandsBefore = relay.core.results.length;
    const eventsBefore = relay.core.receipts;
    const daemonStorm = await measureFor(storm, { kind: 'tsx' }, stormSeconds, onProgress, pushCommands);
    const stormCheckIns = relay.core.statuses.length - checkInsBefore;
    const stormCommands = relay.core.results.length - commandsBefore;
    const stormEvents = relay.core.receipts - eventsBefore;
    const daemonIdleJs = await measureFor(idle, compiled.runner, idleSeconds, onProgress);
    const daemonStormJs = await measureFor(storm, compiled.runner, stormSeconds, onProgress, pushCommands);
    return {
      bareNode,
      bareNodeTsx,
      daemonIdle,
      daemonStorm,
      daemonIdleJs,
      daemonStormJs,
      stormCheckIns,
      stormCommands,
      stormEvents,
      goalMb: 80,
    };
  } finally {
    await relay.close();
    fixture.remove();
    compiled.remove();
  }
}

/**
 * Transpiles firmware/src, shared/src and this file to plain JavaScript in a
 * temporary folder (TypeScript's transpileModule, no type check), with
 * `@keydepot/shared` pointed at the transpiled shared/ and node_modules linked
 * to the packages' own, so bare `node` runs the daemon as a shipped build would.
 */
function transpileForNode(): { runner: Runner; remove(): void } {
  const require = createRequire(import.meta.url);
  const ts = require('typescript') as typeof import('typescript');
  const root = join(dirname(SELF), '..', '..');
  const out = mkdtempSync(join(tmpdir(), 'keydepot-rss-js-'));
  const sharedIndex = join(out, 'shared', 'src', 'index.js');
  const emit = (file: string) => {
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    let { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, isolatedModules: true },
      fileName: file,
    });
    let toShared = relative(dirname(target), sharedIndex);
    if (!toShared.startsWith('.')) toShared = `./${toShared}`;
    outputText = outputText.replaceAll("'@keydepot/shared'", `'${toShared}'`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) emit(path);
    }
  };
  walk(join(root, 'firmware', 'src'));
  walk(join(root, 'shared', 'src'));
  emit(SELF);
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  for (const pkg of ['firmware', 'shared'])
    symlinkSync(join(root, pkg, 'node_modules'), join(out, pkg, 'node_modules'));
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
  return {
    runner: { kind: 'js', entry: join(out, relative(root, SELF)).replace(/\.ts$/, '.js') },
    remove: () => rmSync(out, { recursive: true, force: true }),
  };
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
