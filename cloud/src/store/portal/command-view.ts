import { type CommandBody, CommandKind } from '@keydepot/shared';
import type { Kysely } from 'kysely';
import { toNumber, toNumberOrNull } from '../row-values.js';
import type { CommandState, Schema } from '../schema.js';

/** What the portal shows of one command: never its payload (a PIN_ADD carries digits). */
export interface CommandView {
  readonly id: number;
  readonly kind: number;
  /** The state as of the page's clock: see shownState. */
  readonly state: CommandState;
  /** The compartment it concerns, 0 for none/the depot. */
  readonly compartment: number;
  readonly pinId: number | null;
  /** 0 for a command without a time limit. */
  readonly notAfterMs: number;
  readonly createdAtMs: number;
  readonly sentAtMs: number | null;
  readonly finishedAtMs: number | null;
  readonly detail: string | null;
  readonly createdBy: string | null;
}

/**
 * The stored state, except a queued command past its not-after shows as
 * expired: the relay's sweep may not have marked it yet, and a page that says
 * "queued" would promise an OPEN that can no longer happen.
 */
function shownState(stored: CommandState, notAfterMs: number, nowMs: number): CommandState {
  return stored === 'queued' && notAfterMs !== 0 && nowMs > notAfterMs ? 'expired' : stored;
}

/** Still on its way: the command page refreshes itself while this is true. */
export function isPending(state: CommandState): boolean {
  return state === 'queued' || state === 'sent';
}

/** The depot's newest commands, newest first. */
export function listCommands(db: Kysely<Schema>, depotId: number, limit: number, nowMs: number) {
  return selectCommands(db, depotId, nowMs, { limit });
}

/** Every command of a depot, oldest first, in keyset pages by id (an export); never a payload. */
export async function* commandPages(
  db: Kysely<Schema>,
  depotId: number,
  options: { nowMs: number; pageRows: number },
): AsyncGenerator<CommandView[]> {
  let afterId = 0;
  for (;;) {
    const rows = await selectCommands(db, depotId, options.nowMs, { limit: options.pageRows, afterId });
    if (rows.length > 0) yield rows;
    if (rows.length < options.pageRows) return;
    afterId = (rows[rows.length - 1] as CommandView).id;
  }
}

/** One command of this depot; null for another depot's command id (the caller answers 404). */
export async function findCommand(
  db: Kysely<Schema>,
  depotId: number,
  commandId: number,
  nowMs: number,
): Promise<CommandView | null> {
  const [command] = await selectCommands(db, depotId, nowMs, { commandId });
  return command ?? null;
}

async function selectCommands(
  db: Kysely<Schema>,
  depotId: number,
  nowMs: number,
  only: { readonly limit: number; readonly afterId?: number } | { readonly commandId: number },
): Promise<CommandView[]> {
  let query = db
    .selectFrom('commands as c')
    .leftJoin('users as u', 'u.id', 'c.created_by_user_id')
    .select([
      'c.id',
      'c.kind',
      'c.state',
      'c.payload',
      'c.not_after_ms',
      'c.created_at_ms',
      'c.sent_at_ms',
      'c.finished_at_ms',
      'c.result_detail',
      'u.username',
    ])
    .where('c.depot_id', '=', depotId);
  if ('commandId' in only) query = query.where('c.id', '=', only.commandId);
  else if (only.afterId !== undefined)
    query = query.where('c.id', '>', only.afterId).orderBy('c.id', 'asc').limit(only.limit);
  else query = query.orderBy('c.id', 'desc').limit(only.limit);
  const rows = await query.execute();
  return rows.map((row) => {
    const body = commandSummary(row.payload);
    const notAfterMs = toNumber(row.not_after_ms);
    return {
      id: toNumber(row.id),
      kind: toNumber(row.kind),
      state: shownState(row.state, notAfterMs, nowMs),
      compartment: body.compartment ?? 0,
      pinId: body.pinId ?? null,
      notAfterMs,
      createdAtMs: toNumber(row.created_at_ms),
      sentAtMs: toNumberOrNull(row.sent_at_ms),
      finishedAtMs: toNumberOrNull(row.finished_at_ms),
      detail: row.result_detail,
      createdBy: row.username ?? null,
    };
  });
}

/** Only the fields the pages show are taken from a command's JSON (a PIN_ADD's digits never leave here). */
function commandSummary(payload: string): Pick<CommandBody, 'command'> & { compartment?: number; pinId?: number } {
  try {
    const body = JSON.parse(payload) as Record<string, unknown>;
    return {
      command: Number(body.command) as CommandKind,
      ...(typeof body.compartment === 'number' ? { compartment: body.compartment } : {}),
      ...(typeof body.pinId === 'number' ? { pinId: body.pinId } : {}),
    };
  } catch {
    return { command: CommandKind.Config };
  }
}
