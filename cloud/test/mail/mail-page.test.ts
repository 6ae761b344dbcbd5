/**
 * The owner's view of the outbox through the real portal: a test mail is
 * queued from the page, sent to a real SMTP sink, and a refused one is shown
 * as failed, with neither page nor log naming the recipient.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpTransport } from '../../src/mail/mail-transport.js';
import { createMailWorker } from '../../src/mail/mail-worker.js';
import { listAudit } from '../../src/store/audit.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalHarness } from '../portal/portal-harness.js';
import { silentLogger } from '../relay/fixtures.js';
import { SmtpSink } from './smtp-sink.js';

describe.each(testDialects())('mail page on %s', (dialect) => {
  let h: PortalHarness;
  let sink: SmtpSink;
  let orgId: number;

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    sink = await SmtpSink.start();
    orgId = await h.organisation('Autohaus Kern');
    const depot = await h.depot(orgId);
    await h.grant(depot, await h.user('owner', { organisationId: orgId }), 'owner');
    await h.grant(depot, await h.user('manager', { organisationId: orgId }), 'manager');
  });
  afterAll(async () => {
    await sink.close();
    await h.dispose();
  });

  it('queues a test mail, sends it, and shows a refused one as failed without its address', async () => {
    const worker = createMailWorker({
      store: h.db,
      sealer: h.deps.sealer,
      transport: createSmtpTransport({ url: sink.url, from: 'kasse@example.org', timeoutMs: 2000 }),
      clock: () => h.now,
      logger: silentLogger,
    });
    const owner = h.client();
    await owner.login('owner');
    const page = `/organisations/${orgId}/mail`;
    await owner.get(page);
    expect(owner.lastHtml).toContain('Noch keine E-Mails.');
    expect((await owner.post(`${page}/test`, { address: 'kein-at-zeichen' })).status).toBe(400);
    expect(owner.lastHtml).toContain('Bitte geben Sie eine E-Mail-Adresse');

    const queued = await owner.post(`${page}/test`, { address: 'werkstatt@example.org' });
    expect(queued.status).toBe(303);
    await owner.get(queued.headers.get('location') ?? '');
    expect(owner.lastHtml).toContain('Die Test-E-Mail wurde eingereiht');
    expect(owner.lastHtml).toContain('wartet');
    await worker.runOnce();
    expect((await sink.waitFor(1))[0]).toMatchObject({
      to: ['werkstatt@example.org'],
      subject: 'keydepot-Test-E-Mail',
    });

    await owner.get(page);
    sink.refuseNext(550, '5.1.1 <tippfehler@example.org> user unknown');
    await owner.post(`${page}/test`, { address: 'tippfehler@example.org' });
    await worker.runOnce();
    await owner.get(page);
    expect(owner.lastHtml).toContain('versandt');
    expect(owner.lastHtml).toContain('1 E-Mail wurde nicht versandt.');
    expect(owner.lastHtml).toContain('550');
    expect(owner.lastHtml).not.toContain('tippfehler@example.org');
    expect(owner.lastHtml).not.toContain('werkstatt@example.org');
    expect((await listAudit(h.db.db, { organisationId: orgId, action: 'mail.test' })).length).toBe(2);
    await worker.stop();
  });

  it('is for organisation owners only', async () => {
    const manager = h.client('192.0.2.31');
    await manager.login('manager');
    expect((await manager.get(`/organisations/${orgId}/mail`)).status).toBe(403);
    expect((await manager.post(`/organisations/${orgId}/mail/test`, { address: 'x@example.org' })).status).toBe(403);
  });
});
