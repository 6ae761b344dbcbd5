import { describe, expect, it } from 'vitest';
import { Debouncer } from './debouncer.js';
import { SimulatedClock } from './simulated/clock.js';

function setup(debounceMs: number, sample?: () => boolean) {
  const clock = new SimulatedClock();
  const changes: boolean[] = [];
  const debouncer = new Debouncer({ initial: false, debounceMs, clock, onChange: (v) => changes.push(v), sample });
  return { clock, changes, debouncer };
}

describe('Debouncer', () => {
  it('reports a level once the input has been quiet for the debounce time', () => {
    const { clock, changes, debouncer } = setup(50);
    debouncer.feed(true);
    clock.advance(49);
    expect(changes).toEqual([]);
    expect(debouncer.value).toBe(false);
    clock.advance(1);
    expect(changes).toEqual([true]);
    expect(debouncer.value).toBe(true);
  });

  it('restarts the quiet period on every edge of a bouncing contact', () => {
    const { clock, changes, debouncer } = setup(50);
    for (const level of [true, false, true, false, true]) {
      debouncer.feed(level);
      clock.advance(10);
    }
    expect(changes).toEqual([]);
    clock.advance(40);
    expect(changes).toEqual([true]);
    expect(debouncer.edgeCount).toBe(5);
  });

  it('reports nothing for a glitch that ends where it started', () => {
    const { clock, changes, debouncer } = setup(50);
    debouncer.feed(true);
    clock.advance(5);
    debouncer.feed(false);
    clock.advance(500);
    expect(changes).toEqual([]);
  });

  it('samples the line when quiet instead of trusting the edge value', () => {
    let line = true;
    const { clock, changes, debouncer } = setup(50, () => line);
    debouncer.feed(false); // an interrupt that read a stale level
    clock.advance(50);
    expect(changes).toEqual([true]);
    line = false;
    debouncer.feed(true);
    clock.advance(50);
    expect(changes).toEqual([true, false]);
  });

  it('reports every change at once with a debounce of 0', () => {
    const { changes, debouncer } = setup(0);
    debouncer.feed(true);
    debouncer.feed(true);
    debouncer.feed(false);
    expect(changes).toEqual([true, false]);
  });

  it('reports nothing after dispose', () => {
    const { clock, changes, debouncer } = setup(50);
    debouncer.feed(true);
    debouncer.dispose();
    clock.advance(100);
    expect(changes).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});
