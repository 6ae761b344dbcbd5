import type { Depot } from '../../store/depots.js';
import type { Alert } from '../../store/portal/alerts.js';
import type { CommandView } from '../../store/portal/command-view.js';
import type { CompartmentState } from '../../store/portal/dashboard.js';
import type { Movement } from '../../store/portal/movements.js';
import type { DepotRole } from '../../store/schema.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { ExportButtons } from '../exports/export-buttons.js';
import { commonTexts } from '../i18n/common-texts.js';
import { formatAgo, formatDateTime } from '../i18n/format.js';
import { AlertList } from './alert-list.js';
import { CompartmentBadges, MovementTable } from './depot-components.js';
import { depotTexts } from './depot-texts.js';
import { commandName, commandStateName, commandStateTone } from './event-texts.js';
import { type DayCount, WithdrawalChart } from './withdrawal-chart.js';

export interface DepotPageData {
  readonly depot: Depot;
  readonly role: DepotRole;
  readonly compartments: readonly CompartmentState[];
  readonly alerts: readonly Alert[];
  readonly days: readonly DayCount[];
  readonly movements: readonly Movement[];
  readonly commands: readonly CommandView[];
  readonly notice?: string;
}

/** Links to the depot's other pages; the ones a role cannot use are left out. */
function DepotNav(props: { view: View; depot: Depot; role: DepotRole }) {
  const t = depotTexts[props.view.lang];
  const id = props.depot.id;
  const manager = props.role !== 'viewer';
  return (
    <nav class="depot-nav" aria-label={props.depot.name}>
      <a href={`/depots/${id}/movements`}>{t.allMovements}</a>
      {manager ? <a href={`/depots/${id}/pins`}>{t.pins}</a> : null}
      {manager ? <a href={`/depots/${id}/open`}>{t.remoteOpen}</a> : null}
      {props.role === 'owner' ? <a href={`/depots/${id}/users`}>{t.users}</a> : null}
      <a href={`/audit?depot=${id}`}>{t.auditLog}</a>
      {props.role === 'owner' ? <a href={`/depots/${id}/settings`}>{t.settings}</a> : null}
    </nav>
  );
}

export function DepotPage(props: { view: View; data: DepotPageData }) {
  const { view, data } = props;
  const { depot } = data;
  const t = depotTexts[view.lang];
  const common = commonTexts[view.lang];
  const labels = new Map(data.compartments.map((c) => [c.number, c.label]));
  const zone = depot.timeZone;
  return (
    <Layout view={view} title={depot.name}>
      <h1>
        {depot.name}{' '}
        <span class={depot.online ? 'badge online' : 'badge offline'}>
          {depot.online ? common.online : common.offline}
        </span>
      </h1>
      {data.notice ? (
        <p class="notice" role="status">
          {data.notice}
        </p>
      ) : null}
      <DepotNav view={view} depot={depot} role={data.role} />
      <AlertList
        view={view}
        alerts={data.alerts}
        depots={new Map([[depot.id, { name: depot.name, timeZone: zone }]])}
        showDepot={false}
        empty=""
      />
      <h2>{t.masterData}</h2>
      <dl class="master-data">
        <dt>{t.name}</dt>
        <dd>{depot.name}</dd>
        <dt>{t.address}</dt>
        <dd>{depot.address || '–'}</dd>
        <dt>{t.timeZone}</dt>
        <dd>{zone}</dd>
        <dt>{t.firmware}</dt>
        <dd>{depot.firmwareVersion ?? t.unknown}</dd>
        <dt>{t.lastSeen}</dt>
        <dd>
          {depot.lastSeenMs === null
            ? common.never
            : `${formatDateTime(view.lang, depot.lastSeenMs, zone)} (${formatAgo(view.lang, depot.lastSeenMs, view.nowMs)})`}
        </dd>
      </dl>
      <h2>{t.compartments}</h2>
      <table class="responsive compartments">
        <thead>
          <tr>
            <th>{t.compartment}</th>
            <th>{t.label}</th>
            <th>{t.state}</th>
          </tr>
        </thead>
        <tbody>
          {data.compartments.map((c) => (
            <tr data-compartment={String(c.number)}>
              <td data-label={t.compartment}>{c.number}</td>
              <td data-label={t.label}>{c.label || '–'}</td>
              <td data-label={t.state}>
                <CompartmentBadges view={view} compartment={c} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t.withdrawals}</h2>
      <WithdrawalChart view={view} days={data.days} timeZone={zone} />
      <h2>{t.latestMovements}</h2>
      <p class="muted">{t.timesIn(zone)}</p>
      <MovementTable view={view} rows={data.movements} timeZone={zone} labels={labels} />
      <p>
        <a href={`/depots/${depot.id}/movements`}>{t.allMovements}</a>
      </p>
      <h2>{t.commands}</h2>
      <CommandTable view={view} commands={data.commands} timeZone={zone} />
      <ExportButtons view={view} action={`/depots/${depot.id}/exports/commands`} filter={{}} what={t.commands} />
    </Layout>
  );
}

function CommandTable(props: { view: View; commands: readonly CommandView[]; timeZone: string }) {
  const { view } = props;
  const t = depotTexts[view.lang];
  if (props.commands.length === 0) return <p class="muted">{t.noCommands}</p>;
  const at = (ms: number | null) => formatDateTime(view.lang, ms, props.timeZone);
  return (
    <table class="responsive commands">
      <thead>
        <tr>
          <th>{t.command}</th>
          <th>{t.state}</th>
          <th>{t.queuedAt}</th>
          <th>{t.sentAt}</th>
          <th>{t.finishedAt}</th>
          <th>{t.by}</th>
        </tr>
      </thead>
      <tbody>
        {props.commands.map((c) => (
          <tr data-command-id={String(c.id)}>
            <td data-label={t.command}>
              {commandName(view.lang, c.kind)}
              {c.compartment > 0 ? ` · ${t.compartment} ${c.compartment}` : ''}
              {c.pinId !== null ? ` · ${t.pinRef(c.pinId)}` : ''}
            </td>
            <td data-label={t.state}>
              <span class={`badge ${commandStateTone(c.state)}`}>{commandStateName(view.lang, c.state)}</span>
              {c.detail ? <small class="muted"> {c.detail}</small> : null}
            </td>
            <td data-label={t.queuedAt}>{at(c.createdAtMs)}</td>
            <td data-label={t.sentAt}>{at(c.sentAtMs)}</td>
            <td data-label={t.finishedAt}>{at(c.finishedAtMs)}</td>
            <td data-label={t.by}>{c.createdBy ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
