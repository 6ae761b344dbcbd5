import type { Depot } from '../../store/depots.js';
import { DEPOT_ROLES } from '../../store/grants.js';
import type { DepotGrantRow } from '../../store/portal/grants-admin.js';
import type { DepotRole } from '../../store/schema.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { roleName } from '../dashboard/dashboard-pages.js';
import { formatDate } from '../i18n/format.js';
import { accessAdminTexts } from './access-admin-texts.js';
import { NewUserFields, type NewUserValues } from './user-form.js';

/** Which form came back with errors, so its values and messages are shown there. */
export type UsersForm =
  | { readonly kind: 'existing'; readonly username: string; readonly role: DepotRole }
  | { readonly kind: 'new'; readonly values: NewUserValues; readonly role: DepotRole }
  | { readonly kind: 'row'; readonly userId: number };

export interface UsersPageProps {
  readonly view: View;
  readonly depot: Depot;
  readonly grants: readonly DepotGrantRow[];
  readonly notice?: string;
  readonly message?: string;
  readonly errors?: FieldErrors;
  readonly form?: UsersForm;
}

/** A role chooser; its id is `field-<name>` (the Field label's target) unless given. */
function RoleSelect(props: { view: View; name: string; id?: string; label?: string; selected: DepotRole }) {
  return (
    <select id={props.id ?? `field-${props.name}`} name={props.name} aria-label={props.label}>
      {DEPOT_ROLES.map((role) => (
        <option value={role} selected={role === props.selected}>
          {roleName(props.view, role)}
        </option>
      ))}
    </select>
  );
}

export function UsersPage(props: UsersPageProps) {
  const { view, depot, form } = props;
  const t = accessAdminTexts[view.lang];
  const base = `/depots/${depot.id}/users`;
  const errorsFor = (kind: UsersForm['kind']) => (form?.kind === kind ? (props.errors ?? {}) : {});
  return (
    <Layout view={view} title={t.title(depot.name)}>
      <p>
        <a href={`/depots/${depot.id}`}>{depot.name}</a>
      </p>
      <h1>{t.title(depot.name)}</h1>
      <p class="muted">{t.intro}</p>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {form?.kind === 'row' ? <ErrorSummary view={view} errors={{}} message={props.message} /> : null}
      <table class="responsive">
        <thead>
          <tr>
            <th>{t.user}</th>
            <th>{t.role}</th>
            <th>{t.since}</th>
            <th>{t.actions}</th>
          </tr>
        </thead>
        <tbody>
          {props.grants.map((g) => (
            <tr>
              <td data-label={t.user}>
                {g.displayName} <span class="muted">({g.username})</span>{' '}
                {g.userId === view.user?.id ? <span class="muted">{t.you}</span> : null}
                {g.disabledAtMs !== null ? <span class="badge bad">{t.disabled}</span> : null}
              </td>
              <td data-label={t.role}>{roleName(view, g.role)}</td>
              <td data-label={t.since}>{formatDate(view.lang, g.sinceMs, depot.timeZone)}</td>
              <td data-label={t.actions}>
                <form method="post" action={`${base}/${g.userId}`} class="inline">
                  <CsrfField view={view} />
                  <RoleSelect
                    view={view}
                    name="role"
                    id={`role-${g.userId}`}
                    label={`${t.role}: ${g.username}`}
                    selected={g.role}
                  />{' '}
                  <button type="submit">{t.changeRole}</button>
                </form>{' '}
                <form method="post" action={`${base}/${g.userId}/remove`} class="inline">
                  <CsrfField view={view} />
                  <button type="submit" class="danger">
                    {t.remove}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <div class="cards access-forms">
        <section class="card">
          <h2>{t.addExisting}</h2>
          {form?.kind === 'existing' ? (
            <ErrorSummary view={view} errors={errorsFor('existing')} message={props.message} />
          ) : null}
          <form method="post" action={base}>
            <CsrfField view={view} />
            <input type="hidden" name="kind" value="existing" />
            <Field
              name="member"
              label={t.username}
              hint={t.addExistingHint}
              value={form?.kind === 'existing' ? form.username : ''}
              required
              maxLength={100}
              autocomplete="off"
              errors={errorsFor('existing')}
            />
            <Field name="memberRole" label={t.role} errors={errorsFor('existing')}>
              <RoleSelect view={view} name="memberRole" selected={form?.kind === 'existing' ? form.role : 'viewer'} />
            </Field>
            <button type="submit" class="primary">
              {t.add}
            </button>
          </form>
        </section>
        <section class="card">
          <h2>{t.createNew}</h2>
          <p class="muted">{t.createNewHint}</p>
          {form?.kind === 'new' ? <ErrorSummary view={view} errors={errorsFor('new')} message={props.message} /> : null}
          <form method="post" action={base}>
            <CsrfField view={view} />
            <input type="hidden" name="kind" value="new" />
            <NewUserFields
              view={view}
              values={form?.kind === 'new' ? form.values : undefined}
              errors={errorsFor('new')}
            />
            <Field name="role" label={t.role} errors={errorsFor('new')}>
              <RoleSelect view={view} name="role" selected={form?.kind === 'new' ? form.role : 'viewer'} />
            </Field>
            <button type="submit" class="primary">
              {t.create}
            </button>
          </form>
        </section>
      </div>
    </Layout>
  );
}
