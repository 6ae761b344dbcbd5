import type { Alert } from '../../store/portal/alerts.js';
import type { View } from '../components/view.js';
import { formatDateTime } from '../i18n/format.js';
import { compartmentName } from './depot-components.js';
import { alertName, violationText } from './event-texts.js';

/**
 * Open alerts as a list; each item carries data-alert (depot, compartment,
 * kind) so the live script can tell them apart. `depots` gives names and
 * zones when the list spans several depots (the dashboard).
 */
export function AlertList(props: {
  view: View;
  alerts: readonly Alert[];
  depots: ReadonlyMap<number, { name: string; timeZone: string }>;
  showDepot: boolean;
  empty: string;
}) {
  const { view } = props;
  if (props.alerts.length === 0) return props.empty ? <p class="muted">{props.empty}</p> : null;
  return (
    <ul class="alerts">
      {props.alerts.map((a) => {
        const depot = props.depots.get(a.depotId);
        const when = a.sinceMs > 0 ? a.sinceMs : a.receivedAtMs;
        return (
          <li data-alert={`${a.depotId}:${a.compartment}:${a.kind}${a.violation ? `:${a.violation.reason}` : ''}`}>
            <span class={a.kind === 'door-left-open' ? 'badge warn' : 'badge bad'}>{alertName(view.lang, a.kind)}</span>{' '}
            {props.showDepot && depot ? <a href={`/depots/${a.depotId}`}>{depot.name}</a> : null}
            {props.showDepot ? ', ' : null}
            {a.violation ? violationText(view.lang, a.violation) : compartmentName(view, a.compartment)}
            {', '}
            <time>{formatDateTime(view.lang, when, depot?.timeZone)}</time>
          </li>
        );
      })}
    </ul>
  );
}
