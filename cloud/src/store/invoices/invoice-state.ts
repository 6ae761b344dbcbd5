/*
 * The life of an invoice (GoBD: an issued invoice is never edited or deleted).
 *
 *   draft ──issue──▶ open ──pay──▶ paid ──pickup──▶ picked-up
 *                     │              │
 *                  cancel         refund
 *                     ▼              ▼
 *                 cancelled      refunded
 *
 * A draft has no number yet and may be edited. Issuing draws the next number
 * of the organisation's sequence. Cancelling and refunding write a
 * cancellation record (its own number, the original's lines mirrored) and
 * keep the original with its number. Cancelled, refunded and picked-up are
 * final: nothing leads from them back to open or paid.
 */

export const INVOICE_STATES = ['draft', 'open', 'paid', 'picked-up', 'cancelled', 'refunded'] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

export type InvoiceAction = 'issue' | 'pay' | 'pickup' | 'cancel' | 'refund';

const TRANSITIONS: Readonly<Record<InvoiceState, Partial<Record<InvoiceAction, InvoiceState>>>> = {
  draft: { issue: 'open' },
  open: { pay: 'paid', cancel: 'cancelled' },
  paid: { pickup: 'picked-up', refund: 'refunded' },
  'picked-up': {},
  cancelled: {},
  refunded: {},
};

export function isInvoiceState(value: string): value is InvoiceState {
  return (INVOICE_STATES as readonly string[]).includes(value);
}

/** The state after `action`, or null when the action is not allowed in `state`. */
export function nextState(state: InvoiceState, action: InvoiceAction): InvoiceState | null {
  return TRANSITIONS[state][action] ?? null;
}

/** The actions allowed in a state (what the invoice page offers). */
export function allowedActions(state: InvoiceState): InvoiceAction[] {
  return Object.keys(TRANSITIONS[state]) as InvoiceAction[];
}

/** Whether the invoice has been issued: it has a number and may no longer change. */
export function isIssued(state: InvoiceState): boolean {
  return state !== 'draft';
}

/** Whether the invoice is still business in progress (keeps its customer from the retention job). */
export function isOpenBusiness(state: InvoiceState): boolean {
  return state === 'draft' || state === 'open' || state === 'paid';
}

/** Tried to move an invoice in a way its state does not allow (or someone else moved it first). */
export class InvoiceStateError extends Error {
  override name = 'InvoiceStateError';
  constructor(
    readonly state: InvoiceState,
    readonly action: InvoiceAction,
  ) {
    super(`an invoice in state ${state} cannot ${action}`);
  }
}
