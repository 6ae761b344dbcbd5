import { appendAudit } from '../../store/audit.js';
import { findOrganisationById, OrganisationExistsError } from '../../store/organisations.js';
import {
  addMemberByUsername,
  createOrganisationAudited,
  listOrganisationSummaries,
  listUserSummaries,
  setUserDisabled,
} from '../../store/portal/admin.js';
import { addMemberAudited, createInvitedUser } from '../../store/portal/grants-admin.js';
import { findUserById } from '../../store/users.js';
import { OPERATOR, parseId } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { changedBy, newUserRefusal, PasswordLinkPage, passwordLink, readNewUser } from '../access-admin/user-form.js';
import { viewOf } from '../components/view.js';
import { readForm } from '../form-input.js';
import { renderNotFound } from '../pages/status-pages.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import { createPasswordToken } from '../session/password-tokens.js';
import { AdminPage, type AdminPageProps } from './admin-pages.js';
import { adminTexts } from './admin-texts.js';
import { provisionFromForm, renderOrganisation } from './provision-route.js';

async function renderAdmin(
  c: PortalContext,
  extra: Omit<AdminPageProps, 'view' | 'organisations' | 'users'> = {},
  status: 200 | 400 = 200,
) {
  const db = c.get('deps').store.db;
  const [organisations, users] = [await listOrganisationSummaries(db), await listUserSummaries(db)];
  return c.html(<AdminPage view={viewOf(c)} organisations={organisations} users={users} {...extra} />, status);
}

/**
 * The service operator's administration: organisations and their members,
 * accounts (create with a set-password link, disable, enable, new link) and
 * depot provisioning. Everyone else gets 404 (the area's existence is no one's business).
 */
export function adminArea(): PortalArea {
  const area = new PortalArea('/admin');

  area.get('/', OPERATOR, (c) => {
    const t = adminTexts[c.get('lang')];
    const done = c.req.query('done');
    return renderAdmin(c, { notice: done === 'organisation' ? t.organisationCreated : undefined });
  });

  area.post('/organisations', OPERATOR, async (c) => {
    const t = adminTexts[c.get('lang')];
    const form = await readForm(c);
    const name = form.text('name', { max: 200, required: true });
    const again = () => renderAdmin(c, { form: { kind: 'organisation', name }, errors: form.errors }, 400);
    if (!form.ok) return again();
    try {
      await createOrganisationAudited(c.get('deps').store.db, name, changedBy(c));
    } catch (error) {
      if (!(error instanceof OrganisationExistsError)) throw error;
      form.fail('name', t.organisationTaken);
      return again();
    }
    return c.redirect('/admin?done=organisation', 303);
  });

  area.post('/users', OPERATOR, async (c) => {
    const lang = c.get('lang');
    const t = adminTexts[lang];
    const db = c.get('deps').store.db;
    const form = await readForm(c);
    const values = readNewUser(form, lang);
    const operator = form.raw('operator') === '1';
    const organisation = form.raw('organisation');
    const organisationId = organisation === '' ? null : parseId(organisation);
    const known = organisationId === null || (await listOrganisationSummaries(db)).some((o) => o.id === organisationId);
    if ((organisation !== '' && organisationId === null) || !known) form.fail('organisation', t.badOrganisation);
    const again = () =>
      renderAdmin(c, { form: { kind: 'user', values, operator, organisation }, errors: form.errors }, 400);
    if (!form.ok) return again();
    const by = changedBy(c);
    let created: Awaited<ReturnType<typeof createInvitedUser>>;
    try {
      created = await createInvitedUser(db, { ...values, isOperator: operator }, by, async (trx, user) => {
        if (organisationId !== null) await addMemberAudited(trx, organisationId, user, by);
      });
    } catch (error) {
      newUserRefusal(error, form, lang);
      return again();
    }
    return c.html(
      <PasswordLinkPage
        view={viewOf(c)}
        name={created.user.displayName}
        link={passwordLink(c, created.token)}
        back="/admin"
      />,
    );
  });

  area.post('/users/:userId/disable', OPERATOR, (c) => switchUser(c, true));
  area.post('/users/:userId/enable', OPERATOR, (c) => switchUser(c, false));

  area.post('/users/:userId/password-link', OPERATOR, async (c) => {
    const db = c.get('deps').store.db;
    const userId = parseId(c.req.param('userId'));
    const user = userId === null ? null : await findUserById(db, userId);
    if (!user || user.disabledAtMs !== null) return renderNotFound(c);
    const by = changedBy(c);
    // The token is made and audited together; the audit entry never holds it.
    const token = await db.transaction().execute(async (trx) => {
      const token = await createPasswordToken(trx, { userId: user.id, createdByUserId: by.userId, nowMs: by.nowMs });
      await appendAudit(trx, {
        atMs: by.nowMs,
        actor: 'user',
        actorUserId: by.userId,
        action: 'user.password-reset',
        subject: user.username,
        address: by.address,
      });
      return token;
    });
    return c.html(
      <PasswordLinkPage view={viewOf(c)} name={user.displayName} link={passwordLink(c, token)} back="/admin" />,
    );
  });

  area.get('/organisations/:organisationId', OPERATOR, (c) => renderOrganisation(c));

  area.post('/organisations/:organisationId/members', OPERATOR, async (c) => {
    const t = adminTexts[c.get('lang')];
    const organisationId = parseId(c.req.param('organisationId'));
    const db = c.get('deps').store.db;
    if (organisationId === null || !(await findOrganisationById(db, organisationId))) return renderNotFound(c);
    const form = await readForm(c);
    const username = form.text('username', { max: 100, required: true });
    const again = () => renderOrganisation(c, { form: { kind: 'member', username }, errors: form.errors }, 400);
    if (!form.ok) return again();
    const result = await addMemberByUsername(db, organisationId, username, changedBy(c));
    if (!result.ok) {
      form.fail('username', result.reason === 'no-user' ? t.noUser : t.alreadyMember);
      return again();
    }
    return c.redirect(`/admin/organisations/${organisationId}?done=member`, 303);
  });

  area.post('/organisations/:organisationId/depots', OPERATOR, (c) => provisionFromForm(c));

  return area;
}

async function switchUser(c: PortalContext, disable: boolean) {
  const t = adminTexts[c.get('lang')];
  const userId = parseId(c.req.param('userId'));
  if (userId === null) return renderNotFound(c);
  if (disable && userId === currentUser(c).id)
    return renderAdmin(c, { form: { kind: 'row' }, message: t.cannotDisableSelf }, 400);
  const before = await setUserDisabled(c.get('deps').store.db, userId, disable, changedBy(c));
  if (!before) return renderNotFound(c);
  return renderAdmin(c, { notice: disable ? t.userDisabled(before.username) : t.userEnabled(before.username) });
}
