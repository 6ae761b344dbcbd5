import { Hono } from 'hono';
import { createPayPalClients } from '../payments/paypal-clients.js';
import { paypalWebhookHandler } from '../payments/webhook-endpoint.js';
import { createPortalApp } from '../portal/portal-app.js';
import type { PortalDeps } from '../portal/portal-env.js';

export interface AppOptions {
  /** Prometheus exposition text (the relay's metrics). */
  readonly metricsText: () => Promise<string>;
  /** The portal's dependencies; without them `/` says the portal is not configured (relay-only tests). */
  readonly portal?: PortalDeps;
}

/** The HTTP side: /metrics and the portal. Built without a socket (`app.request()` in tests). */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    c.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return c.body(await options.metricsText());
  });
  if (options.portal) {
    // PayPal's webhooks: a machine endpoint outside the portal (no session, no CSRF form), verified at PayPal instead.
    const { store, sealer, payments, clock, logger } = options.portal;
    app.post(
      '/paypal/webhook/:organisationId',
      paypalWebhookHandler({
        store,
        sealer,
        payments: payments ?? createPayPalClients(),
        clock,
        logger: logger.child({ category: 'paypal-webhook' }),
      }),
    );
    // The portal is a complete app of its own (middleware, 404 page); everything but /metrics goes to it.
    const portal = createPortalApp(options.portal).app;
    app.all('*', (c) => portal.fetch(c.req.raw, c.env));
  } else {
    app.get('/', (c) => c.text('keydepot relay: the portal is not configured in this process', 503));
  }
  return app;
}
