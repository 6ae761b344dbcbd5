import type { OrganisationSummary, UserSummary } from '../../store/portal/admin.js';
import type { NewUserValues } from '../access-admin/user-form.js';
import { NewUserFields } from '../access-admin/user-form.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { formatDate } from '../i18n/format.js';
import { adminTexts } from './admin-texts.js';

/** Which form of the overview came back with errors, with what was typed. */
export type AdminForm =
  | { readonly kind: 'organisation'; readonly name: string }
  | { readonly kind: 'user'; readonly values: NewUserValues; readonly operator: boolean; readonly organisation: string }
  | { readonly kind: 'row' };

export interface AdminPageProps {
  readonly view: View;
  readonly organisations: readonly OrganisationSummary[];
  readonly users: readonly UserSummary[];
  readonly notice?: string;
  readonly message?: string;
  readonly errors?: FieldErrors;
  readonly form?: AdminForm;
}

export function Notice(props: { text?: string }) {
  return props.text ? (
    <p class="notice" role="status">
      {props.text}
    </p>
  ) : null;
}

export function AdminPage(props: AdminPageProps) {
  const { view, form } = props;
  const t = adminTexts[view.lang];
  const errorsFor = (kind: AdminForm['kind']) => (form?.kind === kind ? (props.errors ?? {}) : {});
  return (
    <Layout view={view} title={t.title}>
      <h1>{t.title}</h1>
      <p class="muted">{t.intro}</p>
      <Notice text={props.notice} />
      {form?.kind === 'row' ? <ErrorSummary view={view} errors={{}} message={props.message} /> : null}

      <h2>{t.organisations}</h2>
      <table class="responsive">
        <thead>
          <tr>
            <th>{t.name}</th>
            <th>{t.depots}</th>
            <th>{t.members}</th>
            <th>{t.created}</th>
          </tr>
        </thead>
        <tbody>
          {props.organisations.map((o) => (
            <tr>
              <td data-label={t.name}>
                <a href={`/admin/organisations/${o.id}`}>{o.name}</a>
              </td>
              <td data-label={t.depots}>{o.depots}</td>
              <td data-label={t.members}>{o.members}</td>
              <td data-label={t.created}>{formatDate(view.lang, o.createdAtMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action="/admin/organisations" class="filters">
        <CsrfField view={view} />
        {form?.kind === 'organisation' ? <ErrorSummary view={view} errors={errorsFor('organisation')} /> : null}
        <Field
          name="name"
          label={t.organisationName}
          value={form?.kind === 'organisation' ? form.name : ''}
          required
          maxLength={200}
          errors={errorsFor('organisation')}
        />
        <div class="field">
          <button type="submit" class="primary">
            {t.createOrganisation}
          </button>
        </div>
      </form>

      <h2>{t.users}</h2>
      <UserTable view={view} users={props.users} />
      <section class="card narrow">
        <h3>{t.createUser}</h3>
        {form?.kind === 'user' ? <ErrorSummary view={view} errors={errorsFor('user')} /> : null}
        <form method="post" action="/admin/users">
          <CsrfField view={view} />
          <NewUserFields
            view={view}
            values={form?.kind === 'user' ? form.values : undefined}
            errors={errorsFor('user')}
          />
          <Field name="organisation" label={t.memberOf} errors={errorsFor('user')}>
            <select id="field-organisation" name="organisation">
              <option value="">{t.noOrganisation}</option>
              {props.organisations.map((o) => (
                <option value={String(o.id)} selected={form?.kind === 'user' && form.organisation === String(o.id)}>
                  {o.name}
                </option>
              ))}
            </select>
          </Field>
          <div class="field">
            <label>
              <input type="checkbox" name="operator" value="1" checked={form?.kind === 'user' && form.operator} />{' '}
              {t.makeOperator}
            </label>
          </div>
          <button type="submit" class="primary">
            {t.createUser}
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function UserTable(props: { view: View; users: readonly UserSummary[] }) {
  const { view } = props;
  const t = adminTexts[view.lang];
  return (
    <table class="responsive">
      <thead>
        <tr>
          <th>{t.user}</th>
          <th>{t.memberOf}</th>
          <th>{t.state}</th>
          <th>{t.actions}</th>
        </tr>
      </thead>
      <tbody>
        {props.users.map((u) => (
          <tr>
            <td data-label={t.user}>
              {u.displayName} <span class="muted">({u.username})</span>{' '}
              {u.isOperator ? <span class="badge warn">{t.operator}</span> : null}
            </td>
            <td data-label={t.memberOf}>{u.organisations.join(', ') || '–'}</td>
            <td data-label={t.state}>
              <span class={u.disabledAtMs === null ? 'badge ok' : 'badge bad'}>
                {u.disabledAtMs === null ? t.enabled : t.disabled}
              </span>
            </td>
            <td data-label={t.actions}>
              <form
                method="post"
                action={`/admin/users/${u.id}/${u.disabledAtMs === null ? 'disable' : 'enable'}`}
                class="inline"
              >
                <CsrfField view={view} />
                <button type="submit" class={u.disabledAtMs === null ? 'danger' : undefined}>
                  {u.disabledAtMs === null ? t.disable : t.enable}
                </button>
              </form>{' '}
              {u.disabledAtMs === null ? (
                <form method="post" action={`/admin/users/${u.id}/password-link`} class="inline">
                  <CsrfField view={view} />
                  <button type="submit">{t.newLink}</button>
                </form>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
