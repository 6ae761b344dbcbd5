import type { Depot } from '../../store/depots.js';
import { isRevocable, type PinView } from '../../store/portal/pins.js';
import { CsrfField } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { commandStateName, commandStateTone } from '../depot/event-texts.js';
import { ExportButtons } from '../exports/export-buttons.js';
import { commonTexts } from '../i18n/common-texts.js';
import { formatDateTime } from '../i18n/format.js';
import {
  type CompartmentLabels,
  kindName,
  PinDigits,
  PinStateBadge,
  pinCompartment,
  pinsPath,
  validityText,
} from './pin-components.js';
import { pinsTexts } from './pins-texts.js';

/** The depot's PINs, newest first, a page at a time. */
export function PinListPage(props: {
  view: View;
  depot: Depot;
  pins: readonly PinView[];
  labels: CompartmentLabels;
  page: number;
  hasNext: boolean;
  manager: boolean;
}) {
  const { view, depot } = props;
  const t = pinsTexts[view.lang];
  const common = commonTexts[view.lang];
  const zone = depot.timeZone;
  return (
    <Layout view={view} title={`${t.title} · ${depot.name}`}>
      <p>
        <a href={`/depots/${depot.id}`}>{depot.name}</a>
      </p>
      <h1>{t.title}</h1>
      {props.manager ? (
        <p>
          <a class="button primary" href={`${pinsPath(depot)}/new`}>
            {t.newPin}
          </a>
        </p>
      ) : null}
      <p class="muted">{t.timesIn(zone)}</p>
      <ExportButtons view={view} action={`/depots/${depot.id}/exports/pins`} filter={{}} />
      {props.pins.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <table class="responsive pins">
          <thead>
            <tr>
              <th>{t.pin}</th>
              <th>{t.compartment}</th>
              <th>{t.kind}</th>
              <th>{t.validity}</th>
              <th>{t.state}</th>
              <th>{t.created}</th>
            </tr>
          </thead>
          <tbody>
            {props.pins.map((pin) => (
              <tr data-pin-id={String(pin.id)}>
                <td data-label={t.pin}>
                  <a href={`${pinsPath(depot)}/${pin.id}`}>{t.pinNo(pin.id)}</a>
                  {pin.label ? <div class="muted">{pin.label}</div> : null}
                </td>
                <td data-label={t.compartment}>{pinCompartment(view, props.labels, pin.compartment)}</td>
                <td data-label={t.kind}>{kindName(view.lang, pin.kind)}</td>
                <td data-label={t.validity}>{validityText(view, pin, zone)}</td>
                <td data-label={t.state}>
                  <PinStateBadge view={view} state={pin.state} />
                  {pin.usedAtMs ? <div class="muted">{formatDateTime(view.lang, pin.usedAtMs, zone)}</div> : null}
                </td>
                <td data-label={t.created}>
                  {formatDateTime(view.lang, pin.createdAtMs, zone)}
                  {pin.createdBy ? <div class="muted">{pin.createdBy}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label={common.page(props.page)}>
        {props.page > 1 ? <a href={`${pinsPath(depot)}?page=${props.page - 1}`}>{common.previous}</a> : null}
        {props.hasNext ? <a href={`${pinsPath(depot)}?page=${props.page + 1}`}>{common.next}</a> : null}
      </nav>
    </Layout>
  );
}

/** One PIN: what it opens and when, its state and delivery, reveal and revoke for managers. */
export function PinDetailPage(props: {
  view: View;
  depot: Depot;
  pin: PinView;
  labels: CompartmentLabels;
  uses: readonly number[];
  manager: boolean;
  digits?: string;
  notice?: string;
  error?: string;
}) {
  const { view, depot, pin } = props;
  const t = pinsTexts[view.lang];
  const zone = depot.timeZone;
  const at = (ms: number | null) => formatDateTime(view.lang, ms, zone);
  const base = `${pinsPath(depot)}/${pin.id}`;
  return (
    <Layout view={view} title={`${t.pinNo(pin.id)} · ${depot.name}`}>
      <p>
        <a href={`/depots/${depot.id}`}>{depot.name}</a> · <a href={pinsPath(depot)}>{t.backToList}</a>
      </p>
      <h1>{t.pinNo(pin.id)}</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.error ? (
        <div class="error-summary" role="alert">
          <p>{props.error}</p>
        </div>
      ) : null}
      {props.digits ? <PinDigits digits={props.digits} /> : null}
      <dl class="facts">
        <dt>{t.state}</dt>
        <dd>
          <PinStateBadge view={view} state={pin.state} />
          {pin.usedAtMs ? ` ${at(pin.usedAtMs)}` : ''}
          {pin.revokedAtMs ? ` ${at(pin.revokedAtMs)}` : ''}
        </dd>
        <dt>{t.compartment}</dt>
        <dd>{pinCompartment(view, props.labels, pin.compartment)}</dd>
        <dt>{t.kind}</dt>
        <dd>{kindName(view.lang, pin.kind)}</dd>
        <dt>{t.validity}</dt>
        <dd>{validityText(view, pin, zone)}</dd>
        {pin.label ? (
          <>
            <dt>{t.label}</dt>
            <dd>{pin.label}</dd>
          </>
        ) : null}
        <dt>{t.created}</dt>
        <dd>
          {at(pin.createdAtMs)}
          {pin.createdBy ? ` · ${pin.createdBy}` : ''}
        </dd>
        {pin.commandId !== null && pin.commandState ? (
          <>
            <dt>{t.delivery}</dt>
            <dd>
              <a href={`/depots/${depot.id}/commands/${pin.commandId}`}>{t.command(pin.commandId)}</a>{' '}
              <span class={`badge ${commandStateTone(pin.commandState)}`}>
                {commandStateName(view.lang, pin.commandState)}
              </span>
              {pin.commandDetail ? <small class="muted"> {pin.commandDetail}</small> : null}
            </dd>
          </>
        ) : null}
        {pin.revokeCommandId !== null && pin.revokeCommandState ? (
          <>
            <dt>{t.revocation}</dt>
            <dd>
              <a href={`/depots/${depot.id}/commands/${pin.revokeCommandId}`}>{t.command(pin.revokeCommandId)}</a>{' '}
              <span class={`badge ${commandStateTone(pin.revokeCommandState)}`}>
                {commandStateName(view.lang, pin.revokeCommandState)}
              </span>
            </dd>
          </>
        ) : null}
      </dl>
      <h2>{t.uses}</h2>
      {props.uses.length === 0 ? (
        <p class="muted">{t.noUses}</p>
      ) : (
        <ul>
          {props.uses.map((ms) => (
            <li>{at(ms)}</li>
          ))}
        </ul>
      )}
      {props.manager ? (
        <div class="actions">
          {props.digits ? null : (
            <form method="post" action={`${base}/reveal`} class="inline">
              <CsrfField view={view} />
              <button type="submit">{t.reveal}</button> <small class="muted">{t.revealNote}</small>
            </form>
          )}
          {isRevocable(pin.state) ? (
            <form method="post" action={`${base}/revoke`}>
              <CsrfField view={view} />
              <button type="submit" class="danger">
                {t.revoke}
              </button>{' '}
              <small class="muted">{t.revokeNote}</small>
            </form>
          ) : null}
        </div>
      ) : null}
    </Layout>
  );
}
