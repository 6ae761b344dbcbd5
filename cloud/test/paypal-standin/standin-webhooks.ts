import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { CaptureChange } from './standin-orders.js';

/** One webhook delivery as sent (or to be sent again). */
export interface Delivery {
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  /** HTTP status our endpoint answered, or null when it could not be reached. */
  status: number | null;
}

/**
 * PayPal's webhook side: events built like Webhooks v1 `event`, sent with
 * the PAYPAL-* transmission headers, and the check behind
 * verify-webhook-signature. PayPal signs with an RSA key behind `cert_url`;
 * the stand-in signs with an HMAC key of its own over the same fields
 * (transmission id, time, webhook id, CRC32 of the body), so only
 * deliveries it made verify, and a changed byte fails.
 */
export class StandInWebhooks {
  private readonly key = randomBytes(32);
  readonly deliveries: Delivery[] = [];

  constructor(private readonly publicUrl: () => string) {}

  event(change: CaptureChange): { id: string; body: string } {
    const id = `WH-${randomBytes(9).toString('hex').toUpperCase()}`;
    const event = {
      id,
      create_time: new Date().toISOString(),
      resource_type: 'capture',
      event_type: change.eventType,
      event_version: '1.0',
      resource_version: '2.0',
      summary: `Payment ${change.eventType.split('.').pop()?.toLowerCase()}`,
      resource: change.resource,
      links: [{ href: `${this.publicUrl()}/v1/notifications/webhooks-events/${id}`, rel: 'self', method: 'GET' }],
    };
    return { id, body: JSON.stringify(event) };
  }

  /** Signs one delivery of `body` for `webhookId`. */
  sign(webhookId: string, body: string): Record<string, string> {
    const transmissionId = randomUUID();
    const transmissionTime = new Date().toISOString();
    return {
      'content-type': 'application/json',
      'paypal-auth-algo': 'SHA256withRSA',
      'paypal-cert-url': `${this.publicUrl()}/v1/notifications/certs/CERT-360caa42-fca2a594-standin`,
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-time': transmissionTime,
      'paypal-transmission-sig': this.signature(transmissionId, transmissionTime, webhookId, body),
    };
  }

  /** What verify-webhook-signature answers for the given fields. */
  verify(input: {
    transmissionId: string;
    transmissionTime: string;
    transmissionSig: string;
    webhookId: string;
    event: unknown;
  }): 'SUCCESS' | 'FAILURE' {
    const expected = this.signature(
      input.transmissionId,
      input.transmissionTime,
      input.webhookId,
      JSON.stringify(input.event),
    );
    return expected === input.transmissionSig ? 'SUCCESS' : 'FAILURE';
  }

  async deliver(url: string, eventId: string, eventType: string, body: string, headers: Record<string, string>) {
    const delivery: Delivery = { eventId, eventType, body, headers, status: null };
    this.deliveries.push(delivery);
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      await response.body?.cancel();
      delivery.status = response.status;
    } catch {
      delivery.status = null;
    }
    return delivery;
  }

  private signature(transmissionId: string, time: string, webhookId: string, body: string): string {
    const message = `${transmissionId}|${time}|${webhookId}|${crc32(Buffer.from(body))}`;
    return createHmac('sha256', this.key).update(message).digest('base64');
  }
}

/** CRC-32 (IEEE), as PayPal's signed message carries it, in decimal. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
