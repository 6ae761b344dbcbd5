import { raw } from 'hono/html';
import type { Passkey } from '../../store/second-factor/passkeys.js';
import type { Factors } from '../../store/second-factor/policy.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { PASSKEY_SCRIPTS, PasskeyForm } from './passkey-forms.js';
import { secondFactorTexts } from './second-factor-texts.js';

const nextQuery = (next: string) => (next === '/' ? '' : `?next=${encodeURIComponent(next)}`);

/** The step after the password: a TOTP code, a passkey, or a recovery code. */
export function VerifyPage(props: {
  view: View;
  factors: Factors;
  next: string;
  errors?: FieldErrors;
  message?: string;
}) {
  const { view, factors } = props;
  const t = secondFactorTexts[view.lang];
  const errors = props.errors ?? {};
  return (
    <Layout view={view} title={t.verifyTitle} scripts={PASSKEY_SCRIPTS}>
      <section class="narrow">
        <h1>{t.verifyTitle}</h1>
        <p>{t.verifyIntro}</p>
        <ErrorSummary view={view} errors={errors} message={props.message} />
        {factors.passkeys > 0 ? (
          <PasskeyForm
            view={view}
            kind="authenticate"
            action="/login/second-factor/passkey"
            options="/login/second-factor/passkey-options"
            button={t.passkeyButton}
            next={props.next}
          />
        ) : null}
        {factors.totp ? (
          <form method="post" action="/login/second-factor/totp">
            <CsrfField view={view} />
            <input type="hidden" name="next" value={props.next} />
            <Field
              name="code"
              label={t.totpLabel}
              hint={t.totpHint}
              errors={errors}
              autocomplete="one-time-code"
              maxLength={10}
              required
            />
            <button type="submit" class="primary">
              {t.totpButton}
            </button>
          </form>
        ) : null}
        <h2>{t.recoveryTitle}</h2>
        <form method="post" action="/login/second-factor/recovery">
          <CsrfField view={view} />
          <input type="hidden" name="next" value={props.next} />
          <Field name="recovery" label={t.recoveryLabel} errors={errors} autocomplete="off" maxLength={40} required />
          <button type="submit">{t.recoveryButton}</button>
        </form>
        <CancelForm view={view} />
      </section>
    </Layout>
  );
}

function CancelForm(props: { view: View }) {
  return (
    <form method="post" action="/login/cancel">
      <CsrfField view={props.view} />
      <button type="submit" class="link">
        {secondFactorTexts[props.view.lang].cancel}
      </button>
    </form>
  );
}

/** Right after the password, for a user whom policy requires to have a second factor and who has none. */
export function EnrolPage(props: { view: View; next: string; message?: string }) {
  const { view } = props;
  const t = secondFactorTexts[view.lang];
  return (
    <Layout view={view} title={t.enrolTitle} scripts={PASSKEY_SCRIPTS}>
      <section class="narrow">
        <h1>{t.enrolTitle}</h1>
        <p>{t.enrolIntro}</p>
        <ErrorSummary view={view} errors={{}} message={props.message} />
        <h2>{t.passkeysTitle}</h2>
        <PasskeyForm
          view={view}
          kind="register"
          action="/account/passkeys"
          options="/account/passkeys/options"
          button={t.passkeyAdd}
          next={props.next}
          withName
        />
        <h2>{t.totpTitle}</h2>
        <form method="post" action={`/account/totp/start${nextQuery(props.next)}`}>
          <CsrfField view={view} />
          <button type="submit" class="primary">
            {t.totpStart}
          </button>
        </form>
        <CancelForm view={view} />
      </section>
    </Layout>
  );
}

/** The QR code and the key of a TOTP enrolment, and the field for its first code. */
export function TotpSetupPage(props: {
  view: View;
  secret: string;
  qrSvg: string;
  next: string;
  errors?: FieldErrors;
  message?: string;
}) {
  const { view } = props;
  const t = secondFactorTexts[view.lang];
  const errors = props.errors ?? {};
  return (
    <Layout view={view} title={t.totpTitle}>
      <section class="narrow">
        <h1>{t.totpTitle}</h1>
        <p>{t.totpScan}</p>
        <ErrorSummary view={view} errors={errors} message={props.message} />
        <div class="qr-code">{raw(props.qrSvg)}</div>
        <p>
          {t.totpSecret}: <code id="totp-secret">{props.secret.match(/.{1,4}/g)?.join(' ')}</code>
        </p>
        <form method="post" action={`/account/totp/confirm${nextQuery(props.next)}`}>
          <CsrfField view={view} />
          <Field name="code" label={t.totpLabel} errors={errors} autocomplete="one-time-code" maxLength={10} required />
          <button type="submit" class="primary">
            {t.totpConfirm}
          </button>
        </form>
      </section>
    </Layout>
  );
}

/** The recovery codes, shown this once. */
export function RecoveryCodesPage(props: { view: View; codes: readonly string[]; next: string; notice?: string }) {
  const { view } = props;
  const t = secondFactorTexts[view.lang];
  return (
    <Layout view={view} title={t.recoveryCodesTitle}>
      <section class="narrow">
        {props.notice ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <h1>{t.recoveryCodesTitle}</h1>
        <p>{t.recoveryCodesIntro}</p>
        <ol id="recovery-codes" class="recovery-codes">
          {props.codes.map((code) => (
            <li>
              <code>{code}</code>
            </li>
          ))}
        </ol>
        <p>
          <a href={props.next} class="button primary">
            {t.recoveryCodesDone}
          </a>
        </p>
      </section>
    </Layout>
  );
}

/** The account page's part: passkeys, the authenticator app, recovery codes. */
export function SecondFactorSection(props: {
  view: View;
  totp: boolean;
  passkeys: readonly Passkey[];
  recoveryCodesLeft: number;
  required: boolean;
  errors?: FieldErrors;
  formatTime: (ms: number) => string;
}) {
  const { view } = props;
  const t = secondFactorTexts[view.lang];
  return (
    <section class="narrow" id="second-factor">
      <h2>{t.sectionTitle}</h2>
      <p>{t.sectionIntro}</p>
      {props.required ? <p class="notice">{t.required}</p> : null}
      <ErrorSummary view={view} errors={props.errors ?? {}} />
      <h3>{t.passkeysTitle}</h3>
      {props.passkeys.length === 0 ? <p class="muted">{t.passkeysNone}</p> : null}
      <ul class="passkeys">
        {props.passkeys.map((p) => (
          <li data-passkey-id={String(p.id)}>
            <form method="post" action="/account/passkeys/rename" class="inline">
              <CsrfField view={view} />
              <input type="hidden" name="passkey" value={String(p.id)} />
              <label for={`passkey-name-${p.id}`} class="visually-hidden">
                {t.passkeyName}
              </label>
              <input id={`passkey-name-${p.id}`} name="name" value={p.name} maxlength={100} required />
              <button type="submit">{t.passkeyRename}</button>
            </form>
            <small class="muted">
              {t.passkeyCreated} {props.formatTime(p.createdAtMs)} · {t.passkeyLastUsed}{' '}
              {p.lastUsedMs === null ? t.never : props.formatTime(p.lastUsedMs)}
            </small>
            <form method="post" action="/account/passkeys/remove" class="inline">
              <CsrfField view={view} />
              <input type="hidden" name="passkey" value={String(p.id)} />
              <button type="submit">{t.passkeyRemove}</button>
            </form>
          </li>
        ))}
      </ul>
      <PasskeyForm
        view={view}
        kind="register"
        action="/account/passkeys"
        options="/account/passkeys/options"
        button={t.passkeyAdd}
        withName
      />
      <h3>{t.totpTitle}</h3>
      <p id="totp-state">{props.totp ? t.totpOn : t.totpOff}</p>
      <form method="post" action={props.totp ? '/account/totp/remove' : '/account/totp/start'}>
        <CsrfField view={view} />
        <button type="submit">{props.totp ? t.totpRemove : t.totpStart}</button>
      </form>
      {props.totp || props.passkeys.length > 0 ? (
        <>
          <h3>{t.recoveryCodesTitle}</h3>
          <p>{t.recoveryCodesLeft(props.recoveryCodesLeft)}</p>
          <form method="post" action="/account/recovery-codes">
            <CsrfField view={view} />
            <button type="submit">{t.recoveryCodesNew}</button>
          </form>
        </>
      ) : null}
    </section>
  );
}
