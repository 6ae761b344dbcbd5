import { setCookie } from 'hono/cookie';
import { appendAudit } from '../../store/audit.js';
import { findUserById, MIN_PASSWORD_LENGTH, setPassword, setUserLanguage, verifyPassword } from '../../store/users.js';
import { PUBLIC, SIGNED_IN } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { viewOf } from '../components/view.js';
import { type FormInput, readForm } from '../form-input.js';
import { isLanguage } from '../i18n/language.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import { accountNotice, accountSecondFactor } from '../second-factor/account-section.js';
import { afterPassword } from '../second-factor/login-step.js';
import {
  ACCOUNT_FREE_FAILURES,
  ADDRESS_FREE_FAILURES,
  accountKey,
  addressKey,
  loginBlockedFor,
  recordLoginFailure,
} from '../security/login-throttle.js';
import { consumePasswordToken, passwordTokenUser } from '../session/password-tokens.js';
import { endSession, endSessionsOf, startSession } from '../session/portal-sessions.js';
import { clearSessionCookie, setSessionCookie } from '../session/session-middleware.js';
import { AccountPage, LoginPage, SetPasswordPage } from './auth-pages.js';
import { authTexts } from './auth-texts.js';
import { localPath } from './local-path.js';

/** Cookie with the language chosen before login. */
export const LANGUAGE_COOKIE = 'kd-lang';

export { localPath } from './local-path.js';

/** Login, logout, language, own account and set-password links. */
export function authArea(): PortalArea {
  const area = new PortalArea('');

  area.get('/login', PUBLIC, (c) => {
    if (c.get('user')) return c.redirect('/', 303);
    const notice = c.req.query('done') === 'logout' ? authTexts[c.get('lang')].loggedOut : undefined;
    return c.html(<LoginPage view={viewOf(c)} next={localPath(c.req.query('next'))} notice={notice} />);
  });

  area.post('/login', PUBLIC, async (c) => {
    const { store, clock } = c.get('deps');
    const t = authTexts[c.get('lang')];
    const form = await readForm(c);
    const username = form.text('username', { max: 100, required: true });
    const password = form.password('password');
    const next = localPath(form.raw('next'));
    const again = (status: 400 | 401 | 429, message?: string) =>
      c.html(
        <LoginPage view={viewOf(c)} username={username} next={next} errors={form.errors} message={message} />,
        status,
      );
    if (!form.ok) return again(400);
    const keys = [accountKey(username), addressKey(c.get('address'))];
    const blockedMs = await loginBlockedFor(store.db, keys, clock());
    if (blockedMs > 0) return again(429, t.throttled(Math.max(1, Math.ceil(blockedMs / 60_000))));
    const user = await verifyPassword(store.db, username, password);
    if (!user) {
      await recordLoginFailure(
        store.db,
        [
          { key: keys[0] as string, freeFailures: ACCOUNT_FREE_FAILURES },
          { key: keys[1] as string, freeFailures: ADDRESS_FREE_FAILURES },
        ],
        clock(),
      );
      return again(401, t.wrongLogin);
    }
    // A fresh token at every step of a login: a token planted before login (fixation) never becomes a session.
    return afterPassword(c, user, next);
  });

  area.post('/logout', SIGNED_IN, async (c) => {
    const { store, clock } = c.get('deps');
    const user = currentUser(c);
    const session = c.get('session');
    if (session) await endSession(store.db, session.tokenHash, clock());
    clearSessionCookie(c);
    await appendAudit(store.db, {
      atMs: clock(),
      actor: 'user',
      actorUserId: user.id,
      action: 'user.logout',
      subject: user.username,
      address: c.get('address'),
    });
    return c.redirect('/login?done=logout', 303);
  });

  area.post('/language', PUBLIC, async (c) => {
    const form = await readForm(c);
    const language = form.raw('language');
    if (isLanguage(language)) {
      setCookie(c, LANGUAGE_COOKIE, language, { path: '/', sameSite: 'Lax', secure: true, maxAge: 365 * 86_400 });
      const user = c.get('user');
      if (user) await setUserLanguage(c.get('deps').store.db, user.id, language);
    }
    return c.redirect(localPath(form.raw('next')), 303);
  });

  area.get('/account', SIGNED_IN, async (c) => {
    const notice = c.req.query('done') === 'password' ? authTexts[c.get('lang')].passwordChanged : undefined;
    return c.html(
      <AccountPage view={viewOf(c)} notice={notice ?? accountNotice(c)} secondFactor={await accountSecondFactor(c)} />,
    );
  });

  area.post('/account/password', SIGNED_IN, async (c) => {
    const { store, clock } = c.get('deps');
    const t = authTexts[c.get('lang')];
    const user = currentUser(c);
    const form = await readForm(c);
    const current = form.password('current');
    const password = checkNewPassword(form, c);
    if (form.ok && !(await verifyPassword(store.db, user.username, current)))
      form.fail('current', t.currentPasswordWrong);
    if (!form.ok) {
      return c.html(
        <AccountPage view={viewOf(c)} errors={form.errors} secondFactor={await accountSecondFactor(c)} />,
        400,
      );
    }
    await setPassword(store.db, user.id, password);
    // Every other session ends; this one is replaced by a new token.
    await endSessionsOf(store.db, user.id, clock());
    const { token } = await startSession(store.db, { userId: user.id, nowMs: clock(), address: c.get('address') });
    setSessionCookie(c, token);
    await appendAudit(store.db, {
      atMs: clock(),
      actor: 'user',
      actorUserId: user.id,
      action: 'user.password-change',
      subject: user.username,
      address: c.get('address'),
    });
    return c.redirect('/account?done=password', 303);
  });

  area.get('/set-password/:token', PUBLIC, async (c) => {
    const token = c.req.param('token') ?? '';
    const username = await tokenUsername(c, token);
    return c.html(<SetPasswordPage view={viewOf(c)} token={token} username={username} />, username ? 200 : 404);
  });

  area.post('/set-password/:token', PUBLIC, async (c) => {
    const { store, clock } = c.get('deps');
    const token = c.req.param('token') ?? '';
    const username = await tokenUsername(c, token);
    if (username === null) return c.html(<SetPasswordPage view={viewOf(c)} token={token} username={null} />, 404);
    const form = await readForm(c);
    const password = checkNewPassword(form, c);
    if (!form.ok) {
      return c.html(<SetPasswordPage view={viewOf(c)} token={token} username={username} errors={form.errors} />, 400);
    }
    const userId = await passwordTokenUser(store.db, token, clock());
    if (userId === null || !(await consumePasswordToken(store.db, token, clock()))) {
      return c.html(<SetPasswordPage view={viewOf(c)} token={token} username={null} />, 404);
    }
    await setPassword(store.db, userId, password);
    await endSessionsOf(store.db, userId, clock());
    await appendAudit(store.db, {
      atMs: clock(),
      actor: 'user',
      actorUserId: userId,
      action: 'user.password-set',
      subject: username,
      address: c.get('address'),
    });
    return c.html(<LoginPage view={viewOf(c)} username={username} notice={authTexts[c.get('lang')].passwordSet} />);
  });

  return area;
}

function checkNewPassword(form: FormInput, c: PortalContext): string {
  const t = authTexts[c.get('lang')];
  const password = form.password('password');
  const repeat = form.password('repeat');
  if (password !== '' && password.length < MIN_PASSWORD_LENGTH)
    form.fail('password', t.passwordTooShort(MIN_PASSWORD_LENGTH));
  else if (password !== repeat) form.fail('repeat', t.passwordsDiffer);
  return password;
}

async function tokenUsername(c: PortalContext, token: string): Promise<string | null> {
  const { store, clock } = c.get('deps');
  const userId = await passwordTokenUser(store.db, token, clock());
  const user = userId === null ? null : await findUserById(store.db, userId);
  return user && user.disabledAtMs === null ? user.username : null;
}
