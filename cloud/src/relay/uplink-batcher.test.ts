import { describe, expect, it } from 'vitest';
import { UplinkBatcher } from './uplink-batcher.js';

interface Item {
  readonly depot: number;
  readonly n: number;
}

/** A store whose batches finish only when the test says so. */
function gatedStore() {
  const started: Item[][] = [];
  const gates: Array<() => void> = [];
  const running = new Set<number>();
  let overlaps = 0;
  const process = (batch: Item[]) => {
    started.push(batch);
    for (const item of batch) {
      if (running.has(item.depot)) overlaps++;
    }
    const depots = new Set(batch.map((i) => i.depot));
    for (const d of depots) running.add(d);
    return new Promise<void>((resolve) => {
      gates.push(() => {
        for (const d of depots) running.delete(d);
        resolve();
      });
    });
  };
  return { process, started, gates, overlaps: () => overlaps };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('UplinkBatcher', () => {
  it('with one lane stores one batch at a time, in arrival order', async () => {
    const store = gatedStore();
    const batcher = new UplinkBatcher<Item>(store.process, 3);
    for (let n = 0; n < 5; n++) batcher.add({ depot: n % 2, n });
    await turn();
    expect(store.started.map((b) => b.map((i) => i.n))).toEqual([[0, 1, 2]]);
    batcher.add({ depot: 9, n: 5 });
    store.gates.shift()?.();
    await turn();
    expect(store.started.map((b) => b.map((i) => i.n))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    store.gates.shift()?.();
    await batcher.drain();
  });

  it('with two lanes runs a second batch at once, never with a depot the first one holds', async () => {
    const store = gatedStore();
    const batcher = new UplinkBatcher<Item>(store.process, 10, { lanes: 2, keyOf: (i) => i.depot });
    batcher.add({ depot: 1, n: 0 });
    batcher.add({ depot: 2, n: 1 });
    await turn();
    expect(store.started).toHaveLength(1);
    // While the first batch (depots 1 and 2) is stored, depot 1 reports again and depot 3 for the first time.
    batcher.add({ depot: 1, n: 2 });
    batcher.add({ depot: 3, n: 3 });
    batcher.add({ depot: 1, n: 4 });
    await turn();
    expect(store.started.map((b) => b.map((i) => i.n))).toEqual([[0, 1], [3]]);
    expect(batcher.pending).toBe(2);
    // The first batch commits: depot 1's telegrams go next, in their order.
    store.gates.shift()?.();
    await turn();
    expect(store.started.map((b) => b.map((i) => i.n))).toEqual([[0, 1], [3], [2, 4]]);
    while (store.gates.length > 0) store.gates.shift()?.();
    await batcher.drain();
    expect(store.overlaps()).toBe(0);
  });

  it('drains everything under load, each depot in order and never in two batches at once', async () => {
    const order = new Map<number, number[]>();
    let running = 0;
    let most = 0;
    const held = new Set<number>();
    let overlaps = 0;
    const batcher = new UplinkBatcher<Item>(
      async (batch) => {
        running++;
        most = Math.max(most, running);
        const depots = new Set(batch.map((i) => i.depot));
        for (const d of depots) {
          if (held.has(d)) overlaps++;
          held.add(d);
        }
        for (const item of batch) order.set(item.depot, [...(order.get(item.depot) ?? []), item.n]);
        await new Promise((resolve) => setTimeout(resolve, 1 + (batch.length % 3)));
        for (const d of depots) held.delete(d);
        running--;
      },
      7,
      { lanes: 2, keyOf: (i) => i.depot },
    );
    for (let n = 0; n < 400; n++) {
      batcher.add({ depot: (n * 7) % 13, n });
      if (n % 25 === 0) await turn();
    }
    await batcher.drain();
    expect(overlaps).toBe(0);
    expect(most).toBe(2);
    expect([...order.values()].flat()).toHaveLength(400);
    for (const ns of order.values()) expect(ns).toEqual([...ns].sort((a, b) => a - b));
  });

  it('refuses several lanes without a key to keep them apart', () => {
    expect(() => new UplinkBatcher<Item>(async () => {}, 10, { lanes: 2 })).toThrow(/key/);
  });
});
