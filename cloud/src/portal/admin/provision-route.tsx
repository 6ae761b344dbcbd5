import { isTimeZone, provisionDepot } from '../../provisioning/provision-depot.js';
import { listDepots } from '../../store/depots.js';
import { findOrganisationById } from '../../store/organisations.js';
import { listMembers } from '../../store/portal/admin.js';
import { findMemberByUsername, grantFirstRole } from '../../store/portal/grants-admin.js';
import { organisationPolicy } from '../../store/second-factor/policy.js';
import { findUserByUsername, type User } from '../../store/users.js';
import { parseId } from '../access/access.js';
import { changedBy } from '../access-admin/user-form.js';
import { viewOf } from '../components/view.js';
import { readForm } from '../form-input.js';
import { LANGUAGES } from '../i18n/language.js';
import { renderNotFound } from '../pages/status-pages.js';
import type { PortalContext } from '../portal-env.js';
import { secondFactorTexts } from '../second-factor/second-factor-texts.js';
import { adminTexts } from './admin-texts.js';
import { type DepotFormValues, OrganisationPage, type OrganisationPageProps } from './organisation-page.js';

type PageExtra = Omit<
  OrganisationPageProps,
  'view' | 'organisation' | 'depots' | 'members' | 'canProvision' | 'secondFactorPolicy'
>;

/** The organisation page of the path's :organisationId (404 for an unknown one). */
export async function renderOrganisation(c: PortalContext, extra: PageExtra = {}, status: 200 | 400 = 200) {
  const { store, provisioning } = c.get('deps');
  const organisationId = parseId(c.req.param('organisationId'));
  const organisation = organisationId === null ? null : await findOrganisationById(store.db, organisationId);
  if (!organisation) return renderNotFound(c);
  const t = adminTexts[c.get('lang')];
  const done = c.req.method === 'GET' ? c.req.query('done') : undefined;
  const notice =
    done === 'member'
      ? t.memberAdded
      : done === 'second-factor'
        ? secondFactorTexts[c.get('lang')].policySaved
        : undefined;
  return c.html(
    <OrganisationPage
      view={viewOf(c)}
      organisation={organisation}
      depots={await listDepots(store.db, { organisationId: organisation.id })}
      members={await listMembers(store.db, organisation.id)}
      canProvision={provisioning !== undefined}
      secondFactorPolicy={await organisationPolicy(store.db, organisation.id)}
      notice={notice}
      {...extra}
    />,
    status,
  );
}

/**
 * Registers a depot for the organisation with the same code as `keydepot-cloud
 * depot create` and answers with its provisioning bundle as a download. The
 * bundle is built in memory and sent once; nothing of it is stored but the
 * public key. An owner named in the form gets the owner role in the same transaction.
 */
export async function provisionFromForm(c: PortalContext) {
  const { store, provisioning } = c.get('deps');
  const t = adminTexts[c.get('lang')];
  const organisationId = parseId(c.req.param('organisationId'));
  const organisation = organisationId === null ? null : await findOrganisationById(store.db, organisationId);
  if (!organisation) return renderNotFound(c);
  const keys = provisioning ? await provisioning() : undefined;
  const form = await readForm(c);
  const values: DepotFormValues = {
    name: form.text('name', { max: 200, required: true }),
    address: form.text('address', { max: 300 }),
    compartments: form.raw('compartments').slice(0, 20),
    timeZone: form.text('timeZone', { max: 64, required: true }),
    language: form.raw('language').slice(0, 5),
    owner: form.text('owner', { max: 100 }),
  };
  const compartmentCount = form.integer('compartments', { min: 1, max: 64, required: true });
  const language = form.choice('language', LANGUAGES, t.badLanguage);
  if (values.timeZone !== '' && !isTimeZone(values.timeZone)) form.fail('timeZone', t.badTimeZone);
  let owner: User | null = null;
  if (values.owner !== '') {
    // Only a member may own a depot of the organisation, as on the owners' own users page;
    // the operator serves every organisation, so the message may say which is the case.
    owner = await findMemberByUsername(store.db, organisation.id, values.owner);
    if (!owner) form.fail('owner', (await findUserByUsername(store.db, values.owner)) ? t.notMember : t.noUser);
    else if (owner.disabledAtMs !== null) form.fail('owner', t.noUser);
  }
  if (!keys?.publicRelayHost) return renderOrganisation(c, { form: { kind: 'depot', values } }, 400);
  if (!form.ok || compartmentCount === null) {
    return renderOrganisation(c, { form: { kind: 'depot', values }, errors: form.errors }, 400);
  }
  const by = changedBy(c);
  const { depot, bundle } = await provisionDepot(
    store.db,
    keys,
    {
      organisationId: organisation.id,
      name: values.name,
      address: values.address,
      compartmentCount,
      timeZone: values.timeZone,
      language,
      nowMs: by.nowMs,
      by: { actor: 'user', userId: by.userId, address: by.address },
    },
    async (trx, depot) => {
      if (owner) await grantFirstRole(trx, depot, owner, 'owner', by);
    },
  );
  c.header('Content-Disposition', `attachment; filename="depot-${depot.id}.json"`);
  // The bundle holds the depot's secret key: no cache may keep a copy.
  c.header('Cache-Control', 'no-store');
  return c.body(`${JSON.stringify(bundle, null, 2)}\n`, 200, { 'Content-Type': 'application/json; charset=utf-8' });
}
