import type { Clock, DepotHardware, KeypadKey } from '../hardware/types.js';

export interface TestHardwareOptions {
  readonly hardware: DepotHardware;
  /** Where the technician reads the progress (process.stdout). */
  readonly stdout: { write(text: string): unknown };
  readonly clock: Clock;
  /** How long each lock's relay is energised. */
  readonly pulseMs: number;
  /** How long key presses are echoed at the end; 0 skips it. */
  readonly keyEchoSeconds: number;
  /** Pause after each lock so the technician can tell which one clicked (default 1 s). */
  readonly gapMs?: number;
}

export interface TestHardwareReport {
  /** Compartments whose pulse completed. */
  readonly pulsed: number[];
  readonly failed: { readonly number: number; readonly error: string }[];
  /** Sensor changes seen during the run, as printed. */
  readonly sensorChanges: string[];
  readonly keys: KeypadKey[];
  /** True/false when the keypad driver can ping its board; undefined when it cannot. */
  keypadAnswered: boolean | undefined;
}

const KEYPAD_PING_TIMEOUT_MS = 1_000;

/**
 * `keydepot-depot test-hardware`, for installation: pulses each lock in turn,
 * prints every sensor's state and change, then echoes keypad keys for a while.
 * The daemon must not run at the same time (it holds the GPIO lines and the port).
 */
export async function runTestHardware(options: TestHardwareOptions): Promise<TestHardwareReport> {
  const { hardware, stdout, clock } = options;
  const gapMs = options.gapMs ?? 1_000;
  const say = (line: string): void => {
    stdout.write(`${line}\n`);
  };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => clock.after(ms, resolve));
  const report: TestHardwareReport = { pulsed: [], failed: [], sensorChanges: [], keys: [], keypadAnswered: undefined };
  const unsubscribe: (() => void)[] = [];

  say(`keydepot test-hardware: ${hardware.compartments.length} compartments, ${options.pulseMs} ms pulses`);
  for (const c of hardware.compartments) {
    const note = (what: string): void => {
      report.sensorChanges.push(`compartment ${c.number} ${what}`);
      say(`  compartment ${c.number} ${what}`);
    };
    unsubscribe.push(c.door.onChange((open) => note(`door ${open ? 'opened' : 'closed'}`)));
    if (c.key) unsubscribe.push(c.key.onChange((present) => note(`key ${present ? 'returned' : 'taken'}`)));
  }
  try {
    printStates(hardware, say);
    report.keypadAnswered = await pingKeypad(hardware, say);
    hardware.keypad.led('amber');
    for (const c of hardware.compartments) {
      hardware.keypad.display('Hardware-Test', `Schloss ${c.number}`);
      say(`compartment ${c.number}: pulsing lock`);
      try {
        await c.lock.pulse(options.pulseMs);
        report.pulsed.push(c.number);
        say(`compartment ${c.number}: released`);
      } catch (error) {
        c.lock.release();
        const message = (error as Error).message;
        report.failed.push({ number: c.number, error: message });
        say(`compartment ${c.number}: FAILED: ${message}`);
      }
      await sleep(gapMs);
    }
    printStates(hardware, say);
    if (options.keyEchoSeconds > 0) await echoKeys(options, report, say, sleep);
  } finally {
    for (const off of unsubscribe) off();
    for (const c of hardware.compartments) c.lock.release();
    hardware.keypad.led('off');
    hardware.keypad.display('Test beendet');
  }
  say(
    `done: ${report.pulsed.length} locks pulsed, ${report.failed.length} failed, ` +
      `${report.sensorChanges.length} sensor changes, ${report.keys.length} keys`,
  );
  return report;
}

function printStates(hardware: DepotHardware, say: (line: string) => void): void {
  for (const c of hardware.compartments) {
    const key = c.key ? `key ${c.key.read() ? 'present' : 'absent'}` : 'no key sensor';
    say(`compartment ${c.number}: door ${c.door.read() ? 'open' : 'closed'}, ${key}`);
  }
}

/** The serial keypad can ping its board; a simulated one cannot and is skipped. */
async function pingKeypad(hardware: DepotHardware, say: (line: string) => void): Promise<boolean | undefined> {
  const keypad = hardware.keypad as { ping?: (timeoutMs: number) => Promise<boolean> };
  if (typeof keypad.ping !== 'function') return undefined;
  const answered = await keypad.ping(KEYPAD_PING_TIMEOUT_MS);
  say(answered ? 'keypad board: answers PING' : 'keypad board: NO ANSWER to PING (cable, port, baud rate?)');
  return answered;
}

async function echoKeys(
  options: TestHardwareOptions,
  report: TestHardwareReport,
  say: (line: string) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const { keypad } = options.hardware;
  say(`press keys on the keypad for ${options.keyEchoSeconds} s`);
  keypad.display('Tasten druecken', '');
  let typed = '';
  const off = keypad.onKey((key) => {
    report.keys.push(key);
    typed = (typed + key).slice(-16);
    keypad.beep('key');
    keypad.display('Tasten druecken', typed);
    say(`  key ${key}`);
  });
  try {
    await sleep(options.keyEchoSeconds * 1_000);
  } finally {
    off();
  }
}
