import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialKeypad } from '../../src/hardware/serial-keypad.js';
import { SimulatedClock } from '../../src/hardware/simulated/clock.js';
import type { KeypadKey } from '../../src/hardware/types.js';

// serialport's own copy of the mock binding (ENVIRONMENT.md: importing
// @serialport/binding-mock from ESM gets a different copy).
const binding = SerialPortMock.binding;
let nextPort = 0;

afterEach(() => {
  binding.reset();
});

/** Lets the mock's nextTick/promise work run; gives up after a bounded number of turns. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 200; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened: ${what}`);
}

function setup(options: { create?: boolean } = {}) {
  const path = `/dev/ttyKEYPAD${nextPort++}`;
  if (options.create ?? true) binding.createPort(path, { echo: false, record: true });
  const clock = new SimulatedClock();
  const ports: SerialPortMock[] = [];
  const warnings: string[] = [];
  const keypad = new SerialKeypad({
    openPort: () => {
      const port = new SerialPortMock({ path, baudRate: 115_200 });
      ports.push(port);
      return port;
    },
    clock,
    reconnectMs: 500,
    maxReconnectMs: 4_000,
    log: { info: () => {}, warn: (m) => warnings.push(m) },
  });
  const current = (): SerialPortMock => {
    const port = ports.at(-1);
    if (!port) throw new Error('no port opened');
    return port;
  };
  /** Everything the depot wrote to the current port. */
  const written = (): string => current().port?.recording.toString('latin1') ?? '';
  /** The board sends lines. */
  const board = (text: string): void => current().port?.emitData(Buffer.from(text, 'latin1'));
  return { path, clock, keypad, ports, warnings, current, written, board };
}

describe('SerialKeypad over the mock binding', () => {
  it('delivers keys from board lines and counts garbage', async () => {
    const { keypad, board } = setup();
    await until(() => keypad.connected, 'port open');
    const keys: KeypadKey[] = [];
    keypad.onKey((key) => keys.push(key));
    board('K4\nK2\r\nnoise\xff\nK#\nK*\nKX\n');
    await until(() => keys.length === 4, 'four keys');
    expect(keys).toEqual(['4', '2', '#', '*']);
    await until(() => keypad.stats.garbageLines === 2, 'garbage counted');
    await keypad.close();
  });

  it('writes display rows transliterated and cut, beeps and LED commands', async () => {
    const { keypad, written } = setup();
    await until(() => keypad.connected, 'port open');
    const before = written();
    keypad.display('PIN eingeben:', 'Fächer 1-6 schließen');
    keypad.beep('error');
    keypad.led('red');
    await until(() => written().endsWith('L R\n'), 'commands written');
    expect(written().slice(before.length)).toBe('D1 PIN eingeben:\nD2 Faecher 1-6 schl\nB ERR\nL R\n');
    await keypad.close();
  });

  it('sends the display and LED again when the board says HELLO after a reset', async () => {
    const { keypad, written, board } = setup();
    await until(() => keypad.connected, 'port open');
    keypad.display('Bereit');
    keypad.led('amber');
    await until(() => written().includes('L A\n'), 'state written');
    const before = written().length;
    board('HELLO keypad/1 fw=1.2\n');
    await until(() => written().length > before, 'state resent');
    expect(written().slice(before)).toBe('D1 Bereit\nD2 \nL A\n');
    expect(keypad.board).toEqual({ protocol: 'keypad/1', firmware: '1.2' });
    await keypad.close();
  });

  it('answers ping with the board’s PONG, and false without one', async () => {
    const { keypad, board, written, clock } = setup();
    await until(() => keypad.connected, 'port open');
    const answered = keypad.ping(1_000);
    await until(() => written().endsWith('PING\n'), 'ping written');
    board('PONG\n');
    expect(await answered).toBe(true);
    const unanswered = keypad.ping(1_000);
    clock.advance(1_000);
    expect(await unanswered).toBe(false);
    await keypad.close();
  });

  it('reopens the port with backoff after it closes under it (USB unplug) and restores the display', async () => {
    const { keypad, ports, current, written, clock, warnings } = setup();
    await until(() => keypad.connected, 'port open');
    keypad.display('Bereit');
    await new Promise<void>((resolve) => current().close(() => resolve()));
    await until(() => !keypad.connected && clock.pendingTimers === 1, 'reconnect scheduled');
    expect(warnings.at(-1)).toMatch(/closed; reconnecting/);
    keypad.display('Offline getippt'); // dropped while unplugged, but remembered
    clock.advance(499);
    expect(ports).toHaveLength(1);
    clock.advance(1);
    expect(ports).toHaveLength(2);
    await until(() => keypad.connected, 'port reopened');
    await until(() => written().includes('L 0\n'), 'state resent');
    expect(written()).toBe('D1 Offline getippt\nD2 \nL 0\n');
    expect(keypad.stats.reconnects).toBe(1);
    await keypad.close();
  });

  it('keeps trying a port that does not exist yet, doubling the wait up to the cap', async () => {
    const { keypad, ports, clock, path } = setup({ create: false });
    const waits: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      await until(() => clock.pendingTimers === 1, `retry ${attempt} scheduled`);
      const wait = clock.nextTimerInMs() ?? -1;
      waits.push(wait);
      clock.advance(wait);
    }
    expect(waits).toEqual([500, 1_000, 2_000, 4_000, 4_000]);
    binding.createPort(path, { echo: false, record: true });
    await until(() => clock.pendingTimers === 1, 'last retry scheduled');
    clock.advance(clock.nextTimerInMs() ?? 0);
    await until(() => keypad.connected, 'port open at last');
    expect(ports.length).toBe(7);
    await keypad.close();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('SerialKeypad close', () => {
  it('closes a port that was still opening when close() came', async () => {
    const { keypad, current, clock } = setup();
    let opened = false;
    let closed = false;
    current().on('open', () => {
      opened = true;
    });
    current().on('close', () => {
      closed = true;
    });
    await keypad.close();
    await until(() => opened && closed, 'port opened, then closed');
    expect(current().isOpen).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });
});
