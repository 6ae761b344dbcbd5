import { centsToPayPalValue } from './paypal-amount.js';
import { PayPalError, payPalErrorFrom } from './paypal-errors.js';
import { readOrder, readRefund } from './paypal-read.js';
import type { NewOrder, PayPalOrder, PayPalRefund, WebhookTransmission } from './paypal-types.js';

/** PayPal's REST hosts; configuration may point either at a stand-in (docs/operations.md, "Payment"). */
export const PAYPAL_HOSTS = {
  sandbox: 'https://api-m.sandbox.paypal.com',
  live: 'https://api-m.paypal.com',
} as const;

export type PayPalEnvironment = keyof typeof PAYPAL_HOSTS;

export interface PayPalClientOptions {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly fetch?: typeof fetch;
  readonly clock?: () => number;
  /** Per request; a call that takes longer fails as 'unavailable' and may be retried with its request id. */
  readonly timeoutMs?: number;
}

/** The calls the portal makes to PayPal with one organisation's credentials. */
export interface PayPalClient {
  /** An OAuth2 access token (client credentials), fetched once and reused until shortly before it expires. */
  accessToken(): Promise<string>;
  createOrder(order: NewOrder): Promise<PayPalOrder>;
  getOrder(orderId: string): Promise<PayPalOrder>;
  /** Captures an approved order; the same `requestId` on a retry returns the first capture, never a second. */
  captureOrder(orderId: string, requestId: string): Promise<PayPalOrder>;
  /** Refunds a capture in full, or `amountCents` of it. */
  refundCapture(captureId: string, requestId: string, amountCents?: number): Promise<PayPalRefund>;
  /** PayPal's verdict on a webhook delivery: true only for verification_status SUCCESS. */
  verifyWebhookSignature(input: {
    webhookId: string;
    transmission: WebhookTransmission;
    /** The delivery's body exactly as received: it is passed on unchanged, not re-serialised. */
    rawEvent: string;
  }): Promise<boolean>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** A token is renewed this long before PayPal says it expires, so no call goes out with a token about to lapse. */
const TOKEN_MARGIN_MS = 60_000;

/**
 * A small typed client for PayPal's REST API on `fetch`. Not the official
 * SDK: its environments are a closed enum with the two hosts built in, so it
 * cannot talk to the test stand-in, and it has no webhook verification
 * (docs/operations.md, "Payment").
 */
export function createPayPalClient(options: PayPalClientOptions): PayPalClient {
  const doFetch = options.fetch ?? fetch;
  const clock = options.clock ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = options.baseUrl.replace(/\/+$/, '');
  let token: { value: string; renewAtMs: number } | null = null;
  let pending: Promise<string> | null = null;

  async function send(path: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new PayPalError('unavailable', timedOut ? 'timeout' : 'no connection', null);
    }
    const text = await response.text().catch(() => '');
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      if (response.ok) throw new PayPalError('refused', 'answer is not JSON', response.status);
    }
    if (!response.ok) throw payPalErrorFrom(response.status, body);
    return { status: response.status, body };
  }

  async function fetchToken(): Promise<string> {
    const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
    const { body } = await send('/v1/oauth2/token', {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const b = body as { access_token?: unknown; expires_in?: unknown };
    if (typeof b?.access_token !== 'string' || typeof b.expires_in !== 'number') {
      throw new PayPalError('refused', 'token answer without access_token', 200);
    }
    const lifetimeMs = b.expires_in * 1000;
    token = { value: b.access_token, renewAtMs: clock() + Math.max(lifetimeMs - TOKEN_MARGIN_MS, lifetimeMs / 2) };
    return b.access_token;
  }

  async function accessToken(): Promise<string> {
    if (token && clock() < token.renewAtMs) return token.value;
    // Concurrent callers share one token request.
    pending ??= fetchToken().finally(() => {
      pending = null;
    });
    return pending;
  }

  /** An API call with the bearer token; a 401 (token revoked early) gets one fresh token and one more try. */
  async function api(method: 'GET' | 'POST', path: string, requestId?: string, payload?: unknown) {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${await accessToken()}`,
        'content-type': 'application/json',
        prefer: 'return=representation',
      };
      if (requestId) headers['paypal-request-id'] = requestId;
      try {
        return (
          await send(path, { method, headers, body: payload === undefined ? undefined : JSON.stringify(payload) })
        ).body;
      } catch (error) {
        if (attempt > 0 || !(error instanceof PayPalError) || error.status !== 401) throw error;
        token = null;
      }
    }
  }

  const id = (value: string) => encodeURIComponent(value);
  return {
    accessToken,
    async createOrder(order) {
      const body = await api('POST', '/v2/checkout/orders', order.requestId, {
        intent: 'CAPTURE',
        purchase_units: [
          {
            reference_id: 'default',
            invoice_id: order.invoiceNumber,
            description: order.description.slice(0, 127),
            amount: { currency_code: order.currency, value: centsToPayPalValue(order.amountCents) },
          },
        ],
        payment_source: {
          paypal: {
            experience_context: {
              return_url: order.returnUrl,
              cancel_url: order.cancelUrl,
              user_action: 'PAY_NOW',
              shipping_preference: 'NO_SHIPPING',
              ...(order.locale ? { locale: order.locale } : {}),
            },
          },
        },
      });
      return readOrder(body);
    },
    async getOrder(orderId) {
      return readOrder(await api('GET', `/v2/checkout/orders/${id(orderId)}`));
    },
    async captureOrder(orderId, requestId) {
      return readOrder(await api('POST', `/v2/checkout/orders/${id(orderId)}/capture`, requestId, {}));
    },
    async refundCapture(captureId, requestId, amountCents) {
      const payload =
        amountCents === undefined ? {} : { amount: { currency_code: 'EUR', value: centsToPayPalValue(amountCents) } };
      return readRefund(await api('POST', `/v2/payments/captures/${id(captureId)}/refund`, requestId, payload));
    },
    async verifyWebhookSignature({ webhookId, transmission, rawEvent }) {
      try {
        JSON.parse(rawEvent);
      } catch {
        return false;
      }
      const fields = JSON.stringify({
        auth_algo: transmission.authAlgo,
        cert_url: transmission.certUrl,
        transmission_id: transmission.transmissionId,
        transmission_sig: transmission.transmissionSig,
        transmission_time: transmission.transmissionTime,
        webhook_id: webhookId,
      });
      // The event goes in byte for byte: the signature covers the body as PayPal sent it.
      const payload = `${fields.slice(0, -1)},"webhook_event":${rawEvent}}`;
      const headers = { authorization: `Bearer ${await accessToken()}`, 'content-type': 'application/json' };
      const { body } = await send('/v1/notifications/verify-webhook-signature', {
        method: 'POST',
        headers,
        body: payload,
      });
      return (body as { verification_status?: unknown })?.verification_status === 'SUCCESS';
    },
  };
}
