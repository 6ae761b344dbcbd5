import type { AuditRow, AuditScope } from '../../store/portal/audit-page.js';
import { ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { commandName } from '../depot/event-texts.js';
import { ExportButtons } from '../exports/export-buttons.js';
import { commonTexts } from '../i18n/common-texts.js';
import { formatDateTime } from '../i18n/format.js';
import { AUDIT_TIME_ZONE, type AuditFilterValues, auditHref } from './audit-query.js';
import { actionName, auditTexts, KNOWN_ACTIONS } from './audit-texts.js';

export interface AuditPageProps {
  readonly view: View;
  readonly scope: AuditScope;
  readonly values: AuditFilterValues;
  readonly page: number;
  readonly rows: readonly AuditRow[];
  readonly more: boolean;
  readonly errors: FieldErrors;
}

export function AuditPage(props: AuditPageProps) {
  const { view, scope, values } = props;
  const t = auditTexts[view.lang];
  const common = commonTexts[view.lang];
  const hasScope = scope.depots.length > 0 || scope.withoutDepot;
  const actions = KNOWN_ACTIONS.includes(values.action) || values.action === '' ? KNOWN_ACTIONS : [values.action];
  return (
    <Layout view={view} title={t.title}>
      <h1>{t.title}</h1>
      <p class="muted">
        {t.scopeOwner} {scope.withoutDepot ? t.scopeOperator : null}
      </p>
      {!hasScope ? (
        <p>{t.noScope}</p>
      ) : (
        <>
          <ErrorSummary view={view} errors={props.errors} />
          <form method="get" action="/audit" class="filters">
            <Field name="depot" label={t.depot} errors={props.errors}>
              <select id="field-depot" name="depot">
                <option value="">{t.allDepots}</option>
                {scope.depots.map((d) => (
                  <option value={String(d.id)} selected={values.depot === String(d.id)}>
                    {d.name}
                  </option>
                ))}
                {scope.withoutDepot ? (
                  <option value="none" selected={values.depot === 'none'}>
                    {t.noDepot}
                  </option>
                ) : null}
              </select>
            </Field>
            <Field name="action" label={t.action} errors={props.errors}>
              <select id="field-action" name="action">
                <option value="">{t.allActions}</option>
                {actions.map((a) => (
                  <option value={a} selected={values.action === a}>
                    {a.includes('.') ? `– ${actionName(view.lang, a)}` : actionName(view.lang, a)}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              name="actor"
              label={t.actor}
              hint={t.actorHint}
              value={values.actor}
              maxLength={100}
              errors={props.errors}
            />
            <Field name="from" label={t.from} type="date" value={values.from} errors={props.errors} />
            <Field name="to" label={t.to} type="date" value={values.to} errors={props.errors} />
            <div class="field">
              <button type="submit" class="primary">
                {t.filter}
              </button>
              <a href="/audit">{t.reset}</a>
            </div>
          </form>
          <ExportButtons view={view} action="/audit/export" filter={{ ...values }} />
          {Object.keys(props.errors).length > 0 ? null : props.rows.length === 0 ? (
            <p>{t.none}</p>
          ) : (
            <AuditTable view={view} rows={props.rows} />
          )}
          {Object.keys(props.errors).length > 0 ? null : (
            <nav class="pager" aria-label={common.page(props.page)}>
              {props.page > 1 ? <a href={auditHref(values, props.page - 1)}>{common.previous}</a> : null}
              <span>{common.page(props.page)}</span>
              {props.more ? <a href={auditHref(values, props.page + 1)}>{common.next}</a> : null}
            </nav>
          )}
        </>
      )}
    </Layout>
  );
}

function AuditTable(props: { view: View; rows: readonly AuditRow[] }) {
  const { view } = props;
  const t = auditTexts[view.lang];
  return (
    <table class="responsive audit">
      <thead>
        <tr>
          <th>{t.when}</th>
          <th>{t.actor}</th>
          <th>{t.what}</th>
          <th>{t.depot}</th>
          <th>{t.subject}</th>
          <th>{t.change}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr>
            <td data-label={t.when}>{formatDateTime(view.lang, row.atMs, row.timeZone ?? AUDIT_TIME_ZONE)}</td>
            <td data-label={t.actor}>
              {row.actor === 'user' ? (row.actorUsername ?? '–') : row.actor === 'relay' ? t.relay : t.cli}
              {row.address ? <small class="muted"> {t.fromAddress(row.address)}</small> : null}
            </td>
            <td data-label={t.what}>{actionName(view.lang, row.action)}</td>
            <td data-label={t.depot}>{row.depotName ?? '–'}</td>
            <td data-label={t.subject}>{row.subject}</td>
            <td data-label={t.change}>
              <ChangeList view={view} row={row} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Before → after per field that changed; a field only after (a creation) is listed with its value. */
function ChangeList(props: { view: View; row: AuditRow }) {
  const before = asRecord(props.row.before);
  const after = asRecord(props.row.after);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  if (keys.length === 0) return null;
  const show = (key: string, value: unknown) => {
    if (value === undefined) return '–';
    // A command's kind is stored as its wire number; say what it is.
    if (key === 'kind' && typeof value === 'number' && props.row.action.startsWith('command.'))
      return commandName(props.view.lang, value);
    return typeof value === 'string' ? value : JSON.stringify(value);
  };
  return (
    <ul class="changes">
      {keys.map((k) => (
        <li>
          {k}:{' '}
          {k in before ? (
            <>
              <del>{show(k, before[k])}</del> → <ins>{show(k, after[k])}</ins>
            </>
          ) : (
            show(k, after[k])
          )}
        </li>
      ))}
    </ul>
  );
}

function asRecord(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return { value };
}
