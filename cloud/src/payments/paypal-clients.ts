import { createHash } from 'node:crypto';
import type { PaymentCredentials } from '../store/payments/payment-settings.js';
import { createPayPalClient, PAYPAL_HOSTS, type PayPalClient, type PayPalEnvironment } from './paypal-client.js';

/** How the portal reaches PayPal; serve.ts builds it from the configuration, tests point it at the stand-in. */
export interface PaymentOptions {
  /** Base URL per environment (default PayPal's own hosts). */
  readonly hosts?: Readonly<Record<PayPalEnvironment, string>>;
  readonly fetch?: typeof fetch;
  /** Per PayPal request (default 15 s). */
  readonly timeoutMs?: number;
  /** The portal's public address (https://portal.example.org): the base of the webhook URL and payment links. */
  readonly publicUrl?: string;
}

/** PayPal clients per set of credentials, so each organisation's token is fetched once and reused. */
export interface PayPalClients {
  /** The cached client for these credentials (a changed secret gets a new one). */
  clientFor(credentials: PaymentCredentials): PayPalClient;
  /** A client with no token yet: "check credentials" must ask PayPal, not trust a token from before. */
  freshClientFor(credentials: PaymentCredentials): PayPalClient;
  readonly publicUrl: string | undefined;
}

export function createPayPalClients(options: PaymentOptions = {}, clock: () => number = Date.now): PayPalClients {
  const hosts = options.hosts ?? PAYPAL_HOSTS;
  const clients = new Map<string, PayPalClient>();
  const make = (credentials: PaymentCredentials) =>
    createPayPalClient({
      baseUrl: hosts[credentials.environment],
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      clock,
    });
  return {
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    freshClientFor: make,
    clientFor(credentials) {
      // Keyed by a hash, so the map holds no secret as a key.
      const key = createHash('sha256')
        .update(`${credentials.environment}\0${credentials.clientId}\0${credentials.clientSecret}`)
        .digest('hex');
      let client = clients.get(key);
      if (!client) {
        client = make(credentials);
        clients.set(key, client);
      }
      return client;
    },
  };
}
