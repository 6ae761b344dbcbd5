import type { Language } from '../portal/i18n/language.js';

/** What went wrong with a PayPal call, in the terms an owner or a customer can act on. */
export type PayPalFailure =
  /** Client id or secret not accepted (OAuth `invalid_client`, or 401 on an API call). */
  | 'credentials'
  /** The payer's funding was refused (INSTRUMENT_DECLINED and the other payer-side 422 issues). */
  | 'declined'
  /** PayPal refuses the transaction for legal reasons (COMPLIANCE_VIOLATION). */
  | 'compliance'
  /** The order is not approved by the payer yet (ORDER_NOT_APPROVED). */
  | 'not-approved'
  /** Already captured, already refunded, or a request id used for something else. */
  | 'conflict'
  /** No answer in time, no connection, or a 5xx: the same call with the same request id may be retried. */
  | 'unavailable'
  /** Any other refusal (a 4xx we did not expect): a bug on our side or a PayPal change. */
  | 'refused';

/** Issues on a 422 that mean "the payer's money did not come through". */
const DECLINED_ISSUES = new Set([
  'INSTRUMENT_DECLINED',
  'TRANSACTION_REFUSED',
  'PAYER_CANNOT_PAY',
  'PAYER_ACCOUNT_RESTRICTED',
  'PAYER_ACCOUNT_LOCKED_OR_CLOSED',
  'REDIRECT_PAYER_FOR_ALTERNATE_FUNDING',
  'PAYER_ACTION_REQUIRED',
  'MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED',
  'TRANSACTION_LIMIT_EXCEEDED',
  'TRANSACTION_RECEIVING_LIMIT_EXCEEDED',
  'PAYEE_BLOCKED_TRANSACTION',
  'TRANSACTION_BLOCKED_BY_PAYEE',
]);
const CONFLICT_ISSUES = new Set([
  'ORDER_ALREADY_CAPTURED',
  'CAPTURE_FULLY_REFUNDED',
  'DUPLICATE_INVOICE_ID',
  'DUPLICATE_REQUEST_ID',
  'PERMISSION_DENIED',
]);

/** A PayPal call that did not succeed. Carries PayPal's issue and debug id for the log, never a token or secret. */
export class PayPalError extends Error {
  override name = 'PayPalError';
  constructor(
    readonly failure: PayPalFailure,
    /** PayPal's error name and first issue ('UNPROCESSABLE_ENTITY/INSTRUMENT_DECLINED'), or what happened locally. */
    readonly issue: string,
    readonly status: number | null,
    readonly debugId: string | null = null,
  ) {
    super(
      `PayPal ${failure}: ${issue}${status === null ? '' : ` (HTTP ${status})`}${debugId ? `, debug id ${debugId}` : ''}`,
    );
  }

  /** Whether the same call, with the same PayPal-Request-Id, may simply be sent again. */
  get retryable(): boolean {
    return this.failure === 'unavailable';
  }
}

export function isPayPalError(error: unknown): error is PayPalError {
  return error instanceof PayPalError;
}

/** Sorts an error body of PayPal's documented shape (`name`, `details[].issue`, `debug_id`) into a failure. */
export function payPalErrorFrom(status: number, body: unknown): PayPalError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const name = typeof b.name === 'string' ? b.name : typeof b.error === 'string' ? b.error : `HTTP_${status}`;
  const details = Array.isArray(b.details) ? (b.details as Array<Record<string, unknown>>) : [];
  const first = details.find((d) => typeof d?.issue === 'string')?.issue as string | undefined;
  const debugId = typeof b.debug_id === 'string' ? b.debug_id : null;
  const issue = first ? `${name}/${first}` : name;
  if (status === 401 || name === 'invalid_client' || name === 'AUTHENTICATION_FAILURE') {
    return new PayPalError('credentials', issue, status, debugId);
  }
  if (status >= 500) return new PayPalError('unavailable', issue, status, debugId);
  if (first === 'COMPLIANCE_VIOLATION') return new PayPalError('compliance', issue, status, debugId);
  if (first === 'ORDER_NOT_APPROVED') return new PayPalError('not-approved', issue, status, debugId);
  if (first && DECLINED_ISSUES.has(first)) return new PayPalError('declined', issue, status, debugId);
  if ((first && CONFLICT_ISSUES.has(first)) || status === 409)
    return new PayPalError('conflict', issue, status, debugId);
  return new PayPalError('refused', issue, status, debugId);
}

const MESSAGES: Record<Language, Record<PayPalFailure, string>> = {
  en: {
    credentials: 'PayPal did not accept the client ID and secret. Check them in the payment settings.',
    declined: 'PayPal declined the payment. Please choose another payment method at PayPal and try again.',
    compliance: 'PayPal refused this payment for compliance reasons. Please pay another way.',
    'not-approved': 'The payment was not approved at PayPal yet. Please start the payment again.',
    conflict: 'PayPal has already handled this payment.',
    unavailable: 'PayPal could not be reached. Please try again in a few minutes.',
    refused: 'PayPal refused the request. Please try again later; if it persists, tell the depot operator.',
  },
  de: {
    credentials: 'PayPal hat Client-ID und Secret nicht angenommen. Bitte prüfen Sie sie in den Zahlungseinstellungen.',
    declined:
      'PayPal hat die Zahlung abgelehnt. Bitte wählen Sie bei PayPal eine andere Zahlungsart und versuchen Sie es erneut.',
    compliance: 'PayPal hat diese Zahlung aus rechtlichen Gründen abgelehnt. Bitte zahlen Sie auf anderem Weg.',
    'not-approved': 'Die Zahlung wurde bei PayPal noch nicht freigegeben. Bitte starten Sie die Zahlung erneut.',
    conflict: 'PayPal hat diese Zahlung bereits bearbeitet.',
    unavailable: 'PayPal ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut.',
    refused:
      'PayPal hat die Anfrage abgelehnt. Bitte versuchen Sie es später erneut; wenn es so bleibt, wenden Sie sich an den Betreiber.',
  },
};

/** The sentence to show an owner or a customer for a failure (no codes, no stack). */
export function payPalMessage(failure: PayPalFailure, lang: Language): string {
  return MESSAGES[lang][failure];
}
