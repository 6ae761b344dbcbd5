import { depotOfflineKey } from '../../keys/offline-master-key.js';
import { appendAudit } from '../../store/audit.js';
import { compartmentsOf } from '../../store/portal/dashboard.js';
import { findPin, listPins, type PinView, pinUses, revealDigits } from '../../store/portal/pins.js';
import {
  createOfflinePin,
  createOnlinePin,
  NoFreeOfflinePinError,
  type PinActor,
  revokePin,
} from '../../store/portal/pins-write.js';
import { depotRole, parseId, roleAllows } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { viewOf } from '../components/view.js';
import { readForm } from '../form-input.js';
import { renderNotFound } from '../pages/status-pages.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import type { CompartmentLabels } from './pin-components.js';
import { defaultValues, PIN_FIELDS, type PinFormValues, readPinRequest } from './pin-form.js';
import { NewPinPage, PinCreatedPage } from './pin-form-page.js';
import { PinDetailPage, PinListPage } from './pins-pages.js';
import { pinsTexts } from './pins-texts.js';

const PINS_PER_PAGE = 50;

async function labelsOf(c: PortalContext): Promise<CompartmentLabels> {
  const rows = await compartmentsOf(c.get('deps').store.db, [c.get('depot').id]);
  return new Map(rows.filter((r) => r.label !== '').map((r) => [r.number, r.label]));
}

function actorOf(c: PortalContext): PinActor {
  const depot = c.get('depot');
  return {
    depotId: depot.id,
    organisationId: depot.organisationId,
    userId: currentUser(c).id,
    nowMs: c.get('deps').clock(),
    address: c.get('address'),
  };
}

/** The PIN of the path, looked up with the guard's depot: another depot's PIN id is "not found". */
async function pinOf(c: PortalContext): Promise<PinView | null> {
  const pinId = parseId(c.req.param('pinId'));
  if (pinId === null) return null;
  return findPin(c.get('deps').store.db, c.get('depot').id, pinId, c.get('deps').clock());
}

async function detail(c: PortalContext, pin: PinView, extra: { digits?: string; notice?: string; error?: string }) {
  const db = c.get('deps').store.db;
  const page = (
    <PinDetailPage
      view={viewOf(c)}
      depot={c.get('depot')}
      pin={pin}
      labels={await labelsOf(c)}
      uses={await pinUses(db, pin)}
      manager={roleAllows(c.get('role'), 'manager')}
      {...extra}
    />
  );
  // A page with the digits must not stay in a cache or the history.
  if (extra.digits) c.header('Cache-Control', 'no-store');
  return c.html(page, extra.error ? 400 : 200);
}

/** PINs of a depot: list (viewers too), create, show, reveal, revoke (managers and owners). */
export function pinsArea(): PortalArea {
  const area = new PortalArea('/depots/:depotId/pins');

  area.get('/', depotRole('viewer'), async (c) => {
    const pageParam = c.req.query('page');
    const page = pageParam === undefined ? 1 : parseId(pageParam);
    if (page === null || page > 10_000) return renderNotFound(c);
    const { store, clock } = c.get('deps');
    const rows = await listPins(store.db, c.get('depot').id, {
      nowMs: clock(),
      limit: PINS_PER_PAGE + 1,
      offset: (page - 1) * PINS_PER_PAGE,
    });
    return c.html(
      <PinListPage
        view={viewOf(c)}
        depot={c.get('depot')}
        pins={rows.slice(0, PINS_PER_PAGE)}
        labels={await labelsOf(c)}
        page={page}
        hasNext={rows.length > PINS_PER_PAGE}
        manager={roleAllows(c.get('role'), 'manager')}
      />,
    );
  });

  area.get('/new', depotRole('manager'), async (c) => {
    const depot = c.get('depot');
    return c.html(
      <NewPinPage view={viewOf(c)} depot={depot} labels={await labelsOf(c)} values={defaultValues(depot)} />,
    );
  });

  area.post('/', depotRole('manager'), async (c) => {
    const { store, sealer, offlineMasterKey, pokeRelay } = c.get('deps');
    const depot = c.get('depot');
    const actor = actorOf(c);
    const form = await readForm(c);
    const values: PinFormValues = Object.fromEntries(PIN_FIELDS.map((name) => [name, form.raw(name).slice(0, 300)]));
    // A select left out of the post shows its default again, not its first option.
    values.duration ||= defaultValues(depot).duration;
    const request = readPinRequest(form, c.get('lang'), depot, actor.nowMs);
    const again = async (message?: string) =>
      c.html(
        <NewPinPage
          view={viewOf(c)}
          depot={depot}
          labels={await labelsOf(c)}
          values={values}
          errors={form.errors}
          message={message}
        />,
        400,
      );
    if (!request) return again();
    let created: { pinId: number; digits: string };
    if (request.kind === 'offline') {
      try {
        const key = depotOfflineKey(await offlineMasterKey(), depot);
        created = await createOfflinePin(store, sealer, key, depot.compartmentCount, { ...actor, ...request });
      } catch (error) {
        if (!(error instanceof NoFreeOfflinePinError)) throw error;
        form.fail('from_date', pinsTexts[c.get('lang')].errNoOfflinePin);
        return again();
      }
    } else {
      created = await createOnlinePin(store, sealer, { ...actor, ...request });
      pokeRelay();
    }
    c.header('Cache-Control', 'no-store');
    return c.html(
      <PinCreatedPage
        view={viewOf(c)}
        depot={depot}
        labels={await labelsOf(c)}
        pinId={created.pinId}
        compartment={request.compartment}
        digits={created.digits}
        label={request.label}
        offline={request.kind === 'offline'}
      />,
    );
  });

  area.get('/:pinId', depotRole('viewer'), async (c) => {
    const pin = await pinOf(c);
    if (!pin) return renderNotFound(c);
    const notice = c.req.query('done') === 'revoked' ? pinsTexts[c.get('lang')].revoked : undefined;
    return detail(c, pin, { notice });
  });

  // POST, not a link: a prefetch or a crawler must never reveal (and audit) a PIN.
  area.post('/:pinId/reveal', depotRole('manager'), async (c) => {
    const { store, sealer } = c.get('deps');
    const pin = await pinOf(c);
    if (!pin) return renderNotFound(c);
    const digits = await revealDigits(store.db, sealer, pin.depotId, pin.id);
    if (digits === null) return renderNotFound(c);
    const actor = actorOf(c);
    await appendAudit(store.db, {
      atMs: actor.nowMs,
      actor: 'user',
      actorUserId: actor.userId,
      action: 'pin.reveal',
      organisationId: actor.organisationId,
      depotId: actor.depotId,
      subject: `pin ${pin.id}`,
      address: actor.address,
    });
    return detail(c, pin, { digits });
  });

  area.post('/:pinId/revoke', depotRole('manager'), async (c) => {
    const { store, clock, pokeRelay } = c.get('deps');
    const pin = await pinOf(c);
    if (!pin) return renderNotFound(c);
    if (!(await revokePin(store, { ...actorOf(c), pinId: pin.id }))) {
      const now = await findPin(store.db, pin.depotId, pin.id, clock());
      return detail(c, now ?? pin, { error: pinsTexts[c.get('lang')].notRevocable });
    }
    pokeRelay();
    return c.redirect(`/depots/${pin.depotId}/pins/${pin.id}?done=revoked`, 303);
  });

  return area;
}
