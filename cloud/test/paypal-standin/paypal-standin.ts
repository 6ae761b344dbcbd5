import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AUTHENTICATION_FAILURE,
  failureAnswer,
  INVALID_CLIENT,
  notFound,
  type StandInFailure,
} from './standin-errors.js';
import { type Answer, type CaptureChange, StandInOrders } from './standin-orders.js';
import { approvalPage } from './standin-pages.js';
import { type Delivery, StandInWebhooks } from './standin-webhooks.js';

export type { StandInFailure } from './standin-errors.js';

/** The calls a failure can be planted on. */
export type StandInOperation = 'token' | 'create' | 'capture' | 'refund' | 'verify';

export interface StandInOptions {
  /** Client id → secret pairs the token endpoint accepts. */
  readonly credentials: Readonly<Record<string, string>>;
  /** expires_in of each token, in seconds (PayPal: about 9 hours). */
  readonly tokenLifetimeSeconds?: number;
  /** How long a 'timeout' answer is held back (longer than the client waits). */
  readonly holdMs?: number;
}

/** A webhook sent or held back, to send again or in another order. */
export interface HeldEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
}

/**
 * A local stand-in for PayPal's REST API on 127.0.0.1 (port 0), built to the
 * OpenAPI files of Orders v2, Payments v2 and Webhooks v1: OAuth2 token,
 * create/get/capture order, refund capture, verify-webhook-signature, an
 * approval page with approve and cancel buttons, webhooks for capture
 * changes with the PAYPAL-* transmission headers, PayPal-Request-Id
 * idempotency, and failures planted on demand.
 */
export class PayPalStandIn {
  readonly orders: StandInOrders;
  readonly webhooks: StandInWebhooks;
  /** Calls that reached the stand-in, by operation (a replayed request id counts, but changes nothing). */
  readonly calls: Record<StandInOperation | 'get', number> = {
    token: 0,
    create: 0,
    get: 0,
    capture: 0,
    refund: 0,
    verify: 0,
  };
  /** Where capture events go; 'hold' keeps them in `held` until a test sends them. */
  webhookTarget: { url: string; webhookId: string; mode: 'send' | 'hold' } | null = null;
  readonly held: HeldEvent[] = [];

  private readonly tokens = new Map<string, { clientId: string; expiresAtMs: number }>();
  private readonly replies = new Map<string, Answer>();
  private readonly planted = new Map<StandInOperation, StandInFailure[]>();
  private readonly sending = new Set<Promise<unknown>>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private address = '';

  private constructor(private readonly options: StandInOptions) {
    this.orders = new StandInOrders(() => this.url);
    this.webhooks = new StandInWebhooks(() => this.url);
  }

  static async start(options: StandInOptions): Promise<PayPalStandIn> {
    const standIn = new PayPalStandIn(options);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.address = `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`;
    return standIn;
  }

  get url(): string {
    return this.address;
  }

  /** The next `operation` fails with `failure` (queued: plant twice for two failures). */
  failNext(operation: StandInOperation, failure: StandInFailure): void {
    this.planted.set(operation, [...(this.planted.get(operation) ?? []), failure]);
  }

  /** The payer approves without the browser page (the page's approve button does the same). */
  approve(orderId: string): void {
    if (!this.orders.approve(orderId)) throw new Error(`no order ${orderId} to approve`);
  }

  /** Sends a held or already sent event (again) to the webhook target, freshly signed. */
  async send(
    event: HeldEvent,
    options: { webhookId?: string; tamper?: (body: string) => string } = {},
  ): Promise<Delivery> {
    const target = this.webhookTarget;
    if (!target) throw new Error('no webhook target set');
    const headers = this.webhooks.sign(options.webhookId ?? target.webhookId, event.body);
    const body = options.tamper ? options.tamper(event.body) : event.body;
    return this.webhooks.deliver(target.url, event.eventId, event.eventType, body, headers);
  }

  /** Waits until every webhook sent so far was answered. */
  async settled(): Promise<void> {
    await Promise.all([...this.sending]);
  }

  async close(): Promise<void> {
    await this.settled();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private takeFailure(operation: StandInOperation): StandInFailure | undefined {
    return this.planted.get(operation)?.shift();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    const path = url.pathname;
    try {
      if (req.method === 'POST' && path === '/v1/oauth2/token') return this.token(req, raw, res);
      if (path === '/checkoutnow') return this.checkout(req, url, raw, res);
      const clientId = this.bearer(req);
      if (clientId === null) return reply(res, AUTHENTICATION_FAILURE);
      const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
      const order = /^\/v2\/checkout\/orders\/([A-Z0-9]+)(\/capture)?$/.exec(path);
      const refund = /^\/v2\/payments\/captures\/([A-Z0-9]+)\/refund$/.exec(path);
      if (req.method === 'POST' && path === '/v2/checkout/orders') {
        return this.once(req, res, clientId, 'create', (failure) => ({ answer: this.orders.create(body, failure) }));
      }
      if (req.method === 'GET' && order && !order[2]) {
        this.calls.get++;
        return reply(res, this.orders.get(order[1] as string));
      }
      if (req.method === 'POST' && order?.[2]) {
        return this.once(req, res, clientId, 'capture', (failure) => this.orders.capture(order[1] as string, failure));
      }
      if (req.method === 'POST' && refund) {
        return this.once(req, res, clientId, 'refund', (failure) =>
          this.orders.refund(refund[1] as string, body, failure),
        );
      }
      if (req.method === 'POST' && path === '/v1/notifications/verify-webhook-signature') return this.verify(body, res);
      return reply(res, notFound());
    } catch (error) {
      if (error instanceof SyntaxError) return reply(res, { status: 400, body: { name: 'MALFORMED_REQUEST_JSON' } });
      throw error;
    }
  }

  private token(req: IncomingMessage, raw: string, res: ServerResponse): void {
    this.calls.token++;
    const failure = this.takeFailure('token');
    if (failure === 'server-error') {
      reply(res, failureAnswer('server-error'));
      return;
    }
    const [scheme, encoded = ''] = (req.headers.authorization ?? '').split(' ');
    const [clientId = '', secret] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
    const known = this.options.credentials[clientId];
    if (scheme !== 'Basic' || known === undefined || known !== secret || raw !== 'grant_type=client_credentials') {
      reply(res, INVALID_CLIENT);
      return;
    }
    const lifetime = this.options.tokenLifetimeSeconds ?? 32_400;
    const accessToken = `A21AA${randomBytes(24).toString('base64url')}`;
    this.tokens.set(accessToken, { clientId, expiresAtMs: Date.now() + lifetime * 1000 });
    reply(res, {
      status: 200,
      body: {
        scope: 'https://uri.paypal.com/services/payments/payment',
        access_token: accessToken,
        token_type: 'Bearer',
        app_id: `APP-${randomBytes(8).toString('hex').toUpperCase()}`,
        expires_in: lifetime,
        nonce: `${new Date().toISOString()}${randomBytes(8).toString('hex')}`,
      },
    });
  }

  private bearer(req: IncomingMessage): string | null {
    const [scheme, token = ''] = (req.headers.authorization ?? '').split(' ');
    const known = scheme === 'Bearer' ? this.tokens.get(token) : undefined;
    return known && known.expiresAtMs > Date.now() ? known.clientId : null;
  }

  /**
   * One state-changing call under PayPal-Request-Id: a request id seen before
   * gets the first successful answer again and changes nothing. A planted
   * 'timeout' carries the call out and then holds the answer back.
   */
  private once(
    req: IncomingMessage,
    res: ServerResponse,
    clientId: string,
    operation: StandInOperation,
    work: (failure: StandInFailure | undefined) => { answer: Answer; change?: CaptureChange },
  ): void {
    this.calls[operation]++;
    const requestId = req.headers['paypal-request-id'];
    const key = typeof requestId === 'string' ? `${clientId} ${req.url} ${requestId}` : null;
    const seen = key === null ? undefined : this.replies.get(key);
    if (seen) {
      reply(res, seen);
      return;
    }
    const failure = this.takeFailure(operation);
    const { answer, change } = work(failure);
    if (key !== null && answer.status < 300) this.replies.set(key, answer);
    if (change) this.announce(change);
    if (failure === 'timeout') {
      const timer = setTimeout(() => reply(res, answer), this.options.holdMs ?? 30_000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    reply(res, answer);
  }

  private announce(change: CaptureChange): void {
    const target = this.webhookTarget;
    if (!target) return;
    const { id, body } = this.webhooks.event(change);
    const event = { eventId: id, eventType: change.eventType, body };
    this.held.push(event);
    if (target.mode === 'send') {
      const sent = this.send(event);
      this.sending.add(sent);
      void sent.finally(() => this.sending.delete(sent));
    }
  }

  private verify(body: Record<string, unknown>, res: ServerResponse): void {
    this.calls.verify++;
    const failure = this.takeFailure('verify');
    if (failure === 'server-error') {
      reply(res, failureAnswer('server-error'));
      return;
    }
    const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const status = this.webhooks.verify({
      transmissionId: field('transmission_id'),
      transmissionTime: field('transmission_time'),
      transmissionSig: field('transmission_sig'),
      webhookId: field('webhook_id'),
      event: body.webhook_event,
    });
    reply(res, { status: 200, body: { verification_status: status } });
  }

  /** The payer's side: the approval page, and its approve and cancel buttons. */
  private checkout(req: IncomingMessage, url: URL, raw: string, res: ServerResponse): void {
    if (req.method === 'GET') {
      const order = this.orders.orders.get(url.searchParams.get('token') ?? '');
      res.writeHead(order ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(approvalPage(order ?? null));
      return;
    }
    const form = new URLSearchParams(raw);
    const order = this.orders.orders.get(form.get('token') ?? '');
    if (!order) {
      reply(res, notFound());
      return;
    }
    if (form.get('action') === 'approve' && this.orders.approve(order.id) && order.returnUrl) {
      redirect(res, withQuery(order.returnUrl, { token: order.id, PayerID: 'STANDINPAYER1' }));
      return;
    }
    if (order.cancelUrl) {
      redirect(res, withQuery(order.cancelUrl, { token: order.id }));
      return;
    }
    reply(res, notFound());
  }
}

function withQuery(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location });
  res.end();
}

function reply(res: ServerResponse, answer: Answer): void {
  if (res.writableEnded || res.destroyed) return;
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'paypal-debug-id': randomBytes(7).toString('hex'),
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
