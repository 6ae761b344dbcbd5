import type { Depot } from '../../store/depots.js';
import type { Organisation } from '../../store/organisations.js';
import type { UserSummary } from '../../store/portal/admin.js';
import type { SecondFactorPolicy } from '../../store/second-factor/policy.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { PolicyForm } from '../second-factor/policy-routes.js';
import { Notice, UserTable } from './admin-pages.js';
import { adminTexts } from './admin-texts.js';

/** What the provisioning form was sent with, shown again on an error. */
export interface DepotFormValues {
  readonly name: string;
  readonly address: string;
  readonly compartments: string;
  readonly timeZone: string;
  readonly language: string;
  readonly owner: string;
}

export interface OrganisationPageProps {
  readonly view: View;
  readonly organisation: Organisation;
  readonly depots: readonly Depot[];
  readonly members: readonly UserSummary[];
  /** Whether this server can make bundles (public relay address and keys configured). */
  readonly canProvision: boolean;
  readonly secondFactorPolicy: SecondFactorPolicy;
  /** The policy form came back with an error. */
  readonly policyError?: string;
  readonly notice?: string;
  readonly errors?: FieldErrors;
  readonly form?:
    | { readonly kind: 'member'; readonly username: string }
    | { readonly kind: 'depot'; readonly values: DepotFormValues };
}

export function OrganisationPage(props: OrganisationPageProps) {
  const { view, organisation, form } = props;
  const t = adminTexts[view.lang];
  const base = `/admin/organisations/${organisation.id}`;
  const errorsFor = (kind: 'member' | 'depot') => (form?.kind === kind ? (props.errors ?? {}) : {});
  const depot = form?.kind === 'depot' ? form.values : undefined;
  return (
    <Layout view={view} title={organisation.name}>
      <p>
        <a href="/admin">{t.back}</a>
      </p>
      <h1>{organisation.name}</h1>
      <Notice text={props.notice} />
      <PolicyForm
        view={view}
        organisationId={organisation.id}
        policy={props.secondFactorPolicy}
        error={props.policyError}
      />

      <h2>{t.depots}</h2>
      {props.depots.length === 0 ? (
        <p>{t.noDepots}</p>
      ) : (
        <ul>
          {props.depots.map((d) => (
            <li>
              {d.name} <span class="muted">#{d.id}</span>{' '}
              {d.revokedAtMs !== null ? (
                <span class="badge bad">{t.revoked}</span>
              ) : (
                <span class={d.online ? 'badge online' : 'badge offline'}>{d.online ? t.online : t.offline}</span>
              )}
            </li>
          ))}
        </ul>
      )}

      <h2>{t.members}</h2>
      {props.members.length === 0 ? <p>{t.noMembers}</p> : <UserTable view={view} users={props.members} />}
      <form method="post" action={`${base}/members`} class="filters">
        <CsrfField view={view} />
        {form?.kind === 'member' ? <ErrorSummary view={view} errors={errorsFor('member')} /> : null}
        <Field
          name="username"
          label={t.addMember}
          value={form?.kind === 'member' ? form.username : ''}
          required
          maxLength={100}
          autocomplete="off"
          errors={errorsFor('member')}
        />
        <div class="field">
          <button type="submit">{t.addMember}</button>
        </div>
      </form>

      <section class="card narrow">
        <h2>{t.provision}</h2>
        {!props.canProvision ? (
          <p class="error-summary">{t.notConfigured}</p>
        ) : (
          <>
            <p class="muted">{t.provisionIntro}</p>
            {form?.kind === 'depot' ? <ErrorSummary view={view} errors={errorsFor('depot')} /> : null}
            <form method="post" action={`${base}/depots`}>
              <CsrfField view={view} />
              <Field
                name="name"
                label={t.depotName}
                value={depot?.name}
                required
                maxLength={200}
                errors={errorsFor('depot')}
              />
              <Field
                name="address"
                label={t.address}
                value={depot?.address}
                maxLength={300}
                errors={errorsFor('depot')}
              />
              <Field
                name="compartments"
                label={t.compartments}
                type="number"
                value={depot?.compartments ?? '6'}
                required
                errors={errorsFor('depot')}
              />
              <Field
                name="timeZone"
                label={t.timeZone}
                hint={t.timeZoneHint}
                value={depot?.timeZone ?? 'Europe/Berlin'}
                required
                maxLength={64}
                errors={errorsFor('depot')}
              />
              <Field name="language" label={t.depotLanguage} errors={errorsFor('depot')}>
                <select id="field-language" name="language">
                  <option value="de" selected={depot?.language !== 'en'}>
                    Deutsch
                  </option>
                  <option value="en" selected={depot?.language === 'en'}>
                    English
                  </option>
                </select>
              </Field>
              <Field
                name="owner"
                label={t.owner}
                hint={t.ownerHint}
                value={depot?.owner}
                maxLength={100}
                autocomplete="off"
                errors={errorsFor('depot')}
              />
              <button type="submit" class="primary">
                {t.download}
              </button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}
