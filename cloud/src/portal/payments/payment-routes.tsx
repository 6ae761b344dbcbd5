import { createPayPalClients } from '../../payments/paypal-clients.js';
import { isPayPalError } from '../../payments/paypal-errors.js';
import { appendAudit } from '../../store/audit.js';
import { inTransaction } from '../../store/depots.js';
import { enqueueMail, listOutbox } from '../../store/mail/mail-outbox.js';
import { findOrganisationById } from '../../store/organisations.js';
import { ownedOrganisations } from '../../store/payments/organisation-owner.js';
import {
  type CredentialCheck,
  PAYMENT_ENVIRONMENTS,
  type PaymentSettings,
  readPaymentCredentials,
  readPaymentSettings,
  recordCredentialCheck,
  type SettingsActor,
  savePaymentSettings,
} from '../../store/payments/payment-settings.js';
import { ORGANISATION_OWNER, SIGNED_IN } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { viewOf } from '../components/view.js';
import { readForm } from '../form-input.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import { MailPage } from './mail-pages.js';
import { mailTexts } from './mail-texts.js';
import { PaymentChoicePage, type PaymentFormValues, PaymentPage, type PaymentPageProps } from './payment-pages.js';
import { paymentTexts } from './payment-texts.js';

const CLIENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const SECRET = /^[\x21-\x7e]{1,256}$/;
const WEBHOOK_ID = /^[A-Za-z0-9]{0,50}$/;

function actorOf(c: PortalContext): SettingsActor {
  return {
    userId: currentUser(c).id,
    organisationId: c.get('organisationId'),
    nowMs: c.get('deps').clock(),
    address: c.get('address'),
  };
}

const clientsOf = (c: PortalContext) => c.get('deps').payments ?? createPayPalClients();

async function render(
  c: PortalContext,
  extra: Partial<Pick<PaymentPageProps, 'values' | 'errors' | 'notice'>> = {},
  status: 200 | 400 = 200,
) {
  const organisationId = c.get('organisationId');
  const db = c.get('deps').store.db;
  const settings = await readPaymentSettings(db, organisationId);
  const organisation = await findOrganisationById(db, organisationId);
  const publicUrl = clientsOf(c).publicUrl;
  return c.html(
    <PaymentPage
      view={viewOf(c)}
      organisationId={organisationId}
      organisationName={organisation?.name ?? ''}
      settings={settings}
      values={extra.values ?? valuesOf(settings)}
      webhookUrl={publicUrl ? `${publicUrl}/paypal/webhook/${organisationId}` : null}
      errors={extra.errors}
      notice={extra.notice}
    />,
    status,
  );
}

function valuesOf(settings: PaymentSettings | null): PaymentFormValues {
  return {
    clientId: settings?.clientId ?? '',
    environment: settings?.environment ?? 'sandbox',
    webhookId: settings?.webhookId ?? '',
  };
}

/**
 * An organisation's PayPal settings (organisation owners only): client id,
 * secret (sealed, never shown again), sandbox or live, webhook id, and a
 * button that asks PayPal for a token to say whether the credentials work.
 */
export function paymentArea(): PortalArea {
  const area = new PortalArea('');

  // The way in from the navigation: straight to the one organisation owned, or a choice.
  area.get('/payment', SIGNED_IN, async (c) => {
    const owned = await ownedOrganisations(c.get('deps').store.db, currentUser(c).id);
    if (owned.length === 1) return c.redirect(`/organisations/${owned[0]?.id}/payment`, 303);
    return c.html(<PaymentChoicePage view={viewOf(c)} organisations={owned} />);
  });

  area.get('/organisations/:organisationId/payment', ORGANISATION_OWNER, async (c) => {
    const t = paymentTexts[c.get('lang')];
    return render(c, c.req.query('done') === 'saved' ? { notice: { text: t.saved, ok: true } } : {});
  });

  area.post('/organisations/:organisationId/payment', ORGANISATION_OWNER, async (c) => {
    const t = paymentTexts[c.get('lang')];
    const { db } = c.get('deps').store;
    const form = await readForm(c);
    const stored = await readPaymentSettings(db, c.get('organisationId'));
    const clientId = form.raw('clientId');
    if (!CLIENT_ID.test(clientId)) form.fail('clientId', t.badClientId);
    // Read as typed: a secret is not trimmed, and a space in it is an error rather than silently dropped.
    const secretTyped = (await c.req.parseBody()).secret;
    const secret = typeof secretTyped === 'string' && secretTyped !== '' ? secretTyped : null;
    if (secret === null && stored === null) form.fail('secret', t.secretNeeded);
    if (secret !== null && !SECRET.test(secret)) form.fail('secret', t.badSecret);
    const environment = form.choice('environment', PAYMENT_ENVIRONMENTS, t.badEnvironment);
    const webhookId = form.raw('webhookId');
    if (!WEBHOOK_ID.test(webhookId)) form.fail('webhookId', t.badWebhookId);
    if (!form.ok) {
      const values = { clientId: clientId.slice(0, 128), environment, webhookId: webhookId.slice(0, 50) };
      return render(c, { values, errors: form.errors }, 400);
    }
    await savePaymentSettings(db, c.get('deps').sealer, actorOf(c), { clientId, secret, environment, webhookId });
    return c.redirect(`/organisations/${c.get('organisationId')}/payment?done=saved`, 303);
  });

  area.post('/organisations/:organisationId/payment/check', ORGANISATION_OWNER, async (c) => {
    const t = paymentTexts[c.get('lang')];
    const deps = c.get('deps');
    const credentials = await readPaymentCredentials(deps.store.db, deps.sealer, c.get('organisationId'));
    if (!credentials) return render(c, { notice: { text: t.nothingToCheck, ok: false } }, 400);
    let result: CredentialCheck = 'ok';
    let detail = 'token issued';
    try {
      await clientsOf(c).freshClientFor(credentials).accessToken();
    } catch (error) {
      if (!isPayPalError(error)) throw error;
      result = error.failure === 'credentials' ? 'rejected' : 'unreachable';
      detail = error.issue;
      deps.logger.warn(
        { organisationId: c.get('organisationId'), issue: error.issue },
        'PayPal credential check failed',
      );
    }
    await recordCredentialCheck(deps.store.db, actorOf(c), result, detail);
    const text = { ok: t.checkOk(credentials.environment), rejected: t.checkRejected, unreachable: t.checkUnreachable }[
      result
    ];
    return render(c, { notice: { text, ok: result === 'ok' } });
  });
  area.get('/organisations/:organisationId/mail', ORGANISATION_OWNER, async (c) => {
    const notice = c.req.query('done') === 'queued' ? mailTexts[c.get('lang')].testQueued : undefined;
    return renderMail(c, { notice });
  });

  area.post('/organisations/:organisationId/mail/test', ORGANISATION_OWNER, async (c) => {
    const t = mailTexts[c.get('lang')];
    const form = await readForm(c);
    const address = form.text('address', { max: 254, required: true });
    if (form.ok && !MAIL_ADDRESS.test(address)) form.fail('address', t.badAddress);
    if (!form.ok) return renderMail(c, { address, errors: form.errors }, 400);
    const { store, sealer } = c.get('deps');
    const actor = actorOf(c);
    await inTransaction(store.db, async (trx) => {
      await enqueueMail(trx, sealer, {
        organisationId: actor.organisationId,
        purpose: 'test',
        mail: { to: address, subject: t.testSubject, text: t.testBody },
        nowMs: actor.nowMs,
      });
      await appendAudit(trx, {
        atMs: actor.nowMs,
        actor: 'user',
        actorUserId: actor.userId,
        action: 'mail.test',
        organisationId: actor.organisationId,
        subject: 'test mail',
        address: actor.address,
      });
    });
    return c.redirect(`/organisations/${actor.organisationId}/mail?done=queued`, 303);
  });
  return area;
}

/** A plain check: one @, no spaces; the mail server has the last word. */
const MAIL_ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

async function renderMail(
  c: PortalContext,
  extra: { notice?: string; address?: string; errors?: Record<string, string> },
  status: 200 | 400 = 200,
) {
  const organisationId = c.get('organisationId');
  const entries = await listOutbox(c.get('deps').store.db, organisationId);
  return c.html(<MailPage view={viewOf(c)} organisationId={organisationId} entries={entries} {...extra} />, status);
}
