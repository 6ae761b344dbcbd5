import type { CompartmentState } from '../../store/portal/dashboard.js';
import type { Movement } from '../../store/portal/movements.js';
import type { View } from '../components/view.js';
import { formatAgo, formatDateTime } from '../i18n/format.js';
import { depotTexts } from './depot-texts.js';
import { eventName, eventTone } from './event-texts.js';
import { MovementSubject } from './movement-subject.js';

/**
 * Door, key and lock of one compartment as three small badges (text, not
 * colour alone). A compartment the depot never reported is "state unknown"
 * (the stored defaults would read "door closed, locked", which nobody saw); a
 * state that has not changed for a while says since when.
 */
export function CompartmentBadges(props: { view: View; compartment: CompartmentState }) {
  const t = depotTexts[props.view.lang];
  const c = props.compartment;
  if (c.updatedAtMs === null) {
    return (
      <span class="compartment-state" data-state="unknown">
        <span class="badge">{t.stateUnknown}</span>
      </span>
    );
  }
  const age = props.view.nowMs - c.updatedAtMs;
  return (
    <span class="compartment-state">
      <span class={c.doorOpen ? 'badge warn' : 'badge ok'}>{c.doorOpen ? t.doorOpen : t.doorClosed}</span>{' '}
      {c.hasKeySensor ? (
        <span class={c.keyPresent ? 'badge ok' : 'badge warn'}>{c.keyPresent ? t.keyIn : t.keyOut}</span>
      ) : (
        <span class="badge">{t.noKeySensor}</span>
      )}{' '}
      <span class={c.locked ? 'badge ok' : 'badge warn'}>{c.locked ? t.locked : t.unlocked}</span>
      {age >= STALE_AFTER_MS ? (
        <small class="muted"> {t.changedAgo(formatAgo(props.view.lang, c.updatedAtMs, props.view.nowMs))}</small>
      ) : null}
    </span>
  );
}

/** A state older than this says how old it is. */
const STALE_AFTER_MS = 10 * 60_000;

/** A compartment's name: its number and, if set, its label. */
export function compartmentName(view: View, number: number, label?: string): string {
  const t = depotTexts[view.lang];
  if (number === 0) return t.wholeDepot;
  return label ? `${t.compartment} ${number} · ${label}` : `${t.compartment} ${number}`;
}

/** When a movement happened: depot time, or its arrival when the depot's clock was unknown. */
export function movementTime(view: View, m: Movement, timeZone: string): string {
  if (m.depotTimeMs > 0) return formatDateTime(view.lang, m.depotTimeMs, timeZone);
  return depotTexts[view.lang].receivedAt(formatDateTime(view.lang, m.receivedAtMs, timeZone));
}

/** The event's name, coloured for alerts and withdrawals. */
export function EventName(props: { view: View; kind: number }) {
  const tone = eventTone(props.kind);
  const name = eventName(props.view.lang, props.kind);
  return tone ? <span class={`badge ${tone}`}>{name}</span> : <span>{name}</span>;
}

/** A table of movements (depot page, movement list); each row carries its event id. */
export function MovementTable(props: {
  view: View;
  rows: readonly Movement[];
  timeZone: string;
  labels: ReadonlyMap<number, string>;
}) {
  const t = depotTexts[props.view.lang];
  if (props.rows.length === 0) return <p class="muted">{t.noMovements}</p>;
  return (
    <table class="responsive movements">
      <thead>
        <tr>
          <th>{t.time}</th>
          <th>{t.event}</th>
          <th>{t.compartment}</th>
          <th>{t.subject}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((m) => (
          <tr data-event-id={String(m.id)}>
            <td data-label={t.time}>{movementTime(props.view, m, props.timeZone)}</td>
            <td data-label={t.event}>
              <EventName view={props.view} kind={m.kind} />
            </td>
            <td data-label={t.compartment}>
              {compartmentName(props.view, m.compartment, props.labels.get(m.compartment))}
            </td>
            <td data-label={t.subject}>
              <MovementSubject view={props.view} movement={m} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
