import { appendAudit } from '../../store/audit.js';
import {
  addPasskey,
  PASSKEY_NAME_MAX,
  passkeysOf,
  removePasskey,
  renamePasskey,
} from '../../store/second-factor/passkeys.js';
import { factorsOf, secondFactorRequired } from '../../store/second-factor/policy.js';
import { recoveryCodesLeft, replaceRecoveryCodes } from '../../store/second-factor/recovery-codes.js';
import { findTotp, removeTotp, startTotpEnrolment, totpUri, useTotpCode } from '../../store/second-factor/totp.js';
import type { User } from '../../store/users.js';
import { ENROLLING, parseId, SIGNED_IN } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { AccountPage } from '../auth/auth-pages.js';
import { localPath } from '../auth/local-path.js';
import { viewOf } from '../components/view.js';
import { type FormInput, readForm } from '../form-input.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import { accountSecondFactor } from './account-section.js';
import { signIn } from './login-step.js';
import { registrationOptions, verifyRegistration } from './passkey-ceremony.js';
import { qrCodeSvg } from './qr-code.js';
import { EnrolPage, RecoveryCodesPage, TotpSetupPage } from './second-factor-pages.js';
import { secondFactorTexts } from './second-factor-texts.js';

/** The user adding a factor: signed in, or owing an enrolment right after the password (ENROLLING guard). */
function enrollingUser(c: PortalContext): User {
  const user = c.get('user') ?? c.get('pending')?.user;
  if (!user) throw new Error('enrollingUser() behind a route without the enrolling guard');
  return user;
}

async function audit(c: PortalContext, user: User, action: string, extra: { before?: unknown; after?: unknown } = {}) {
  const { store, clock } = c.get('deps');
  await appendAudit(store.db, {
    atMs: clock(),
    actor: 'user',
    actorUserId: user.id,
    action,
    subject: user.username,
    address: c.get('address'),
    ...extra,
  });
}

/**
 * A factor was added. A session that owed the enrolment is now signed in;
 * a user without recovery codes gets their ten, shown on this one page.
 */
async function afterEnrolment(c: PortalContext, user: User, next: string, notice: string, done: string) {
  const { store, clock } = c.get('deps');
  if (c.get('pending')) await signIn(c, user, 'enrolment');
  if ((await recoveryCodesLeft(store.db, user.id)) === 0) {
    const codes = await replaceRecoveryCodes(store.db, { userId: user.id, nowMs: clock() });
    await audit(c, user, 'user.recovery-codes');
    const target = next === '/' ? '/account' : next;
    return c.html(<RecoveryCodesPage view={viewOf(c)} codes={codes} next={target} notice={notice} />);
  }
  return c.redirect(next === '/' ? `/account?done=${done}` : next, 303);
}

/** Refuses to remove the last factor of a user who must have one. */
async function keepsAFactor(c: PortalContext, user: User, removing: 'totp' | 'passkey'): Promise<boolean> {
  const db = c.get('deps').store.db;
  const factors = await factorsOf(db, user.id);
  const left = (removing === 'totp' ? 0 : factors.totp ? 1 : 0) + factors.passkeys - (removing === 'passkey' ? 1 : 0);
  return left > 0 || !(await secondFactorRequired(db, user));
}

async function accountWithError(c: PortalContext, field: string, message: string, status: 400 | 404) {
  const errors = { [field]: message };
  return c.html(<AccountPage view={viewOf(c)} secondFactor={await accountSecondFactor(c, errors)} />, status);
}

function passkeyName(form: FormInput, c: PortalContext): string {
  return form.text('name', { max: PASSKEY_NAME_MAX }) || secondFactorTexts[c.get('lang')].passkeyDefaultName;
}

/** Adding, naming and removing second factors, and new recovery codes. */
export function accountSecondFactorArea(): PortalArea {
  const area = new PortalArea('/account');

  area.post('/totp/start', ENROLLING, async (c) => {
    const { store, sealer, clock } = c.get('deps');
    const user = enrollingUser(c);
    await startTotpEnrolment(store.db, sealer, { userId: user.id, nowMs: clock() });
    const next = localPath(c.req.query('next'));
    return c.redirect(next === '/' ? '/account/totp' : `/account/totp?next=${encodeURIComponent(next)}`, 303);
  });

  const setupPage = async (
    c: PortalContext,
    extra: { errors?: Record<string, string> } = {},
    status: 200 | 400 | 401 = 200,
  ) => {
    const { store, sealer } = c.get('deps');
    const user = enrollingUser(c);
    const factor = await findTotp(store.db, sealer, user.id);
    // Nothing to confirm (never started, or on already): back to where factors are listed.
    if (!factor || factor.confirmedAtMs !== null) return c.redirect(c.get('user') ? '/account' : '/login/enrol', 303);
    const svg = await qrCodeSvg(totpUri(factor.secret, user.username));
    const next = localPath(c.req.query('next'));
    return c.html(<TotpSetupPage view={viewOf(c)} secret={factor.secret} qrSvg={svg} next={next} {...extra} />, status);
  };

  area.get('/totp', ENROLLING, (c) => setupPage(c));

  area.post('/totp/confirm', ENROLLING, async (c) => {
    const { store, sealer, clock } = c.get('deps');
    const t = secondFactorTexts[c.get('lang')];
    const user = enrollingUser(c);
    const form = await readForm(c);
    const code = form.text('code', { max: 10, required: true });
    if (!form.ok) return setupPage(c, { errors: form.errors }, 400);
    if (!(await useTotpCode(store.db, sealer, { userId: user.id, code, nowMs: clock(), confirm: true }))) {
      form.fail('code', t.wrongCode);
      return setupPage(c, { errors: form.errors }, 400);
    }
    await audit(c, user, 'user.totp-enrol');
    return afterEnrolment(c, user, localPath(c.req.query('next')), t.totpEnabled, 'totp-enabled');
  });

  area.post('/totp/remove', SIGNED_IN, async (c) => {
    const { store } = c.get('deps');
    const t = secondFactorTexts[c.get('lang')];
    const user = currentUser(c);
    if (!(await keepsAFactor(c, user, 'totp'))) return accountWithError(c, 'totp', t.lastFactor, 400);
    if (await removeTotp(store.db, user.id)) await audit(c, user, 'user.totp-remove');
    return c.redirect('/account?done=totp-removed', 303);
  });

  area.post('/recovery-codes', SIGNED_IN, async (c) => {
    const { store, clock } = c.get('deps');
    const user = currentUser(c);
    const codes = await replaceRecoveryCodes(store.db, { userId: user.id, nowMs: clock() });
    await audit(c, user, 'user.recovery-codes');
    return c.html(<RecoveryCodesPage view={viewOf(c)} codes={codes} next="/account" />);
  });

  area.post('/passkeys/options', ENROLLING, async (c) => c.json(await registrationOptions(c, enrollingUser(c))));

  area.post('/passkeys', ENROLLING, async (c) => {
    const { store, clock } = c.get('deps');
    const t = secondFactorTexts[c.get('lang')];
    const user = enrollingUser(c);
    const form = await readForm(c);
    const name = passkeyName(form, c);
    const next = localPath(form.raw('next'));
    const credential = await verifyRegistration(c, user, form.raw('response'));
    if (!credential) {
      if (!c.get('user')) {
        return c.html(<EnrolPage view={viewOf(c)} next={next} message={t.passkeyFailed} />, 400);
      }
      return accountWithError(c, 'passkey', t.passkeyFailed, 400);
    }
    await addPasskey(store.db, {
      userId: user.id,
      credentialId: credential.id,
      publicKey: credential.publicKey,
      signCount: credential.counter,
      transports: credential.transports,
      name,
      nowMs: clock(),
    });
    await audit(c, user, 'user.passkey-add', { after: { name } });
    return afterEnrolment(c, user, next, t.passkeyAdded, 'passkey-added');
  });

  area.post('/passkeys/rename', SIGNED_IN, async (c) => {
    const t = secondFactorTexts[c.get('lang')];
    const user = currentUser(c);
    const form = await readForm(c);
    const id = parseId(form.raw('passkey'));
    const name = form.text('name', { max: PASSKEY_NAME_MAX, required: true });
    if (!form.ok) return accountWithError(c, 'name', Object.values(form.errors)[0] as string, 400);
    if (id === null) return accountWithError(c, 'passkey', t.notFound, 400);
    const before = await renamePasskey(c.get('deps').store.db, { userId: user.id, id, name });
    if (before === null) return accountWithError(c, 'passkey', t.notFound, 404);
    await audit(c, user, 'user.passkey-rename', { before: { name: before }, after: { name } });
    return c.redirect('/account?done=passkey-renamed', 303);
  });

  area.post('/passkeys/remove', SIGNED_IN, async (c) => {
    const { store, clock } = c.get('deps');
    const t = secondFactorTexts[c.get('lang')];
    const user = currentUser(c);
    const form = await readForm(c);
    const id = parseId(form.raw('passkey'));
    if (id === null) return accountWithError(c, 'passkey', t.notFound, 400);
    const own = (await passkeysOf(store.db, user.id)).find((p) => p.id === id)?.id;
    if (own === undefined) return accountWithError(c, 'passkey', t.notFound, 404);
    if (!(await keepsAFactor(c, user, 'passkey'))) return accountWithError(c, 'passkey', t.lastFactor, 400);
    const name = await removePasskey(store.db, { userId: user.id, id: own, nowMs: clock() });
    if (name !== null) await audit(c, user, 'user.passkey-remove', { before: { name } });
    return c.redirect('/account?done=passkey-removed', 303);
  });

  return area;
}
