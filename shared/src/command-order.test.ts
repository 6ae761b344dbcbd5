import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandOrder } from './command-order.js';

describe('commandOrder', () => {
  it('classifies repeats, the next command and early ones', () => {
    expect(commandOrder({ id: 4, previousId: 3 }, 4)).toBe('repeat');
    expect(commandOrder({ id: 5, previousId: 4 }, 4)).toBe('next');
    expect(commandOrder({ id: 7, previousId: 6 }, 4)).toBe('early');
    // Command 6 expired unsent: 7 follows 5 directly.
    expect(commandOrder({ id: 7, previousId: 5 }, 5)).toBe('next');
    expect(commandOrder({ id: 1, previousId: 0 }, 0)).toBe('next');
  });

  it('applies every delivered command exactly once and in order, whatever the network does (property)', () => {
    fc.assert(
      fc.property(
        // A queue of ids 1..n; some expire unsent. Telegrams arrive lost, duplicated and reordered.
        fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 300 }),
        (expiredUnsent, arrivals) => {
          const sent: Array<{ id: number; previousId: number }> = [];
          let previousId = 0;
          expiredUnsent.forEach((expired, index) => {
            if (expired) return;
            sent.push({ id: index + 1, previousId });
            previousId = index + 1;
          });
          let last = 0;
          const applied: number[] = [];
          const deliver = (command: { id: number; previousId: number }) => {
            if (commandOrder(command, last) === 'next') {
              applied.push(command.id);
              last = command.id;
            }
          };
          // Random arrivals (losses, duplicates, reordering), then the relay's
          // retransmission of the whole pending queue in order, as on every reply.
          for (const pick of arrivals) if (sent.length > 0) deliver(sent[pick % sent.length]);
          for (const command of sent) deliver(command);
          expect(applied).toEqual(sent.map((c) => c.id));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
