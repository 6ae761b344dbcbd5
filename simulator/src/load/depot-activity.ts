import type { DepotDaemon, SimulatedHardware } from '@keydepot/firmware';

/** What people do at the depots, summed over one host's depots. */
export interface ActivityCounters {
  /** PINs sent by the cloud and typed once the depot had applied them. */
  pinsTyped: number;
  /** Of those, how many opened their compartment (a lockout can refuse one). */
  compartmentsOpened: number;
  pinsRefused: number;
  /** Random wrong PINs typed. */
  wrongPins: number;
}

export const newActivityCounters = (): ActivityCounters => ({
  pinsTyped: 0,
  compartmentsOpened: 0,
  pinsRefused: 0,
  wrongPins: 0,
});

/** A PIN the cloud queued for this depot, as a PIN_ADD command. */
export interface ExpectedPin {
  readonly commandId: number;
  readonly digits: string;
  readonly compartment: number;
}

/** A door stays open this long (simulated ms) while the key is taken or hung back. */
const DOOR_OPEN_MS = 15_000;
/** A typed PIN that has not opened its lock after this long (simulated ms) was refused. */
const VERDICT_WAIT_MS = 5_000;

/**
 * Real actions on one simulated depot, on its own sped-up clock: random wrong
 * PINs at a rate per simulated hour, and the pickups the cloud sets up (a PIN
 * typed once the depot has applied its PIN_ADD, the door pulled while the lock
 * is energised, the key taken or hung back, the door shut again). The
 * firmware journals every one of these as events.
 */
export class DepotActivity {
  private readonly waiting: ExpectedPin[] = [];
  private wrongPinTimer: { cancel(): void } | null = null;
  private active = false;

  constructor(
    private readonly hardware: SimulatedHardware,
    private readonly daemon: DepotDaemon,
    private readonly counters: ActivityCounters,
    private readonly random: () => number,
  ) {}

  /** Starts the wrong-PIN rhythm: exponential gaps, `perHour` per simulated hour on average (0 = none). */
  start(wrongPinsPerHour: number): void {
    this.active = true;
    if (wrongPinsPerHour > 0) this.scheduleWrongPin(3_600_000 / wrongPinsPerHour);
  }

  /** No new random actions; pickups already set up still complete. */
  quiet(): void {
    this.active = false;
    this.wrongPinTimer?.cancel();
    this.wrongPinTimer = null;
  }

  expect(pin: ExpectedPin): void {
    this.waiting.push(pin);
  }

  /** PINs set up but not yet typed. */
  get waitingPins(): number {
    return this.waiting.length;
  }

  /** Types every PIN whose command the depot has applied (called on the host's tick). */
  typeAppliedPins(): void {
    if (this.waiting.length === 0) return;
    const applied = this.daemon.store.lastCommandId();
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const pin = this.waiting[i];
      if (pin.commandId > applied) continue;
      this.waiting.splice(i, 1);
      this.pickUp(pin);
    }
  }

  private pickUp(pin: ExpectedPin): void {
    const box = this.hardware.compartment(pin.compartment);
    const { clock } = this.hardware;
    this.counters.pinsTyped++;
    let verdict: { cancel(): void } | null = null;
    const stopListening = box.lock.onStateChange((locked) => {
      if (locked) return;
      stopListening();
      verdict?.cancel();
      this.counters.compartmentsOpened++;
      box.openDoor();
      if (box.key?.raw) box.takeKey();
      else box.returnKey();
      clock.after(DOOR_OPEN_MS, () => box.closeDoor());
    });
    verdict = clock.after(VERDICT_WAIT_MS, () => {
      stopListening();
      this.counters.pinsRefused++;
    });
    this.hardware.keypad.type(`${pin.digits}#`);
  }

  private scheduleWrongPin(meanGapMs: number): void {
    const gap = -Math.log(1 - this.random()) * meanGapMs;
    this.wrongPinTimer = this.hardware.clock.after(gap, () => {
      if (!this.active) return;
      // Six digits: stored PINs have eight and offline PINs nine, so a random one never opens.
      const digits = String(100_000 + Math.floor(this.random() * 900_000));
      this.counters.wrongPins++;
      this.hardware.keypad.type(`${digits}#`);
      this.scheduleWrongPin(meanGapMs);
    });
  }
}
