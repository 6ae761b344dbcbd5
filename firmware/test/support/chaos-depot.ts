/**
 * One life of a depot for the power-cut test, run as a child process with
 * `node --import tsx`. It loads everything, says "loaded", waits for "go" on
 * stdin (so the parent can pre-spawn the next life while this one runs), then
 * starts the real daemon (core + SQLite file + link over UDP) on simulated
 * hardware, says "ready" and, from its seed, types PINs and moves doors and
 * keys until the parent kills it with SIGKILL. Every PIN attempt is appended
 * to a log (after its transaction committed) for the parent's checks.
 *
 * Time: the whole test shares one sped-up world clock, world = t0 + (now - t0) × speed,
 * which the relay's TIME frames and this process's simulated clock both follow.
 */
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadCryptoBackend } from '@keydepot/shared';
import { loadDepotConfig } from '../../src/config.js';
import { startDepotDaemon } from '../../src/daemon.js';
import { createSimulatedHardware, SimulatedClock } from '../../src/hardware/simulated/index.js';
import { seededRandom } from '../../src/link/seeded-random.js';
import { udpLinkSocket } from '../../src/link/udp-socket.js';

export interface ChaosPin {
  readonly id: number;
  readonly digits: string;
  readonly compartment: number;
}

/** What the parent hands a life (JSON in argv[2]). */
export interface ChaosLifeSpec {
  readonly configDir: string;
  readonly logPath: string;
  readonly life: number;
  readonly seed: number;
  readonly t0: number;
  readonly speed: number;
  /** 'chaos' acts until killed; 'drain' acts not at all and says "drained" once the outbox is empty. */
  readonly mode: 'chaos' | 'drain';
  readonly permanent: ChaosPin;
  readonly oneTime: readonly ChaosPin[];
}

/** One line of the PIN log. */
export interface ChaosLogLine {
  readonly life: number;
  readonly what: 'boot' | 'permanent' | 'one-time' | 'wrong';
  /** A PIN is logged twice: 'typing' before the keys, 'done' after its transaction (a kill may come between). */
  readonly phase?: 'typing' | 'done';
  readonly pinId?: number;
  readonly opened?: boolean;
  readonly failedAttempts: number;
  readonly lockoutUntilMs: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as ChaosLifeSpec;
  const config = loadDepotConfig(spec.configDir);
  const backend = await loadCryptoBackend('libsodium-wrappers');
  const random = seededRandom(spec.seed);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('loaded');
  await new Promise<void>((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line === 'go') resolve();
    });
  });

  const worldNow = () => spec.t0 + (Date.now() - spec.t0) * spec.speed;
  const clock = new SimulatedClock({ speed: spec.speed, startWallMs: worldNow() });
  const hardware = createSimulatedHardware({ compartments: config.compartments, clock });
  const daemon = await startDepotDaemon({
    config,
    hardware,
    backend,
    socketFactory: (relay) => udpLinkSocket(relay),
    statusIntervalMs: 0,
    rhythm: { journalFlushMs: 50 },
    random,
  });
  const log = (line: Omit<ChaosLogLine, 'life' | 'failedAttempts' | 'lockoutUntilMs'>) => {
    const status = daemon.core.status();
    const full: ChaosLogLine = {
      life: spec.life,
      ...line,
      failedAttempts: status.failedAttempts,
      lockoutUntilMs: status.lockoutUntilMs,
    };
    appendFileSync(spec.logPath, `${JSON.stringify(full)}\n`);
  };
  log({ what: 'boot' });
  process.on('SIGTERM', () => {
    void daemon.stop().then(() => {
      clock.stop();
      process.exit(0);
    });
  });
  say('ready');

  if (spec.mode === 'drain') {
    const check = () => {
      if (daemon.core.status().outboxSize === 0 && daemon.core.pendingResults().length === 0) say('drained');
      else setTimeout(check, 20);
    };
    check();
    return;
  }

  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  // A PIN opened when the keypad showed it green (right after its UNLOCKED committed, before the pulse).
  // The lock's pulse count cannot tell: a PIN typed while the lock is still energised shares that pulse,
  // and one typed in the relay's rest between pulses is energised a moment later (energised-limit.ts).
  const type = (what: ChaosLogLine['what'], pin: ChaosPin | undefined, digits: string) => {
    const before = hardware.keypad.leds.length;
    log({ what, pinId: pin?.id, phase: 'typing' });
    hardware.keypad.type(`${digits}#`);
    const opened = pin !== undefined && hardware.keypad.leds.slice(before).includes('green');
    log({ what, pinId: pin?.id, phase: 'done', opened });
  };
  const act = () => {
    const roll = random();
    if (roll < 0.2) type('permanent', spec.permanent, spec.permanent.digits);
    else if (roll < 0.5) {
      const pin = pick(spec.oneTime);
      type('one-time', pin, pin.digits);
    } else if (roll < 0.75) type('wrong', undefined, String(10_000_000 + Math.floor(random() * 89_999_999)));
    else if (roll < 0.9) {
      const compartment = pick(hardware.compartments);
      if (compartment.doorOpen) compartment.closeDoor();
      else compartment.openDoor({ force: random() < 0.3 });
    } else {
      const compartment = pick(hardware.compartments);
      if (compartment.doorOpen) {
        if (!compartment.takeKey()) compartment.returnKey();
      }
    }
    setTimeout(act, 5 + Math.floor(random() * 30));
  };
  act();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
