import { appendAudit } from '../../store/audit.js';
import { factorsOf } from '../../store/second-factor/policy.js';
import { useRecoveryCode } from '../../store/second-factor/recovery-codes.js';
import { useTotpCode } from '../../store/second-factor/totp.js';
import { findUserById, type User } from '../../store/users.js';
import { ENROL_STEP, PUBLIC, SECOND_FACTOR_STEP } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { LoginPage } from '../auth/auth-pages.js';
import { localPath } from '../auth/local-path.js';
import { viewOf } from '../components/view.js';
import { readForm } from '../form-input.js';
import type { PortalContext } from '../portal-env.js';
import { endSession } from '../session/portal-sessions.js';
import { clearSessionCookie } from '../session/session-middleware.js';
import { codeBlockedMinutes, recordCodeFailure, signIn } from './login-step.js';
import { authenticationOptions, verifyAuthentication } from './passkey-ceremony.js';
import { EnrolPage, VerifyPage } from './second-factor-pages.js';
import { secondFactorTexts } from './second-factor-texts.js';

/** The user of a session at the second-factor step (only behind its guard). */
function pendingUser(c: PortalContext): User {
  const pending = c.get('pending');
  if (!pending) throw new Error('pendingUser() behind a route without the second-factor guard');
  return pending.user;
}

async function verifyPage(
  c: PortalContext,
  next: string,
  extra: { errors?: Record<string, string>; message?: string } = {},
  status: 200 | 400 | 401 | 429 = 200,
) {
  const factors = await factorsOf(c.get('deps').store.db, pendingUser(c).id);
  return c.html(<VerifyPage view={viewOf(c)} factors={factors} next={next} {...extra} />, status);
}

/**
 * The login's second step (a TOTP code, a passkey or a recovery code after
 * the password), the enrolment a policy demands, and username-less login
 * with a passkey alone.
 */
export function loginStepArea(): PortalArea {
  const area = new PortalArea('/login');

  area.get('/second-factor', SECOND_FACTOR_STEP, (c) => verifyPage(c, localPath(c.req.query('next'))));

  area.post('/second-factor/totp', SECOND_FACTOR_STEP, async (c) => {
    const { store, sealer, clock } = c.get('deps');
    const t = secondFactorTexts[c.get('lang')];
    const user = pendingUser(c);
    const form = await readForm(c);
    const next = localPath(form.raw('next'));
    const code = form.text('code', { max: 10, required: true });
    if (!form.ok) return verifyPage(c, next, { errors: form.errors }, 400);
    const minutes = await codeBlockedMinutes(c, user);
    if (minutes > 0) return verifyPage(c, next, { message: t.throttled(minutes) }, 429);
    if (!(await useTotpCode(store.db, sealer, { userId: user.id, code, nowMs: clock() }))) {
      await recordCodeFailure(c, user);
      form.fail('code', t.wrongCode);
      return verifyPage(c, next, { errors: form.errors }, 401);
    }
    await signIn(c, user, 'totp');
    return c.redirect(next, 303);
  });

  area.post('/second-factor/recovery', SECOND_FACTOR_STEP, async (c) => {
    const { store, clock } = c.get('deps');
    const t = secondFactorTexts[c.get('lang')];
    const user = pendingUser(c);
    const form = await readForm(c);
    const next = localPath(form.raw('next'));
    const code = form.text('recovery', { max: 40, required: true });
    if (!form.ok) return verifyPage(c, next, { errors: form.errors }, 400);
    const minutes = await codeBlockedMinutes(c, user);
    if (minutes > 0) return verifyPage(c, next, { message: t.throttled(minutes) }, 429);
    if (!(await useRecoveryCode(store.db, { userId: user.id, code, nowMs: clock() }))) {
      await recordCodeFailure(c, user);
      form.fail('recovery', t.wrongRecoveryCode);
      return verifyPage(c, next, { errors: form.errors }, 401);
    }
    await appendAudit(store.db, {
      atMs: clock(),
      actor: 'user',
      actorUserId: user.id,
      action: 'user.recovery-code-use',
      subject: user.username,
      address: c.get('address'),
    });
    await signIn(c, user, 'recovery-code');
    return c.redirect(next, 303);
  });

  area.post('/second-factor/passkey-options', SECOND_FACTOR_STEP, async (c) =>
    c.json(await authenticationOptions(c, 'verify', pendingUser(c))),
  );

  area.post('/second-factor/passkey', SECOND_FACTOR_STEP, async (c) => {
    const t = secondFactorTexts[c.get('lang')];
    const user = pendingUser(c);
    const form = await readForm(c);
    const next = localPath(form.raw('next'));
    const minutes = await codeBlockedMinutes(c, user);
    if (minutes > 0) return verifyPage(c, next, { message: t.throttled(minutes) }, 429);
    if (!(await verifyAuthentication(c, 'verify', user, form.raw('response')))) {
      await recordCodeFailure(c, user);
      return verifyPage(c, next, { message: t.passkeyFailed }, 401);
    }
    await signIn(c, user, 'passkey');
    return c.redirect(next, 303);
  });

  area.get('/enrol', ENROL_STEP, (c) => c.html(<EnrolPage view={viewOf(c)} next={localPath(c.req.query('next'))} />));

  // Leaves the half-finished login (either step): the session ends, the login form comes back.
  area.post('/cancel', PUBLIC, async (c) => {
    const { store, clock } = c.get('deps');
    const pending = c.get('pending');
    if (pending) {
      await endSession(store.db, pending.session.tokenHash, clock());
      clearSessionCookie(c);
    }
    return c.redirect('/login', 303);
  });

  // Username-less: the authenticator offers this site's passkeys, the one chosen names its user.
  area.post('/passkey-options', PUBLIC, async (c) => c.json(await authenticationOptions(c, 'login', null)));

  area.post('/passkey', PUBLIC, async (c) => {
    const { store } = c.get('deps');
    const t = secondFactorTexts[c.get('lang')];
    const form = await readForm(c);
    const next = localPath(form.raw('next'));
    const response = form.raw('response');
    // No answer at all: the browser could not run the ceremony (no script, no WebAuthn).
    if (response === '') return c.html(<LoginPage view={viewOf(c)} next={next} message={t.passkeyFailed} />, 400);
    const passkey = await verifyAuthentication(c, 'login', null, response);
    const user = passkey ? await findUserById(store.db, passkey.userId) : null;
    if (!user || user.disabledAtMs !== null) {
      return c.html(<LoginPage view={viewOf(c)} next={next} message={t.passkeyFailed} />, 401);
    }
    await signIn(c, user, 'passkey');
    return c.redirect(next, 303);
  });

  return area;
}
