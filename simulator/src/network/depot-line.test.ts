import { endpointLinkSocket, SimulatedClock } from '@keydepot/firmware';
import type { Address } from '@keydepot/shared';
import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../memory-network.js';
import { DepotLine } from './depot-line.js';
import type { NetworkConditions } from './network-shim.js';

const RELAY: Address = { host: '127.0.0.1', port: 51820 };

/** A relay endpoint that echoes every datagram and records the source addresses it saw. */
function echoRelay(network: MemoryNetwork) {
  const relay = network.bind(RELAY.host, RELAY.port);
  const sources: Address[] = [];
  relay.onDatagram((datagram, from) => {
    sources.push(from);
    relay.send(datagram, from);
  });
  return { relay, sources };
}

function line(network: MemoryNetwork, clock: SimulatedClock, conditions: NetworkConditions, extra = {}) {
  return new DepotLine({
    clock,
    conditions: () => conditions,
    seed: 5,
    id: 1,
    open: () => endpointLinkSocket(network.bind('10.0.0.2'), RELAY),
    ...extra,
  });
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('DepotLine over the in-memory network', () => {
  it('passes datagrams both ways on a perfect network', async () => {
    const network = new MemoryNetwork();
    const { sources } = echoRelay(network);
    const clock = new SimulatedClock();
    const socket = line(network, clock, {}).open();
    const echoed: number[] = [];
    socket.onMessage((d) => echoed.push(d[0]));
    for (let i = 0; i < 5; i++) socket.send(Uint8Array.of(i));
    await settle();
    expect(echoed).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(sources.map((s) => s.port)).size).toBe(1);
  });

  it('holds delayed datagrams until simulated time reaches them', async () => {
    const network = new MemoryNetwork();
    echoRelay(network);
    const clock = new SimulatedClock();
    const socket = line(network, clock, { delayMs: 100 }).open();
    const echoed: number[] = [];
    socket.onMessage((d) => echoed.push(d[0]));
    socket.send(Uint8Array.of(7));
    await clock.advanceAsync(99);
    expect(echoed).toEqual([]);
    await clock.advanceAsync(1);
    expect(echoed).toEqual([]); // up took 100 ms; the echo needs 100 more
    await clock.advanceAsync(100);
    expect(echoed).toEqual([7]);
  });

  it('loses everything while cut, also what was already on its way, and passes again after restore', async () => {
    const network = new MemoryNetwork();
    const { sources } = echoRelay(network);
    const clock = new SimulatedClock();
    const depotLine = line(network, clock, { delayMs: 50 });
    const socket = depotLine.open();
    const echoed: number[] = [];
    socket.onMessage((d) => echoed.push(d[0]));
    socket.send(Uint8Array.of(1));
    depotLine.cut();
    socket.send(Uint8Array.of(2));
    await clock.advanceAsync(500);
    expect(sources).toEqual([]);
    expect(depotLine.stats().up).toEqual({ sent: 2, lost: 2, duplicated: 0, delivered: 0 });
    depotLine.restore();
    socket.send(Uint8Array.of(3));
    await clock.advanceAsync(500);
    expect(echoed).toEqual([3]);
    expect(depotLine.isCut).toBe(false);
  });

  it('meets the same fates with the same seed', async () => {
    const run = async () => {
      const network = new MemoryNetwork();
      echoRelay(network);
      const clock = new SimulatedClock();
      const socket = line(network, clock, { lossPercent: 30, duplicatePercent: 10, jitterMs: 40 }).open();
      const echoed: number[] = [];
      socket.onMessage((d) => echoed.push(d[0]));
      for (let i = 0; i < 200; i++) {
        socket.send(Uint8Array.of(i));
        await clock.advanceAsync(10);
      }
      await clock.advanceAsync(1_000);
      return echoed;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    // Lost both ways at 30% each: about half come back, some twice or more.
    expect(new Set(first).size).toBeGreaterThan(70);
    expect(new Set(first).size).toBeLessThan(130);
  });

  it('moves the source port at every NAT rebinding; answers to the old port are lost', async () => {
    const network = new MemoryNetwork();
    const { relay, sources } = echoRelay(network);
    const clock = new SimulatedClock();
    const depotLine = line(network, clock, {}, { rebindEveryMs: 60_000 });
    const socket = depotLine.open();
    const echoed: number[] = [];
    socket.onMessage((d) => echoed.push(d[0]));
    for (let minute = 0; minute < 3; minute++) {
      socket.send(Uint8Array.of(minute));
      await clock.advanceAsync(60_000);
    }
    await settle();
    expect(new Set(sources.map((s) => s.port)).size).toBe(3);
    expect(depotLine.stats().mappings).toBe(3);
    // The relay pushes to the mapping it last heard from, which the NAT has forgotten by now.
    relay.send(Uint8Array.of(99), sources[2] as Address);
    await settle();
    expect(echoed).toEqual([0, 1, 2]);
    expect(network.undeliverable).toBe(1);
  });
});
