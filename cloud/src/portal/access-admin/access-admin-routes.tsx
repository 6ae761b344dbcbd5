import { DEPOT_ROLES, roleOn } from '../../store/grants.js';
import {
  addExistingUser,
  changeRole,
  type GrantRefusal,
  inviteToDepot,
  listDepotGrantRows,
  removeAccess,
} from '../../store/portal/grants-admin.js';
import type { DepotRole } from '../../store/schema.js';
import { depotRole, parseId } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { viewOf } from '../components/view.js';
import { readForm } from '../form-input.js';
import { renderNotFound } from '../pages/status-pages.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import { UsersPage, type UsersPageProps } from './access-admin-pages.js';
import { accessAdminTexts } from './access-admin-texts.js';
import { changedBy, newUserRefusal, PasswordLinkPage, passwordLink, readNewUser } from './user-form.js';

const OWNER = depotRole('owner');

async function renderUsers(
  c: PortalContext,
  extra: Omit<UsersPageProps, 'view' | 'depot' | 'grants'> = {},
  status: 200 | 400 = 200,
) {
  const depot = c.get('depot');
  const grants = await listDepotGrantRows(c.get('deps').store.db, depot.id);
  return c.html(<UsersPage view={viewOf(c)} depot={depot} grants={grants} {...extra} />, status);
}

function refusalText(c: PortalContext, reason: GrantRefusal): string {
  const t = accessAdminTexts[c.get('lang')];
  const texts: Record<GrantRefusal, string> = {
    'no-user': t.noUser,
    disabled: t.disabledUser,
    'has-role': t.hasRole,
    'no-grant': t.noUser,
    'last-owner': t.lastOwner,
  };
  return texts[reason];
}

/**
 * A depot's users (owners only): who holds which role, add an existing user
 * of the depot's organisation, create a new one with a one-time set-password
 * link, change and remove roles.
 */
export function accessAdminArea(): PortalArea {
  const area = new PortalArea('/depots/:depotId/users');

  area.get('/', OWNER, (c) => {
    const t = accessAdminTexts[c.get('lang')];
    const done = c.req.query('done');
    const notice = done === 'added' || done === 'changed' || done === 'removed' ? t[done] : undefined;
    return renderUsers(c, { notice });
  });

  area.post('/', OWNER, async (c) => {
    const lang = c.get('lang');
    const t = accessAdminTexts[lang];
    const store = c.get('deps').store;
    const depot = c.get('depot');
    const form = await readForm(c);
    if (form.raw('kind') === 'new') {
      const values = readNewUser(form, lang);
      const role = form.choice('role', DEPOT_ROLES, t.badRole);
      const again = () => renderUsers(c, { form: { kind: 'new', values, role }, errors: form.errors }, 400);
      if (!form.ok) return again();
      let created: Awaited<ReturnType<typeof inviteToDepot>>;
      try {
        created = await inviteToDepot(store, depot, { ...values, role }, changedBy(c));
      } catch (error) {
        newUserRefusal(error, form, lang);
        return again();
      }
      const back = `/depots/${depot.id}/users`;
      return c.html(
        <PasswordLinkPage
          view={viewOf(c)}
          name={created.user.displayName}
          link={passwordLink(c, created.token)}
          back={back}
        />,
      );
    }
    const username = form.text('member', { max: 100, required: true });
    const role = form.choice('memberRole', DEPOT_ROLES, t.badRole);
    const again = (message?: string) =>
      renderUsers(c, { form: { kind: 'existing', username, role }, errors: form.errors, message }, 400);
    if (!form.ok) return again();
    const result = await addExistingUser(store, depot, { username, role }, changedBy(c));
    if (!result.ok) {
      form.fail('member', refusalText(c, result.reason));
      return again();
    }
    return done(c, 'added');
  });

  area.post('/:userId', OWNER, async (c) => {
    const userId = parseId(c.req.param('userId'));
    // Someone without a role here is "not found" whatever the form says, like any foreign id.
    if (userId === null || (await roleOn(c.get('deps').store.db, c.get('depot').id, userId)) === null) {
      return renderNotFound(c);
    }
    const t = accessAdminTexts[c.get('lang')];
    const form = await readForm(c);
    const role = form.choice<DepotRole>('role', DEPOT_ROLES, t.badRole);
    if (!form.ok) return renderUsers(c, { form: { kind: 'row', userId }, message: t.badRole }, 400);
    const result = await changeRole(c.get('deps').store, c.get('depot'), { userId, role }, changedBy(c));
    if (!result.ok) return refused(c, userId, result.reason);
    // An owner who made themselves manager or viewer may no longer see this page.
    if (userId === currentUser(c).id && role !== 'owner') return c.redirect(`/depots/${c.get('depot').id}`, 303);
    return done(c, 'changed');
  });

  area.post('/:userId/remove', OWNER, async (c) => {
    const userId = parseId(c.req.param('userId'));
    if (userId === null) return renderNotFound(c);
    const result = await removeAccess(c.get('deps').store, c.get('depot'), userId, changedBy(c));
    if (!result.ok) return refused(c, userId, result.reason);
    if (userId === currentUser(c).id) return c.redirect('/', 303);
    return done(c, 'removed');
  });

  return area;
}

/** A user id without a role here is "not found", like any foreign id; the last owner rule is a 400. */
function refused(c: PortalContext, userId: number, reason: GrantRefusal) {
  if (reason === 'no-grant') return renderNotFound(c);
  return renderUsers(c, { form: { kind: 'row', userId }, message: refusalText(c, reason) }, 400);
}

function done(c: PortalContext, what: 'added' | 'changed' | 'removed') {
  return c.redirect(`/depots/${c.get('depot').id}/users?done=${what}`, 303);
}
