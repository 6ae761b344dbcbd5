import { type Factors, factorsOf } from '../../store/second-factor/policy.js';
import { useTotpCode } from '../../store/second-factor/totp.js';
import { verifyPassword } from '../../store/users.js';
import { SIGNED_IN } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { Field, type FieldErrors } from '../components/forms.js';
import type { View } from '../components/view.js';
import type { FormInput } from '../form-input.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import {
  ACCOUNT_FREE_FAILURES,
  accountKey,
  clearLoginFailures,
  loginBlockedFor,
  recordLoginFailure,
} from '../security/login-throttle.js';
import { authenticationOptions, verifyAuthentication } from './passkey-ceremony.js';
import { secondFactorTexts } from './second-factor-texts.js';

/*
 * Re-authentication before an action that opens a box or moves money (a remote
 * open, a refund, a payment-settings change): the password, a code from the
 * authenticator app, or a passkey. One helper for all of them, so each action
 * gets the same throttle and the same choices.
 *
 * Use: render <ReauthFields> inside the action's form (with PASSKEY_SCRIPTS on
 * the page), then `const refused = await reauthenticate(c, form)` before
 * acting; on a refusal re-render the form with `form.errors` (and
 * `refused.message`) and `refused.status`.
 */

/** The fields the form carries: `password` (password or TOTP code) and `passkey` (an assertion, set by passkeys.js). */
export const REAUTH_FIELDS = ['password', 'passkey'] as const;

/** Which factors the signed-in user can re-authenticate with (for the fields' labels and the passkey button). */
export function reauthFactors(c: PortalContext): Promise<Factors> {
  return factorsOf(c.get('deps').store.db, currentUser(c).id);
}

export interface ReauthRefusal {
  readonly status: 401 | 429;
  /** A message for the whole form (throttling); a wrong value is in form.errors.password. */
  readonly message?: string;
}

/**
 * Checks the re-authentication of the signed-in user; null when it passed.
 * A six-digit value is tried as a TOTP code (no password is that short);
 * anything else as the password. Failures count like failed logins, so a
 * stolen session is no oracle for the password or the codes.
 */
export async function reauthenticate(c: PortalContext, form: FormInput): Promise<ReauthRefusal | null> {
  const { store, sealer, clock } = c.get('deps');
  const t = secondFactorTexts[c.get('lang')];
  const user = currentUser(c);
  const key = accountKey(user.username);
  const blockedMs = await loginBlockedFor(store.db, [key], clock());
  if (blockedMs > 0) return { status: 429, message: t.throttled(Math.max(1, Math.ceil(blockedMs / 60_000))) };
  const passkeyAnswer = form.raw('passkey');
  const secret = form.password('password');
  let passed: boolean;
  if (passkeyAnswer !== '') {
    delete form.errors.password;
    passed = (await verifyAuthentication(c, 'reauth', user, passkeyAnswer)) !== null;
  } else if (/^\d{6}$/.test(secret.trim())) {
    passed = await useTotpCode(store.db, sealer, { userId: user.id, code: secret, nowMs: clock() });
  } else {
    passed = secret !== '' && (await verifyPassword(store.db, user.username, secret)) !== null;
  }
  if (!passed) {
    if (secret === '' && passkeyAnswer === '') return { status: 401 };
    await recordLoginFailure(store.db, [{ key, freeFailures: ACCOUNT_FREE_FAILURES }], clock());
    if (passkeyAnswer !== '') return { status: 401, message: t.passkeyFailed };
    form.fail('password', (await reauthFactors(c)).totp ? t.wrongReauth : t.wrongPasswordOnly);
    return { status: 401 };
  }
  await clearLoginFailures(store.db, key);
  return null;
}

/** The re-authentication fields of an action's form: one field, and the passkey button if the user has passkeys. */
export function ReauthFields(props: { view: View; factors: Factors; errors?: FieldErrors }) {
  const t = secondFactorTexts[props.view.lang];
  return (
    <>
      <Field
        name="password"
        label={props.factors.totp ? t.reauthPassword : t.reauthPasswordOnly}
        hint={t.reauthHint}
        errors={props.errors}
        type="password"
        autocomplete="current-password"
        required
      />
      {props.factors.passkeys > 0 ? (
        <p>
          <input type="hidden" name="passkey" value="" />
          <button
            type="button"
            data-passkey="authenticate"
            data-options="/account/reauth/passkey-options"
            data-passkey-field="passkey"
            hidden
          >
            {t.reauthPasskey}
          </button>
          <span class="error" data-passkey-error hidden>
            {t.passkeyFailed}
          </span>
        </p>
      ) : null}
    </>
  );
}

/** The passkey options for re-authentication (a challenge bound to the user and to re-authentication). */
export function reauthArea(): PortalArea {
  const area = new PortalArea('/account/reauth');
  area.post('/passkey-options', SIGNED_IN, async (c) =>
    c.json(await authenticationOptions(c, 'reauth', currentUser(c))),
  );
  return area;
}
