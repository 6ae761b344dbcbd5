import type { CryptoBackend } from '@keydepot/shared';
import type { StoreDatabase } from '../store/database.js';
import { loadSession } from '../store/relay/sessions.js';
import { RelaySession } from './relay-session.js';
import type { SessionIds } from './session-ids.js';

export interface SessionTableOptions {
  readonly store: StoreDatabase;
  readonly backend: CryptoBackend;
  readonly ids: SessionIds;
  /** How long an id the database did not know stays unknown here (ms). */
  readonly negativeCacheMs?: number;
  /** Database lookups of unknown ids allowed per second (the rest are dropped as unknown). */
  readonly lookupsPerSecond?: number;
}

/**
 * The sessions this relay process knows, by the relay's session id, and per
 * depot the newest and the previous one (protocol §9). A session made by
 * another relay process is loaded from the database on its first telegram.
 * Ids that fail the keyed check never reach the database; unknown ids are
 * remembered for a second, and lookups are capped per second, so junk cannot
 * turn every datagram into a query.
 */
export class SessionTable {
  private readonly byId = new Map<number, RelaySession>();
  private readonly byDepot = new Map<number, RelaySession[]>();
  private readonly unknown = new Map<number, number>();
  private readonly loading = new Map<number, Promise<RelaySession | undefined>>();
  private readonly negativeCacheMs: number;
  private readonly lookupsPerSecond: number;
  private lookupTokens: number;
  private lookupRefillMs = 0;

  constructor(private readonly options: SessionTableOptions) {
    this.negativeCacheMs = options.negativeCacheMs ?? 1_000;
    this.lookupsPerSecond = options.lookupsPerSecond ?? 500;
    this.lookupTokens = this.lookupsPerSecond;
  }

  get size(): number {
    return this.byId.size;
  }

  /** The session if this process has it in memory. */
  get(sessionId: number): RelaySession | undefined {
    return this.byId.get(sessionId);
  }

  /**
   * Finds a session not in memory in the database. Resolves undefined for an
   * implausible, recently unknown or over-budget id, and for one that is not
   * (or no longer) live.
   */
  async load(sessionId: number, nowMs: number): Promise<RelaySession | undefined> {
    if (!this.options.ids.plausible(sessionId)) return undefined;
    const pending = this.loading.get(sessionId);
    if (pending) return pending;
    const unknownUntil = this.unknown.get(sessionId);
    if (unknownUntil !== undefined) {
      if (nowMs < unknownUntil) return undefined;
      this.unknown.delete(sessionId);
    }
    if (!this.takeLookupToken(nowMs)) return undefined;
    const promise = loadSession(this.options.store, sessionId).then((stored) => {
      this.loading.delete(sessionId);
      const known = this.byId.get(sessionId);
      if (known) return known;
      if (stored === undefined) {
        if (this.unknown.size > 100_000) this.unknown.clear();
        this.unknown.set(sessionId, nowMs + this.negativeCacheMs);
        return undefined;
      }
      const session = new RelaySession(this.options.backend, stored);
      this.add(session);
      return session;
    });
    this.loading.set(sessionId, promise);
    promise.catch(() => this.loading.delete(sessionId));
    return promise;
  }

  /** Adds a session (a new handshake or one loaded) and keeps only the depot's two newest. */
  add(session: RelaySession): RelaySession[] {
    this.unknown.delete(session.sessionId);
    this.byId.set(session.sessionId, session);
    const list = [...(this.byDepot.get(session.depotId) ?? []).filter((s) => s !== session), session];
    list.sort((a, b) => b.stamp - a.stamp);
    const dropped = list.splice(2);
    for (const s of dropped) this.byId.delete(s.sessionId);
    this.byDepot.set(session.depotId, list);
    return dropped;
  }

  /**
   * The session to send a push on: the newest once the depot has used it
   * (proof it has the handshake response), else the one before (protocol §9).
   */
  sendSessionFor(depotId: number, nowMs: number): RelaySession | undefined {
    const list = this.byDepot.get(depotId) ?? [];
    return list.find((s) => s.confirmed && !s.isExpired(nowMs));
  }

  /**
   * Forgets the depot's sessions made before `beforeMs` (all of them when
   * revoked; those of the old key when rekeyed). A forgotten session that still
   * exists in the store is loaded again on its next telegram. Returns how many it forgot.
   */
  evictDepot(depotId: number, beforeMs = Number.POSITIVE_INFINITY): number {
    const before = this.byDepot.get(depotId)?.length ?? 0;
    const kept = (this.byDepot.get(depotId) ?? []).filter((s) => {
      if (s.createdAtMs >= beforeMs) return true;
      this.byId.delete(s.sessionId);
      return false;
    });
    if (kept.length > 0) this.byDepot.set(depotId, kept);
    else this.byDepot.delete(depotId);
    return before - kept.length;
  }

  /** Forgets sessions past REJECT_AFTER and stale negative entries. */
  sweep(nowMs: number): void {
    for (const [id, session] of this.byId) {
      if (!session.isExpired(nowMs)) continue;
      this.byId.delete(id);
      const list = (this.byDepot.get(session.depotId) ?? []).filter((s) => s !== session);
      if (list.length > 0) this.byDepot.set(session.depotId, list);
      else this.byDepot.delete(session.depotId);
    }
    for (const [id, until] of this.unknown) if (until <= nowMs) this.unknown.delete(id);
  }

  private takeLookupToken(nowMs: number): boolean {
    if (nowMs - this.lookupRefillMs >= 1_000) {
      this.lookupTokens = this.lookupsPerSecond;
      this.lookupRefillMs = nowMs;
    }
    if (this.lookupTokens <= 0) return false;
    this.lookupTokens--;
    return true;
  }
}
