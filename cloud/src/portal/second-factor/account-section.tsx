import { passkeysOf } from '../../store/second-factor/passkeys.js';
import { secondFactorRequired } from '../../store/second-factor/policy.js';
import { recoveryCodesLeft } from '../../store/second-factor/recovery-codes.js';
import { hasTotp } from '../../store/second-factor/totp.js';
import { viewOf } from '../components/view.js';
import { formatDateTime } from '../i18n/format.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import { SecondFactorSection } from './second-factor-pages.js';
import { secondFactorTexts } from './second-factor-texts.js';

/** The account page's second-factor part for the signed-in user. */
export async function accountSecondFactor(c: PortalContext, errors?: Record<string, string>) {
  const db = c.get('deps').store.db;
  const user = currentUser(c);
  const lang = c.get('lang');
  return (
    <SecondFactorSection
      view={viewOf(c)}
      totp={await hasTotp(db, user.id)}
      passkeys={await passkeysOf(db, user.id)}
      recoveryCodesLeft={await recoveryCodesLeft(db, user.id)}
      required={await secondFactorRequired(db, user)}
      errors={errors}
      formatTime={(ms) => formatDateTime(lang, ms, 'Europe/Berlin')}
    />
  );
}

const NOTICES = {
  'totp-removed': 'totpRemoved',
  'passkey-added': 'passkeyAdded',
  'passkey-renamed': 'passkeyRenamed',
  'passkey-removed': 'passkeyRemoved',
  'totp-enabled': 'totpEnabled',
} as const;

/** The message after a second-factor change (`?done=` on the account page). */
export function accountNotice(c: PortalContext): string | undefined {
  const done = c.req.query('done');
  const key = done && Object.hasOwn(NOTICES, done) ? NOTICES[done as keyof typeof NOTICES] : undefined;
  return key ? secondFactorTexts[c.get('lang')][key] : undefined;
}
