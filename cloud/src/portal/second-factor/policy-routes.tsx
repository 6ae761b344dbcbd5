import { appendAudit } from '../../store/audit.js';
import { findOrganisationById } from '../../store/organisations.js';
import {
  organisationPolicy,
  SECOND_FACTOR_POLICIES,
  type SecondFactorPolicy,
  setOrganisationPolicy,
} from '../../store/second-factor/policy.js';
import { OPERATOR, parseId } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { renderOrganisation } from '../admin/provision-route.js';
import { CsrfField } from '../components/forms.js';
import type { View } from '../components/view.js';
import { readForm } from '../form-input.js';
import { renderNotFound } from '../pages/status-pages.js';
import { currentUser } from '../portal-env.js';
import { secondFactorTexts } from './second-factor-texts.js';

/** The organisation page's form for its second-factor rule. */
export function PolicyForm(props: { view: View; organisationId: number; policy: SecondFactorPolicy; error?: string }) {
  const t = secondFactorTexts[props.view.lang];
  const label = { optional: t.policyOptional, required: t.policyRequired };
  return (
    <form method="post" action={`/admin/organisations/${props.organisationId}/second-factor`} class="narrow">
      <CsrfField view={props.view} />
      <fieldset>
        <legend>{t.policyTitle}</legend>
        {props.error ? <small class="error">{props.error}</small> : null}
        {SECOND_FACTOR_POLICIES.map((policy) => (
          <label>
            <input type="radio" name="policy" value={policy} checked={props.policy === policy} /> {label[policy]}
          </label>
        ))}
        <small class="hint">{t.policyHint}</small>
      </fieldset>
      <button type="submit">{t.policySave}</button>
    </form>
  );
}

/** The service operator sets whether an organisation's owners and managers must have a second factor. */
export function secondFactorPolicyArea(): PortalArea {
  const area = new PortalArea('/admin/organisations/:organisationId');

  area.post('/second-factor', OPERATOR, async (c) => {
    const { store, clock } = c.get('deps');
    const t = secondFactorTexts[c.get('lang')];
    const organisationId = parseId(c.req.param('organisationId'));
    const organisation = organisationId === null ? null : await findOrganisationById(store.db, organisationId);
    if (!organisation) return renderNotFound(c);
    const form = await readForm(c);
    const policy = form.choice('policy', SECOND_FACTOR_POLICIES, t.policyBad);
    if (!form.ok) return renderOrganisation(c, { policyError: t.policyBad }, 400);
    const before = await organisationPolicy(store.db, organisation.id);
    if (before !== policy) {
      await store.db.transaction().execute(async (trx) => {
        await setOrganisationPolicy(trx, organisation.id, policy);
        await appendAudit(trx, {
          atMs: clock(),
          actor: 'user',
          actorUserId: currentUser(c).id,
          action: 'organisation.second-factor-policy',
          organisationId: organisation.id,
          subject: organisation.name,
          before: { policy: before },
          after: { policy },
          address: c.get('address'),
        });
      });
    }
    return c.redirect(`/admin/organisations/${organisation.id}?done=second-factor`, 303);
  });

  return area;
}
