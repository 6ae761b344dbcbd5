/**
 * The mail outbox against a real SMTP server (smtp-server on 127.0.0.1) via
 * nodemailer, on each engine: sealed while queued, sent and emptied, retried
 * with backoff after a temporary refusal or a server that is down, given up
 * at once on a permanent refusal, and sent once by two workers at a time.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDataSealer } from '../../src/keys/data-key.js';
import { createSmtpTransport } from '../../src/mail/mail-transport.js';
import { createMailWorker, type MailWorker } from '../../src/mail/mail-worker.js';
import { enqueueMail, listOutbox } from '../../src/store/mail/mail-outbox.js';
import { createOrganisation } from '../../src/store/organisations.js';
import { createTestDatabase, type TestDatabase, testDialects } from '../databases.js';
import { storedBytes } from '../payments/stored-bytes.js';
import { silentLogger } from '../relay/fixtures.js';
import { SmtpSink } from './smtp-sink.js';

const PIN = '73915468';
const ADDRESS = 'kundin.lehmann@example.org';

describe.each(testDialects())('mail outbox on %s', (dialect) => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let now: number;
  let orgId: number;
  const sealer = createDataSealer(new Map([[1, new Uint8Array(randomBytes(32))]]), 1);
  const workers: MailWorker[] = [];
  const worker = (url = sink.url) => {
    const w = createMailWorker({
      store: db,
      sealer,
      transport: createSmtpTransport({ url, from: 'Autohaus Kern <kasse@example.org>', timeoutMs: 2000 }),
      clock: () => now,
      logger: silentLogger,
    });
    workers.push(w);
    return w;
  };
  const queue = (text = `Ihr PIN: ${PIN}`) =>
    enqueueMail(db.db, sealer, {
      organisationId: orgId,
      purpose: 'pin-release',
      mail: { to: ADDRESS, subject: 'Ihr Schlüssel liegt bereit', text },
      nowMs: now,
    });

  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    sink = await SmtpSink.start();
    now = Date.UTC(2026, 11, 6, 18, 0);
    orgId = (await createOrganisation(db.db, { name: 'Autohaus Kern', nowMs: now })).id;
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await sink.close();
    await db.dispose();
  });

  it('keeps a queued mail sealed, sends it, and keeps nothing of it once sent', async () => {
    await queue();
    const stored = await storedBytes(db);
    expect(stored.includes(Buffer.from(PIN))).toBe(false);
    expect(stored.includes(Buffer.from(ADDRESS))).toBe(false);

    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0 });
    const [mail] = await sink.waitFor(1);
    expect(mail).toMatchObject({ from: 'kasse@example.org', to: [ADDRESS], subject: 'Ihr Schlüssel liegt bereit' });
    expect(mail?.text.trim()).toBe(`Ihr PIN: ${PIN}`);
    const [entry] = await listOutbox(db.db, orgId);
    expect(entry).toMatchObject({ purpose: 'pin-release', state: 'sent', attempts: 0, sentAtMs: now });
    const row = await db.db.selectFrom('mail_outbox').select('message_sealed').executeTakeFirstOrThrow();
    expect(row.message_sealed).toBeNull();
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(sink.mails).toHaveLength(1);
  });

  it('retries a temporary refusal after the backoff, without the address in the stored error', async () => {
    await queue();
    sink.refuseNext(451, `4.3.0 <${ADDRESS}> mailbox busy, try later`);
    const w = worker();
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
    let [entry] = await listOutbox(db.db, orgId);
    expect(entry).toMatchObject({ state: 'queued', attempts: 1, nextAttemptAtMs: now + 60_000 });
    expect(entry?.lastError).toContain('451');
    expect(entry?.lastError).not.toContain(ADDRESS);
    now += 30_000;
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    now += 30_000;
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    [entry] = await listOutbox(db.db, orgId);
    expect(entry).toMatchObject({ state: 'sent', attempts: 1, lastError: null });
    expect(sink.mails).toHaveLength(1);
  });

  it('gives up at once on a permanent refusal and shows it as failed', async () => {
    await queue();
    sink.refuseNext(550, '5.1.1 user unknown');
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 1 });
    const [entry] = await listOutbox(db.db, orgId);
    expect(entry).toMatchObject({ state: 'failed', attempts: 1 });
    expect(entry?.lastError).toContain('550');
    now += 24 * 3600_000;
    expect(await worker().runOnce()).toEqual({ sent: 0, failed: 0 });
  });

  it('keeps the mail queued while the mail server is down, and sends it when it is back', async () => {
    await queue();
    const down = worker('smtp://127.0.0.1:1');
    expect(await down.runOnce()).toEqual({ sent: 0, failed: 1 });
    const [entry] = await listOutbox(db.db, orgId);
    expect(entry).toMatchObject({ state: 'queued', attempts: 1 });
    expect(entry?.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    now += 60_000;
    expect(await worker().runOnce()).toEqual({ sent: 1, failed: 0 });
  });

  it('sends each mail once when two workers run at the same time', async () => {
    for (let i = 0; i < 6; i += 1) await queue(`Mail ${i}`);
    const [a, b] = await Promise.all([worker().runOnce(), worker().runOnce()]);
    expect((a?.sent ?? 0) + (b?.sent ?? 0)).toBe(6);
    await sink.waitFor(6);
    expect(sink.mails.map((m) => m.text.trim()).sort()).toEqual([
      'Mail 0',
      'Mail 1',
      'Mail 2',
      'Mail 3',
      'Mail 4',
      'Mail 5',
    ]);
  });
});
