import { EventKind } from '@keydepot/shared';
import type { Kysely } from 'kysely';
import { alertName, commandName, commandStateName, eventName } from '../portal/depot/event-texts.js';
import type { Language } from '../portal/i18n/language.js';
import { kindName } from '../portal/pins/pin-components.js';
import { pinsTexts } from '../portal/pins/pins-texts.js';
import { EXPORT_PAGE_ROWS, movementPages } from '../store/exports/movement-rows.js';
import { ALERT_EVENT_KINDS } from '../store/exports/report-figures.js';
import type { AlertKind } from '../store/portal/alerts.js';
import { commandPages } from '../store/portal/command-view.js';
import type { MovementFilter } from '../store/portal/movements.js';
import { type PinDisplayState, pinPages } from '../store/portal/pins.js';
import type { Schema } from '../store/schema.js';
import { isoLocal, isoUtc } from './csv-cells.js';
import type { Cell } from './csv-export.js';
import { exportTexts } from './export-texts.js';
import { type ExportDepot, mapPages } from './movement-export.js';

/** One kind of depot record as a CSV: its header, its rows in pages, and its filter record. */
export interface RecordExport {
  readonly header: string[];
  readonly pages: AsyncIterable<Cell[][]>;
  readonly filter: Record<string, unknown>;
}

const utc = (ms: number | null) => (ms === null || ms === 0 ? null : isoUtc(ms));
const local = (ms: number | null, zone: string) => (ms === null || ms === 0 ? null : isoLocal(ms, zone));

function pinStateName(lang: Language, state: PinDisplayState): string {
  const t = pinsTexts[lang];
  return {
    queued: t.stateQueued,
    'on-depot': t.stateOnDepot,
    used: t.stateUsed,
    expired: t.stateExpired,
    failed: t.stateFailed,
    revoked: t.stateRevoked,
  }[state];
}

/** A depot's PINs: what, where, when valid, who made them, their state; never the digits (nor their seal). */
export function pinExport(db: Kysely<Schema>, depot: ExportDepot, lang: Language, nowMs: number): RecordExport {
  const t = exportTexts[lang];
  return {
    header: [
      t.id,
      t.label,
      t.compartment,
      t.pinKind,
      t.state,
      t.validFromUtc,
      t.validFromLocal,
      t.validUntilUtc,
      t.validUntilLocal,
      t.createdUtc,
      t.createdBy,
      t.usedUtc,
      t.revokedUtc,
      t.depotId,
      t.depot,
    ],
    pages: mapPages(pinPages(db, depot.id, { nowMs, pageRows: EXPORT_PAGE_ROWS }), (p) => [
      p.id,
      p.label,
      p.compartment,
      kindName(lang, p.kind),
      pinStateName(lang, p.state),
      utc(p.validFromMs),
      local(p.validFromMs, depot.timeZone),
      utc(p.validUntilMs),
      local(p.validUntilMs, depot.timeZone),
      isoUtc(p.createdAtMs),
      p.createdBy,
      utc(p.usedAtMs),
      utc(p.revokedAtMs),
      depot.id,
      depot.name,
    ]),
    filter: { export: 'pins', depotId: depot.id, depot: depot.name, timeZone: depot.timeZone },
  };
}

/** A depot's commands: kind, state and times, who sent them; never a payload. */
export function commandExport(db: Kysely<Schema>, depot: ExportDepot, lang: Language, nowMs: number): RecordExport {
  const t = exportTexts[lang];
  return {
    header: [
      t.id,
      t.command,
      t.state,
      t.compartment,
      t.pinId,
      t.createdUtc,
      t.createdLocal,
      t.sentUtc,
      t.finishedUtc,
      t.createdBy,
      t.detail,
      t.depotId,
      t.depot,
    ],
    pages: mapPages(commandPages(db, depot.id, { nowMs, pageRows: EXPORT_PAGE_ROWS }), (c) => [
      c.id,
      commandName(lang, c.kind),
      commandStateName(lang, c.state),
      c.compartment,
      c.pinId,
      isoUtc(c.createdAtMs),
      local(c.createdAtMs, depot.timeZone),
      utc(c.sentAtMs),
      utc(c.finishedAtMs),
      c.createdBy,
      c.detail,
      depot.id,
      depot.name,
    ]),
    filter: { export: 'commands', depotId: depot.id, depot: depot.name, timeZone: depot.timeZone },
  };
}

const ALERT_OF: Record<number, AlertKind> = {
  [EventKind.Tamper]: 'tamper',
  [EventKind.DoorLeftOpen]: 'door-left-open',
  [EventKind.LockoutStarted]: 'lockout',
};

/** The alerts a depot raised (tamper, door left open, lockout), in the list's date range and compartment. */
export function alertExport(
  db: Kysely<Schema>,
  depot: ExportDepot,
  lang: Language,
  filter: Pick<MovementFilter, 'compartment' | 'fromMs' | 'untilMs'>,
): RecordExport {
  const t = exportTexts[lang];
  return {
    header: [t.id, t.timeUtc, t.timeLocal, t.receivedUtc, t.compartment, t.alert, t.kind, t.depotId, t.depot],
    pages: mapPages(movementPages(db, depot.id, filter, { kinds: ALERT_EVENT_KINDS }), (m) => [
      m.id,
      utc(m.depotTimeMs),
      local(m.depotTimeMs, depot.timeZone),
      isoUtc(m.receivedAtMs),
      m.compartment,
      alertName(lang, ALERT_OF[m.kind] ?? 'tamper'),
      eventName(lang, m.kind),
      depot.id,
      depot.name,
    ]),
    filter: {
      export: 'alerts',
      depotId: depot.id,
      depot: depot.name,
      timeZone: depot.timeZone,
      ...(filter.compartment !== undefined ? { compartment: filter.compartment } : {}),
      ...(filter.fromMs !== undefined ? { from: isoLocal(filter.fromMs, depot.timeZone) } : {}),
      ...(filter.untilMs !== undefined ? { until: isoLocal(filter.untilMs, depot.timeZone) } : {}),
    },
  };
}
