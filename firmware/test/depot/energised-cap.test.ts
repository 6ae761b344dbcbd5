/**
 * Issue 19, item 5: a storm of OPEN commands (a lying relay may send any number)
 * never keeps a lock energised longer than one unlockPulseMs in one go, and the
 * lock rests between pulses. The lock driver here is the worst kind: every pulse
 * restarts its release time, so only the depot core stands between the storm
 * and a coil energised without end.
 */
import { CommandKind, CommandStatus } from '@keydepot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createDepotCore } from '../../src/depot/depot-core.js';
import { RELAY_REST_MS } from '../../src/depot/energised-limit.js';
import type { CompartmentLock, Timer } from '../../src/hardware/types.js';
import { type DepotStore, openDepotStore } from '../../src/store/depot-store.js';
import { FakeClock, fakeHardware } from './fakes.js';
import { command, NOW, PIN_KEY, tempDb } from './harness.js';

/** A relay driver whose every pulse restarts the release time (no limit of its own); records energised spans. */
class ExtendingLock implements CompartmentLock {
  readonly spans: { from: number; to?: number }[] = [];
  private timer: Timer | undefined;
  private waiters: (() => void)[] = [];

  constructor(private readonly clock: FakeClock) {}

  get energised(): boolean {
    return this.spans.at(-1)?.to === undefined && this.spans.length > 0;
  }

  pulse(durationMs: number): Promise<void> {
    if (!this.energised) this.spans.push({ from: this.clock.monotonicMs() });
    this.timer?.cancel();
    this.timer = this.clock.after(durationMs, () => this.release());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const span = this.spans.at(-1);
    if (span && span.to === undefined) span.to = this.clock.monotonicMs();
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function stormRig() {
  const db = tempDb();
  const clock = new FakeClock();
  const base = fakeHardware(2, clock);
  const locks = [new ExtendingLock(clock), new ExtendingLock(clock)];
  const hardware = { ...base, compartments: base.compartments.map((c, i) => ({ ...c, lock: locks[i] })) };
  const store: DepotStore = openDepotStore(db.path);
  const core = createDepotCore({ hardware, store, pinMacKey: PIN_KEY, firmwareVersion: 'test-1' });
  core.start();
  core.setTime(NOW);
  cleanups.push(() => {
    core.stop();
    store.close();
    db.remove();
  });
  const started = clock.monotonicMs();
  /** An OPEN as the relay sends it: valid for 30 s from the depot's trusted now. */
  const open = (id: number, compartment: number) =>
    core.receiveCommand(
      command(
        id,
        { command: CommandKind.Open, compartment },
        { notAfterMs: NOW + clock.monotonicMs() - started + 30_000 },
      ),
    );
  return { clock, core, locks, store, open };
}

describe('the energised-time cap', () => {
  it('holds under a storm of OPEN commands: one pulse length at most, then a rest', async () => {
    const { clock, core, locks, open } = stormRig();
    const pulseMs = core.settings().unlockPulseMs;
    let id = 1;
    // An OPEN for compartment 1 every 100 ms for 30 s, each a new command id, as a lying relay may send.
    const stormMs = 30_000;
    for (let t = 0; t < stormMs; t += 100) {
      const result = open(id, 1);
      expect(result).toMatchObject({ id, status: CommandStatus.Applied });
      id++;
      clock.advance(100);
      await Promise.resolve();
    }
    clock.advance(pulseMs);
    const spans = locks[0]?.spans ?? [];
    expect(spans.length).toBeGreaterThan(5);
    for (const span of spans) {
      expect(span.to).toBeDefined();
      expect((span.to as number) - span.from).toBeLessThanOrEqual(pulseMs);
    }
    for (let i = 1; i < spans.length; i++) {
      expect((spans[i]?.from as number) - (spans[i - 1]?.to as number)).toBeGreaterThanOrEqual(RELAY_REST_MS);
    }
    // Energised at most pulse / (pulse + rest) of the storm, and the other lock never.
    const energised = spans.reduce((sum, s) => sum + ((s.to as number) - s.from), 0);
    expect(energised / (stormMs + pulseMs)).toBeLessThanOrEqual(pulseMs / (pulseMs + RELAY_REST_MS) + 0.01);
    expect(locks[1]?.spans).toEqual([]);
    expect(core.status().compartments[0]?.locked).toBe(true);
  });

  it('releases at the pulse end even when the driver would hold on, and a stop releases a waiting pulse too', async () => {
    const { clock, core, locks, open } = stormRig();
    const pulseMs = core.settings().unlockPulseMs;
    open(1, 2);
    clock.advance(pulseMs - 1);
    open(2, 2);
    expect(locks[1]?.energised).toBe(true);
    clock.advance(1);
    expect(locks[1]?.energised).toBe(false);
    expect(locks[1]?.spans).toEqual([{ from: 1_000, to: 1_000 + pulseMs }]);
    // Within the rest: the next pulse waits; stopping the core drops it.
    open(3, 2);
    expect(core.status().compartments[1]?.locked).toBe(true);
    core.stop();
    clock.advance(10 * RELAY_REST_MS);
    expect(locks[1]?.spans).toHaveLength(1);
  });
});
