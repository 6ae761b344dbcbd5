/** The parts of PayPal's Orders v2, Payments v2 and Webhooks v1 answers that we use, read into our own shapes. */

/** Order status (Orders v2 `order_status`). */
export type OrderStatus = 'CREATED' | 'SAVED' | 'APPROVED' | 'VOIDED' | 'COMPLETED' | 'PAYER_ACTION_REQUIRED';

/** Capture status (Payments v2 `capture_status`). */
export type CaptureStatus = 'COMPLETED' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED' | 'FAILED';

export interface PayPalCapture {
  readonly id: string;
  readonly status: CaptureStatus;
  readonly amountCents: number | null;
  readonly currency: string | null;
}

export interface PayPalOrder {
  readonly id: string;
  readonly status: OrderStatus;
  /** Where the payer approves the order (`links[rel=approve]` or `payer-action`); absent once approved. */
  readonly approveUrl: string | null;
  /** The invoice number the order was created with (`purchase_units[0].invoice_id`). */
  readonly invoiceId: string | null;
  readonly captures: readonly PayPalCapture[];
}

export interface PayPalRefund {
  readonly id: string;
  /** CANCELLED, FAILED, PENDING or COMPLETED. */
  readonly status: string;
  readonly amountCents: number | null;
}

export interface NewOrder {
  /** PayPal-Request-Id: the same id for a retried call returns the first call's order instead of a second one. */
  readonly requestId: string;
  readonly invoiceNumber: string;
  readonly amountCents: number;
  readonly currency: 'EUR';
  /** Shown to the payer at PayPal (at most 127 characters). */
  readonly description: string;
  readonly returnUrl: string;
  readonly cancelUrl: string;
  /** de-DE or en-US: the language of PayPal's pages. */
  readonly locale?: string;
}

/** The transmission headers PayPal sends with a webhook, which verify-webhook-signature checks. */
export interface WebhookTransmission {
  readonly authAlgo: string;
  readonly certUrl: string;
  readonly transmissionId: string;
  readonly transmissionSig: string;
  readonly transmissionTime: string;
}

/** Header names of a webhook delivery (lower case, as Node hands them over). */
export const WEBHOOK_HEADERS = {
  authAlgo: 'paypal-auth-algo',
  certUrl: 'paypal-cert-url',
  transmissionId: 'paypal-transmission-id',
  transmissionSig: 'paypal-transmission-sig',
  transmissionTime: 'paypal-transmission-time',
} as const satisfies Record<keyof WebhookTransmission, string>;
