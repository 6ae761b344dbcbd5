import { findCommand, isPending } from '../../store/portal/command-view.js';
import { compartmentsOf } from '../../store/portal/dashboard.js';
import type { PinActor } from '../../store/portal/pins-write.js';
import { lockoutStatus, queueLockoutReset, queueRemoteOpen } from '../../store/portal/remote.js';
import { depotRole, parseId } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { viewOf } from '../components/view.js';
import { readForm } from '../form-input.js';
import { renderNotFound } from '../pages/status-pages.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import { reauthenticate, reauthFactors } from '../second-factor/reauthenticate.js';
import { CommandPage, OpenPage } from './remote-pages.js';
import { remoteTexts } from './remote-texts.js';

/** Seconds between reloads of a command page while the command is on its way (HTTP Refresh: no script needed). */
const REFRESH_SECONDS = 2;

function actorOf(c: PortalContext): PinActor & { depotName: string } {
  const depot = c.get('depot');
  return {
    depotId: depot.id,
    depotName: depot.name,
    organisationId: depot.organisationId,
    userId: currentUser(c).id,
    nowMs: c.get('deps').clock(),
    address: c.get('address'),
  };
}

async function openPage(
  c: PortalContext,
  extra: { compartment?: string; errors?: Record<string, string>; message?: string },
  status: 200 | 400 | 401 | 429 = 200,
) {
  const db = c.get('deps').store.db;
  const depot = c.get('depot');
  const compartments = await compartmentsOf(db, [depot.id]);
  const labels = new Map(compartments.filter((r) => r.label !== '').map((r) => [r.number, r.label]));
  return c.html(
    <OpenPage
      view={viewOf(c)}
      depot={depot}
      labels={labels}
      lockout={await lockoutStatus(db, depot.id)}
      factors={await reauthFactors(c)}
      {...extra}
    />,
    status,
  );
}

/** Remote open, keypad lockout reset, and the page that follows a command to the depot. */
export function remoteArea(): PortalArea {
  const area = new PortalArea('/depots/:depotId');

  area.get('/open', depotRole('manager'), (c) => openPage(c, {}));

  area.post('/open', depotRole('manager'), async (c) => {
    const { store, pokeRelay } = c.get('deps');
    const t = remoteTexts[c.get('lang')];
    const depot = c.get('depot');
    const form = await readForm(c);
    const compartment = form.integer('compartment', { min: 1, max: depot.compartmentCount, required: true });
    if (compartment === null) {
      delete form.errors.compartment;
      form.fail('compartment', t.errCompartment);
    }
    // The password (or a code) is required unless a passkey confirmed.
    if (form.raw('passkey') === '') form.password('password');
    const shown = form.raw('compartment').slice(0, 3);
    if (!form.ok || compartment === null) return openPage(c, { compartment: shown, errors: form.errors }, 400);
    // A stolen session must not become an oracle: wrong passwords and codes count like failed logins.
    const refused = await reauthenticate(c, form);
    if (refused)
      return openPage(c, { compartment: shown, errors: form.errors, message: refused.message }, refused.status);
    const commandId = await queueRemoteOpen(store, actorOf(c), compartment);
    pokeRelay();
    return c.redirect(`/depots/${depot.id}/commands/${commandId}`, 303);
  });

  area.post('/lockout-reset', depotRole('manager'), async (c) => {
    const { store, pokeRelay } = c.get('deps');
    const commandId = await queueLockoutReset(store, actorOf(c));
    pokeRelay();
    return c.redirect(`/depots/${c.get('depot').id}/commands/${commandId}`, 303);
  });

  area.get('/commands/:commandId', depotRole('viewer'), async (c) => {
    const { store, clock } = c.get('deps');
    const commandId = parseId(c.req.param('commandId'));
    if (commandId === null) return renderNotFound(c);
    const command = await findCommand(store.db, c.get('depot').id, commandId, clock());
    if (!command) return renderNotFound(c);
    if (isPending(command.state)) c.header('Refresh', String(REFRESH_SECONDS));
    return c.html(<CommandPage view={viewOf(c)} depot={c.get('depot')} command={command} />);
  });

  return area;
}
