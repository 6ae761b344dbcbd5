/**
 * An organisation owner's PayPal settings through the real portal, on each
 * engine: saved with the secret sealed and never shown again, checked
 * against the PayPal stand-in, refused to everyone but an owner, audited
 * without the secret, and the secret nowhere in clear (database file and
 * WAL, mysqldump, log, audit).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPayPalClients } from '../../src/payments/paypal-clients.js';
import { listAudit } from '../../src/store/audit.js';
import { readPaymentCredentials, readPaymentSettings } from '../../src/store/payments/payment-settings.js';
import { testDialects } from '../databases.js';
import { PayPalStandIn } from '../paypal-standin/paypal-standin.js';
import { createPortalHarness, type PortalHarness } from '../portal/portal-harness.js';
import { storedBytes } from './stored-bytes.js';

const CLIENT_ID = 'AYkd-standin_Client01';
const SECRET = 'EHkdSecretXq7Vb2-ohne-Klartext-9f3kLm0pQrStUvWxYz0123456789abcd';
const OTHER_SECRET = 'EHkdSecretZweitesSecret-0815-zyxwvutsrqponmlkjihgfedcba98765';

describe.each(testDialects())('payment settings on %s', (dialect) => {
  let h: PortalHarness;
  let standIn: PayPalStandIn;
  let orgId: number;
  let otherOrgId: number;
  const logLines: string[] = [];

  beforeAll(async () => {
    standIn = await PayPalStandIn.start({ credentials: { [CLIENT_ID]: SECRET } });
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    );
    h = await createPortalHarness(dialect, {
      deps: {
        logger,
        payments: createPayPalClients({
          hosts: { sandbox: standIn.url, live: 'http://127.0.0.1:1' },
          publicUrl: 'https://portal.example.org',
          timeoutMs: 2000,
        }),
      },
    });
    orgId = await h.organisation('Autohaus Kern');
    otherOrgId = await h.organisation('Ferienwohnungen Seeblick');
    const depot = await h.depot(orgId);
    const second = await h.depot(orgId);
    const owner = await h.user('owner', { organisationId: orgId });
    await h.grant(depot, owner, 'owner');
    await h.grant(second, owner, 'owner');
    const branch = await h.user('branch-owner', { organisationId: orgId });
    await h.grant(second, branch, 'owner');
    await h.user('stranger', { organisationId: otherOrgId });
    await h.grant(await h.depot(otherOrgId), await h.user('other-owner', { organisationId: otherOrgId }), 'owner');
  });
  afterAll(async () => {
    await h.dispose();
    await standIn.close();
  });

  const path = () => `/organisations/${orgId}/payment`;

  it('saves the credentials, shows only the end of the secret, and checks them at PayPal', async () => {
    const owner = h.client();
    await owner.login('owner');
    expect((await owner.get('/payment')).headers.get('location')).toBe(path());
    await owner.get(path());
    expect(owner.lastHtml).toContain('PayPal ist noch nicht eingerichtet.');
    expect(owner.lastHtml).toContain('https://portal.example.org/paypal/webhook/');

    // A bad field comes back with its message, the typed values kept, nothing stored.
    const bad = await owner.post(path(), {
      clientId: CLIENT_ID,
      secret: 'has a space',
      environment: 'sandbox',
      webhookId: 'WH-1',
    });
    expect(bad.status).toBe(400);
    expect(owner.lastHtml).toContain('nur aus sichtbaren Zeichen');
    expect(owner.lastHtml).toContain('nur aus Buchstaben und Ziffern');
    expect(owner.lastHtml).toContain(`value="${CLIENT_ID}"`);
    expect(await readPaymentSettings(h.db.db, orgId)).toBeNull();

    const saved = await owner.post(path(), {
      clientId: CLIENT_ID,
      secret: SECRET,
      environment: 'sandbox',
      webhookId: 'WH7X2',
    });
    expect(saved.status).toBe(303);
    await owner.get(saved.headers.get('location') ?? '');
    expect(owner.lastHtml).toContain('Die Zahlungseinstellungen wurden gespeichert.');
    expect(owner.lastHtml).toContain(`Secret: gesetzt, endet auf …${SECRET.slice(-4)}`);
    expect(owner.lastHtml).not.toContain(SECRET);
    expect(owner.lastHtml).not.toContain(SECRET.slice(0, 20));

    await owner.post(`${path()}/check`);
    expect(owner.lastHtml).toContain('PayPal hat die Zugangsdaten angenommen (sandbox).');
    expect(standIn.calls.token).toBe(1);
    expect((await readPaymentSettings(h.db.db, orgId))?.checkResult).toBe('ok');
  });

  it('keeps the stored secret when the field is left empty, and says plainly when PayPal refuses new ones', async () => {
    const owner = h.client();
    await owner.login('owner');
    await owner.get(path());
    await owner.post(path(), { clientId: CLIENT_ID, secret: '', environment: 'sandbox', webhookId: 'WH7X3' });
    const kept = await readPaymentCredentials(h.db.db, h.deps.sealer, orgId);
    expect(kept).toMatchObject({ clientSecret: SECRET, webhookId: 'WH7X3' });

    await owner.get(path());
    await owner.post(path(), { clientId: CLIENT_ID, secret: OTHER_SECRET, environment: 'sandbox', webhookId: 'WH7X3' });
    await owner.get(path());
    expect(owner.lastHtml).toContain('noch nicht geprüft');
    await owner.post(`${path()}/check`);
    expect(owner.lastHtml).toContain('PayPal hat Client-ID und Secret nicht angenommen.');
    expect((await readPaymentSettings(h.db.db, orgId))?.checkResult).toBe('rejected');

    // Live points at a port nobody listens on: unreachable, not "rejected".
    await owner.get(path());
    await owner.post(path(), { clientId: CLIENT_ID, secret: SECRET, environment: 'live', webhookId: 'WH7X3' });
    await owner.post(`${path()}/check`);
    expect(owner.lastHtml).toContain('PayPal war nicht erreichbar.');
    expect((await readPaymentSettings(h.db.db, orgId))?.checkResult).toBe('unreachable');

    await owner.get(path());
    await owner.post(path(), { clientId: CLIENT_ID, secret: SECRET, environment: 'sandbox', webhookId: 'WH7X3' });
    await owner.post(`${path()}/check`);
    expect(owner.lastHtml).toContain('PayPal hat die Zugangsdaten angenommen');
  });

  it('lets only an owner of every depot of the organisation in', async () => {
    const branch = h.client('192.0.2.21');
    await branch.login('branch-owner');
    expect((await branch.get(path())).status).toBe(403);
    expect(branch.lastHtml).toContain('Inhaber der Organisation');
    expect(
      (await branch.post(path(), { clientId: 'Evil', secret: 'evil-secret', environment: 'live', webhookId: '' }))
        .status,
    ).toBe(403);
    const stranger = h.client('192.0.2.22');
    await stranger.login('other-owner');
    expect((await stranger.get(path())).status).toBe(404);
    expect((await stranger.post(`${path()}/check`)).status).toBe(404);
    await stranger.get('/payment');
    expect((await readPaymentCredentials(h.db.db, h.deps.sealer, orgId))?.clientId).toBe(CLIENT_ID);
  });

  it('audits every change and check without the secret, and stores, logs and dumps it nowhere in clear', async () => {
    const entries = await listAudit(h.db.db, { organisationId: orgId, action: 'payment.' });
    expect(entries.map((e) => e.action).sort()).toEqual(
      expect.arrayContaining(['payment.settings.create', 'payment.settings.change', 'payment.settings.check']),
    );
    const create = entries.find((e) => e.action === 'payment.settings.create');
    expect(create?.after).toEqual({
      clientId: CLIENT_ID,
      environment: 'sandbox',
      webhookId: 'WH7X2',
      secretChanged: true,
    });
    const everything = JSON.stringify(entries);
    for (const secret of [SECRET, OTHER_SECRET]) {
      const probes = [
        secret,
        secret.slice(0, 24),
        secret.slice(8, 40),
        Buffer.from(secret).toString('base64').slice(0, 24),
      ];
      for (const probe of probes) {
        expect(everything).not.toContain(probe);
        expect(logLines.join('\n')).not.toContain(probe);
        expect((await storedBytes(h.db)).includes(Buffer.from(probe))).toBe(false);
      }
    }
    // The check itself: a value that is stored in clear is found.
    expect((await storedBytes(h.db)).includes(Buffer.from(CLIENT_ID))).toBe(true);
  });
});
