import type { CookieChecker, CryptoBackend, HandshakeResponder, TransportSession } from '@keydepot/shared';
import type { Logger } from 'pino';
import type { RelayMetrics } from '../metrics.js';
import type { StoreDatabase } from '../store/database.js';
import { acceptHandshake, NoiseRefusedError, SessionIdTakenError } from '../store/relay/sessions.js';
import type { CookieReplyBudget } from './cookie-reply-budget.js';
import type { HandshakeRateLimiter } from './handshake-rate-limiter.js';
import { RelaySession } from './relay-session.js';
import type { SessionIds } from './session-ids.js';
import type { SessionTable } from './session-table.js';

export interface HandshakeContext {
  readonly store: StoreDatabase;
  readonly backend: CryptoBackend;
  readonly responder: HandshakeResponder;
  readonly limiter: HandshakeRateLimiter;
  readonly cookies: CookieChecker;
  readonly cookieReplies: CookieReplyBudget;
  readonly ids: SessionIds;
  readonly sessions: SessionTable;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  readonly counterBlock: number;
  readonly clock: () => number;
  readonly send: (datagram: Uint8Array, endpoint: string, kind: string) => void;
  readonly drop: (reason: string) => void;
}

/** The session's keys, stored so that any relay process can continue the session. */
function keysOf(session: TransportSession): { sendKey: Uint8Array; receiveKey: Uint8Array } {
  const { sendKey, receiveKey } = session.exportParams();
  return { sendKey, receiveKey };
}

/**
 * Protocol §6.3: mac1, admission (before any DH), Noise, depot key and stamp
 * check, session stored in the database, then the response.
 *
 * Admission (§6.4): an initiation whose mac2 carries a cookie this relay gave
 * `endpoint` goes through the lane of cookie holders (per address and port).
 * Any other goes through the per-source limit; if that refuses (a flood from
 * its address, or many addresses), it is answered with a cookie reply (at most
 * one per address and port a second, cookie-reply-budget.ts) and nothing else:
 * no DH. A depot that receives at `endpoint` comes back
 * with the cookie; a spoofed flood never sees it.
 */
export async function handleInitiation(
  ctx: HandshakeContext,
  datagram: Uint8Array,
  endpoint: string,
  sourceKey: string,
): Promise<void> {
  const nowMs = ctx.clock();
  let underLoad = false;
  const opened = ctx.responder.openInitiation(datagram, () => {
    if (ctx.cookies.mac2Verifies(datagram, endpoint, nowMs)) return ctx.limiter.admitProven(endpoint, nowMs);
    if (ctx.limiter.admit(sourceKey, nowMs)) return true;
    underLoad = true;
    return false;
  });
  if (!opened.ok) {
    if (underLoad && ctx.cookieReplies.take(endpoint, nowMs)) {
      ctx.send(ctx.cookies.reply(datagram, endpoint, nowMs), endpoint, 'cookie-reply');
    }
    return ctx.drop(opened.reason);
  }
  let response: Uint8Array | undefined;
  let keys: { sendKey: Uint8Array; receiveKey: Uint8Array } | undefined;
  const candidateIds = [ctx.ids.next(), ctx.ids.next(), ctx.ids.next(), ctx.ids.next()];
  let verdict: Awaited<ReturnType<typeof acceptHandshake>>;
  try {
    verdict = await ctx.metrics.time('handshake', () =>
      acceptHandshake(ctx.store, {
        depotPublicKey: opened.depotPublicKey,
        stamp: opened.stamp,
        candidateIds,
        nowMs,
        endpoint,
        counterBlock: ctx.counterBlock,
        respond: (sessionId) => {
          const answered = opened.respond(sessionId, nowMs);
          if (!answered.ok) return null;
          response = answered.datagram;
          keys = keysOf(answered.session);
          return { remoteId: opened.remoteId, ...keys };
        },
      }),
    );
  } catch (error) {
    if (error instanceof SessionIdTakenError || error instanceof NoiseRefusedError) return ctx.drop('handshake');
    throw error;
  }
  if (!verdict.ok) return ctx.drop(verdict.reason);
  if (response === undefined || keys === undefined) return ctx.drop('handshake');
  const session = new RelaySession(ctx.backend, {
    sessionId: verdict.sessionId,
    depotId: verdict.depotId,
    remoteId: opened.remoteId,
    sendKey: keys.sendKey,
    receiveKey: keys.receiveKey,
    createdAtMs: nowMs,
    confirmedAtMs: null,
    receiveCounterHighest: -1,
    endpoint,
    stamp: opened.stamp,
  });
  session.grantCounters(0, ctx.counterBlock, nowMs);
  ctx.sessions.add(session);
  ctx.metrics.handshakes.inc();
  ctx.metrics.sessions.set(ctx.sessions.size);
  ctx.logger.debug({ depotId: verdict.depotId, sessionId: verdict.sessionId, endpoint }, 'handshake');
  ctx.send(response, endpoint, 'handshake-response');
}
