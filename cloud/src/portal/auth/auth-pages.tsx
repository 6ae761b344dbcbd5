import type { Child } from 'hono/jsx';
import { MIN_PASSWORD_LENGTH } from '../../store/users.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { PASSKEY_SCRIPTS, PasskeyForm } from '../second-factor/passkey-forms.js';
import { secondFactorTexts } from '../second-factor/second-factor-texts.js';
import { authTexts } from './auth-texts.js';

export function LoginPage(props: {
  view: View;
  username?: string;
  next?: string;
  message?: string;
  notice?: string;
  errors?: FieldErrors;
}) {
  const t = authTexts[props.view.lang];
  return (
    <Layout view={props.view} title={t.loginTitle} scripts={PASSKEY_SCRIPTS}>
      <section class="narrow">
        <h1>{t.loginTitle}</h1>
        {props.notice ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <ErrorSummary view={props.view} errors={props.errors ?? {}} message={props.message} />
        <form method="post" action="/login">
          <CsrfField view={props.view} />
          <input type="hidden" name="next" value={props.next ?? '/'} />
          <Field
            name="username"
            label={t.username}
            value={props.username}
            required
            maxLength={100}
            autocomplete="username"
            errors={props.errors}
          />
          <Field
            name="password"
            label={t.password}
            type="password"
            required
            autocomplete="current-password"
            errors={props.errors}
          />
          <button type="submit" class="primary">
            {t.loginButton}
          </button>
        </form>
        <PasskeyForm
          view={props.view}
          kind="authenticate"
          action="/login/passkey"
          options="/login/passkey-options"
          button={secondFactorTexts[props.view.lang].passkeyLoginButton}
          next={props.next ?? '/'}
        />
      </section>
    </Layout>
  );
}

export function AccountPage(props: { view: View; errors?: FieldErrors; notice?: string; secondFactor?: Child }) {
  const t = authTexts[props.view.lang];
  const user = props.view.user;
  return (
    <Layout view={props.view} title={t.accountTitle} scripts={PASSKEY_SCRIPTS}>
      <section class="narrow">
        <h1>{t.accountTitle}</h1>
        {user ? <p>{t.signedInAs(`${user.displayName} (${user.username})`)}</p> : null}
        {props.notice ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <h2>{t.changePassword}</h2>
        <ErrorSummary view={props.view} errors={props.errors ?? {}} />
        <form method="post" action="/account/password">
          <CsrfField view={props.view} />
          <Field
            name="current"
            label={t.currentPassword}
            type="password"
            required
            autocomplete="current-password"
            errors={props.errors}
          />
          <Field
            name="password"
            label={t.newPassword}
            type="password"
            required
            autocomplete="new-password"
            hint={t.passwordRules(MIN_PASSWORD_LENGTH)}
            errors={props.errors}
          />
          <Field
            name="repeat"
            label={t.repeatPassword}
            type="password"
            required
            autocomplete="new-password"
            errors={props.errors}
          />
          <button type="submit" class="primary">
            {t.changePassword}
          </button>
        </form>
      </section>
      {props.secondFactor}
    </Layout>
  );
}

export function SetPasswordPage(props: { view: View; token: string; username: string | null; errors?: FieldErrors }) {
  const t = authTexts[props.view.lang];
  return (
    <Layout view={props.view} title={t.setPasswordTitle}>
      <section class="narrow">
        <h1>{t.setPasswordTitle}</h1>
        {props.username === null ? (
          <p class="error-summary" role="alert">
            {t.linkInvalid}
          </p>
        ) : (
          <>
            <p>{t.setPasswordIntro(props.username)}</p>
            <ErrorSummary view={props.view} errors={props.errors ?? {}} />
            <form method="post" action={`/set-password/${props.token}`}>
              <CsrfField view={props.view} />
              <Field
                name="password"
                label={t.newPassword}
                type="password"
                required
                autocomplete="new-password"
                hint={t.passwordRules(MIN_PASSWORD_LENGTH)}
                errors={props.errors}
              />
              <Field
                name="repeat"
                label={t.repeatPassword}
                type="password"
                required
                autocomplete="new-password"
                errors={props.errors}
              />
              <button type="submit" class="primary">
                {t.setPasswordButton}
              </button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}
