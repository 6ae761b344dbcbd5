import type { Kysely, Selectable } from 'kysely';
import { insertedId, toBytes, toFlag, toNumber, toNumberOrNull } from './row-values.js';
import type { DepotsTable, Schema } from './schema.js';

/** A depot as the cloud knows it. Its secret key is never here: only the public key. */
export interface Depot {
  readonly id: number;
  readonly organisationId: number;
  readonly name: string;
  readonly address: string;
  /** The depot's static X25519 public key; the relay finds the depot by it (protocol §4). */
  readonly publicKey: Uint8Array;
  /** Derivation id of the depot's offline key (keys/offline-master-key.ts). */
  readonly offlineKeyId: number;
  readonly compartmentCount: number;
  readonly timeZone: string;
  readonly language: 'de' | 'en';
  readonly firmwareVersion: string | null;
  readonly lastSeenMs: number | null;
  readonly online: boolean;
  readonly revokedAtMs: number | null;
  readonly createdAtMs: number;
}

export class DepotNotFoundError extends Error {
  override name = 'DepotNotFoundError';
  constructor(readonly depotId: number) {
    super(`there is no depot ${depotId}`);
  }
}

export class DepotRevokedError extends Error {
  override name = 'DepotRevokedError';
  constructor(readonly depotId: number) {
    super(`depot ${depotId} is revoked`);
  }
}

export interface NewDepot {
  readonly organisationId: number;
  readonly name: string;
  readonly address?: string;
  readonly publicKey: Uint8Array;
  readonly offlineKeyId?: number;
  readonly compartmentCount: number;
  readonly timeZone?: string;
  readonly language?: 'de' | 'en';
  readonly nowMs: number;
}

/** Runs `work` in a transaction, or inside the caller's transaction when `db` already is one. */
export function inTransaction<T>(db: Kysely<Schema>, work: (trx: Kysely<Schema>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Creates a depot and one row per compartment (numbered from 1), in one transaction. */
export async function createDepot(db: Kysely<Schema>, input: NewDepot): Promise<Depot> {
  if (input.publicKey.length !== 32) throw new RangeError('a depot public key must be 32 bytes');
  if (!Number.isInteger(input.compartmentCount) || input.compartmentCount < 1 || input.compartmentCount > 64) {
    throw new RangeError('a depot has 1 to 64 compartments');
  }
  const name = input.name.trim();
  if (name === '' || name.length > 200) throw new RangeError('a depot name must have 1 to 200 characters');
  return inTransaction(db, async (trx) => {
    const result = await trx
      .insertInto('depots')
      .values({
        organisation_id: input.organisationId,
        name,
        address: input.address ?? '',
        public_key: input.publicKey,
        offline_key_id: input.offlineKeyId ?? 1,
        compartment_count: input.compartmentCount,
        time_zone: input.timeZone ?? 'Europe/Berlin',
        language: input.language ?? 'de',
        created_at_ms: input.nowMs,
      })
      .executeTakeFirstOrThrow();
    const id = insertedId(result);
    const compartments = Array.from({ length: input.compartmentCount }, (_, i) => ({ depot_id: id, number: i + 1 }));
    await trx.insertInto('compartments').values(compartments).execute();
    return requireDepot(trx, id);
  });
}

export async function findDepotById(db: Kysely<Schema>, id: number): Promise<Depot | null> {
  const row = await db.selectFrom('depots').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : null;
}

/** The depot with this id, or DepotNotFoundError. */
export async function requireDepot(db: Kysely<Schema>, id: number): Promise<Depot> {
  const depot = await findDepotById(db, id);
  if (!depot) throw new DepotNotFoundError(id);
  return depot;
}

/** The depot whose static public key this is, revoked or not (the caller decides what revoked means). */
export async function findDepotByPublicKey(db: Kysely<Schema>, publicKey: Uint8Array): Promise<Depot | null> {
  const row = await db
    .selectFrom('depots')
    .selectAll()
    .where('public_key', '=', Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength))
    .executeTakeFirst();
  return row ? fromRow(row) : null;
}

/** Depots in id order, optionally of one organisation. */
export async function listDepots(db: Kysely<Schema>, filter: { organisationId?: number } = {}): Promise<Depot[]> {
  let query = db.selectFrom('depots').selectAll().orderBy('id');
  if (filter.organisationId !== undefined) query = query.where('organisation_id', '=', filter.organisationId);
  return (await query.execute()).map(fromRow);
}

/**
 * Gives the depot a new static public key (after a new bundle was made). The
 * old key stops working at once: its sessions are deleted and the handshake
 * stamp is cleared, since the new key's depot starts its stamps afresh.
 * `newOfflineKey` also bumps the offline derivation id, voiding old offline PINs.
 */
export async function rekeyDepot(
  db: Kysely<Schema>,
  input: { depotId: number; publicKey: Uint8Array; newOfflineKey?: boolean },
): Promise<{ before: Depot; after: Depot }> {
  if (input.publicKey.length !== 32) throw new RangeError('a depot public key must be 32 bytes');
  return inTransaction(db, async (trx) => {
    const before = await requireDepot(trx, input.depotId);
    if (before.revokedAtMs !== null) throw new DepotRevokedError(input.depotId);
    await trx
      .updateTable('depots')
      .set({
        public_key: input.publicKey,
        handshake_stamp: null,
        key_changed_at_ms: Date.now(),
        offline_key_id: input.newOfflineKey ? before.offlineKeyId + 1 : before.offlineKeyId,
      })
      .where('id', '=', input.depotId)
      .execute();
    await trx.deleteFrom('depot_sessions').where('depot_id', '=', input.depotId).execute();
    return { before, after: await requireDepot(trx, input.depotId) };
  });
}

/**
 * Marks the depot revoked (a stolen or retired box): the relay drops its
 * handshakes (it reads revoked_at_ms) and its sessions are deleted so no
 * telegram on an open session is taken either. Revoking twice keeps the first time.
 */
export async function revokeDepot(
  db: Kysely<Schema>,
  input: { depotId: number; nowMs: number },
): Promise<{ before: Depot; after: Depot }> {
  return inTransaction(db, async (trx) => {
    const before = await requireDepot(trx, input.depotId);
    if (before.revokedAtMs === null) {
      await trx.updateTable('depots').set({ revoked_at_ms: input.nowMs }).where('id', '=', input.depotId).execute();
    }
    await trx.deleteFrom('depot_sessions').where('depot_id', '=', input.depotId).execute();
    return { before, after: await requireDepot(trx, input.depotId) };
  });
}

/** The depot's audit-log view: everything but the key bytes, which are shown as hex. */
export function depotForAudit(depot: Depot): Record<string, unknown> {
  return { ...depot, publicKey: Buffer.from(depot.publicKey).toString('hex') };
}

function fromRow(row: Selectable<DepotsTable>): Depot {
  return {
    id: toNumber(row.id),
    organisationId: toNumber(row.organisation_id),
    name: row.name,
    address: row.address,
    publicKey: toBytes(row.public_key),
    offlineKeyId: toNumber(row.offline_key_id),
    compartmentCount: toNumber(row.compartment_count),
    timeZone: row.time_zone,
    language: row.language === 'en' ? 'en' : 'de',
    firmwareVersion: row.firmware_version,
    lastSeenMs: toNumberOrNull(row.last_seen_ms),
    online: toFlag(row.online),
    revokedAtMs: toNumberOrNull(row.revoked_at_ms),
    createdAtMs: toNumber(row.created_at_ms),
  };
}
