import { describe, expect, it } from 'vitest';
import { machineRcvbufErrors, RAMP_STEPS, rampSpeeds } from './run-load.js';

describe('rampSpeeds', () => {
  it('rises in even steps from just above real time to the speed-up', () => {
    const speeds = rampSpeeds(60);
    expect(speeds).toHaveLength(RAMP_STEPS);
    expect(speeds.at(-1)).toBe(60);
    const steps = speeds.slice(1).map((s, i) => s - speeds[i]);
    for (const step of steps) expect(step).toBeCloseTo((60 - 1) / RAMP_STEPS, 9);
    expect(speeds[0]).toBeCloseTo(1 + 59 / RAMP_STEPS, 9);
  });

  it('is the speed itself at real time or slower', () => {
    expect(rampSpeeds(1)).toEqual([1]);
  });
});

describe('machineRcvbufErrors', () => {
  it('reads the Udp RcvbufErrors column of /proc/net/snmp', () => {
    const snmp = [
      'Ip: Forwarding DefaultTTL',
      'Ip: 1 64',
      'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
      'Udp: 1000 3 25 990 21 0 0 0 0',
      'UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
      'UdpLite: 0 0 0 0 0 0 0 0 0',
    ].join('\n');
    expect(machineRcvbufErrors(() => snmp)).toBe(21);
  });

  it('is null where the file or the column is missing', () => {
    expect(
      machineRcvbufErrors(() => {
        throw new Error('ENOENT');
      }),
    ).toBeNull();
    expect(machineRcvbufErrors(() => 'Udp: InDatagrams\nUdp: 5')).toBeNull();
  });
});
