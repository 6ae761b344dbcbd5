import type { Logger } from 'pino';
import type { DataSealer } from '../keys/data-key.js';
import type { StoreDatabase } from '../store/database.js';
import { claimDueMails, markMailFailed, markMailSent } from '../store/mail/mail-outbox.js';
import { MailSendError, type MailTransport } from './mail-transport.js';

/** Attempts before a mail is given up and shown to the owner as failed (about 20 hours with the backoff below). */
export const MAIL_MAX_ATTEMPTS = 12;
/** First retry after a minute, doubling, at most six hours apart. */
const FIRST_RETRY_MS = 60_000;
const LONGEST_RETRY_MS = 6 * 3600_000;
/** A claimed mail comes due again after this if its sender died mid-send. */
const LEASE_MS = 10 * 60_000;

/** When attempt number `attempts` (1 = the first) failed, the next one is due this long after. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_RETRY_MS);
}

export interface MailWorkerOptions {
  readonly store: StoreDatabase;
  readonly sealer: DataSealer;
  readonly transport: MailTransport;
  readonly clock: () => number;
  readonly logger: Logger;
  /** How often the outbox is looked at (default 10 s). */
  readonly intervalMs?: number;
}

/**
 * Sends the outbox: every due mail once per pass, a failure retried with
 * backoff, a refusal (5xx) or the last attempt marked failed. The log names
 * mail ids and server answers, never recipients or content.
 */
export function createMailWorker(options: MailWorkerOptions) {
  const { store, sealer, transport, clock, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  async function runOnce(): Promise<{ sent: number; failed: number }> {
    const due = await claimDueMails(store.db, sealer, { nowMs: clock(), leaseMs: LEASE_MS, limit: 20 });
    let sent = 0;
    let failed = 0;
    for (const { id, attempts, mail } of due) {
      try {
        await transport.send(mail);
        await markMailSent(store.db, id, clock());
        sent += 1;
      } catch (error) {
        const reason = error instanceof MailSendError ? error.reason : 'the mail could not be handed over';
        const attempt = attempts + 1;
        const giveUp = (error instanceof MailSendError && error.permanent) || attempt >= MAIL_MAX_ATTEMPTS;
        const retryAtMs = giveUp ? null : clock() + retryDelayMs(attempt);
        await markMailFailed(store.db, { id, attempts: attempt, error: reason, retryAtMs });
        logger.warn({ mailId: id, attempt, reason, givenUp: giveUp }, 'mail not sent');
        failed += 1;
      }
    }
    return { sent, failed };
  }

  return {
    runOnce,
    start() {
      timer ??= setInterval(() => {
        running = running
          .then(runOnce)
          .catch((error: unknown) => logger.error({ err: error }, 'mail outbox pass failed'));
      }, options.intervalMs ?? 10_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
      transport.close();
    },
  };
}

export type MailWorker = ReturnType<typeof createMailWorker>;
