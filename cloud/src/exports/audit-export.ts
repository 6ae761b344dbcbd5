import type { AuditRow } from '../store/portal/audit-page.js';
import { isoLocal, isoUtc } from './csv-cells.js';
import type { Cell } from './csv-export.js';

/**
 * The audit log's columns, the same for the portal's download and
 * `keydepot-cloud audit list --format csv`: machine names (an auditor's
 * script reads them), before and after in full as JSON.
 */
export const AUDIT_HEADER = [
  'id',
  'time',
  'time_local',
  'actor',
  'actor_user',
  'action',
  'organisation_id',
  'depot_id',
  'depot',
  'subject',
  'before',
  'after',
  'address',
] as const;

function compactJson(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}

/** One entry as a row; the local time is the depot's (empty for entries without a depot). */
export function auditRow(row: AuditRow): Cell[] {
  return [
    row.id,
    isoUtc(row.atMs),
    row.timeZone ? isoLocal(row.atMs, row.timeZone) : null,
    row.actor,
    row.actorUsername,
    row.action,
    row.organisationId,
    row.depotId,
    row.depotName,
    row.subject,
    compactJson(row.before),
    compactJson(row.after),
    row.address,
  ];
}
