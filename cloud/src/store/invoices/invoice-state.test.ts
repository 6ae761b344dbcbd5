import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVOICE_STATES, type InvoiceAction, type InvoiceState, nextState } from './invoice-state.js';

const ACTIONS: InvoiceAction[] = ['issue', 'pay', 'pickup', 'cancel', 'refund'];

/** Every state reachable from `from` by any sequence of allowed actions. */
function reachable(from: InvoiceState): Set<InvoiceState> {
  const seen = new Set<InvoiceState>();
  const queue = [from];
  while (queue.length > 0) {
    const state = queue.pop() as InvoiceState;
    for (const action of ACTIONS) {
      const next = nextState(state, action);
      if (next && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

describe('invoice state machine', () => {
  it('follows draft → open → paid → picked up', () => {
    expect(nextState('draft', 'issue')).toBe('open');
    expect(nextState('open', 'pay')).toBe('paid');
    expect(nextState('paid', 'pickup')).toBe('picked-up');
    expect(nextState('open', 'cancel')).toBe('cancelled');
    expect(nextState('paid', 'refund')).toBe('refunded');
    expect(nextState('draft', 'pay')).toBeNull();
    expect(nextState('open', 'refund')).toBeNull();
  });

  it('leads from cancelled, refunded and picked up nowhere, and never back to draft', () => {
    for (const end of ['cancelled', 'refunded', 'picked-up'] as const) expect(reachable(end).size).toBe(0);
    for (const state of INVOICE_STATES) expect(reachable(state).has('draft')).toBe(false);
  });

  it('on any sequence of actions, never reaches open or paid again once cancelled or refunded', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ACTIONS), { maxLength: 30 }), (actions) => {
        let state: InvoiceState = 'draft';
        let ended = false;
        for (const action of actions) {
          state = nextState(state, action) ?? state;
          if (state === 'cancelled' || state === 'refunded') ended = true;
          if (ended) expect(['cancelled', 'refunded']).toContain(state);
        }
      }),
    );
  });
});
