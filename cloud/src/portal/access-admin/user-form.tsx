import type { ChangedBy } from '../../store/portal/grants-admin.js';
import { UserExistsError } from '../../store/users.js';
import { Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import type { FormInput } from '../form-input.js';
import { LANGUAGES } from '../i18n/language.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import { accessAdminTexts } from './access-admin-texts.js';

// The parts of "create a user" that the owner's users page and the operator's
// administration share: the fields, reading them, and the page with the
// one-time set-password link.

export interface NewUserValues {
  readonly username: string;
  readonly displayName: string;
  readonly language: 'de' | 'en';
}

/** Reads username, display name and language (messages go into `form`). */
export function readNewUser(form: FormInput, lang: 'de' | 'en'): NewUserValues {
  return {
    username: form.text('username', { max: 100, required: true }),
    displayName: form.text('displayName', { max: 200 }),
    language: form.choice('language', LANGUAGES, accessAdminTexts[lang].badLanguage),
  };
}

/** Turns createUser's refusals into field messages; rethrows anything else. */
export function newUserRefusal(error: unknown, form: FormInput, lang: 'de' | 'en'): void {
  const t = accessAdminTexts[lang];
  if (error instanceof UserExistsError) form.fail('username', t.usernameTaken);
  else if (error instanceof RangeError) form.fail('username', t.badUsername);
  else throw error;
}

export function NewUserFields(props: { view: View; values?: Partial<NewUserValues>; errors?: FieldErrors }) {
  const t = accessAdminTexts[props.view.lang];
  const language = props.values?.language ?? props.view.lang;
  return (
    <>
      <Field
        name="username"
        label={t.username}
        hint={t.usernameHint}
        value={props.values?.username}
        required
        maxLength={100}
        autocomplete="off"
        errors={props.errors}
      />
      <Field
        name="displayName"
        label={t.displayName}
        value={props.values?.displayName}
        maxLength={200}
        autocomplete="off"
        errors={props.errors}
      />
      <Field name="language" label={t.language} errors={props.errors}>
        <select id="field-language" name="language">
          <option value="de" selected={language === 'de'}>
            Deutsch
          </option>
          <option value="en" selected={language === 'en'}>
            English
          </option>
        </select>
      </Field>
    </>
  );
}

/** The signed-in user making a change, for its audit entry. */
export function changedBy(c: PortalContext): ChangedBy {
  return { userId: currentUser(c).id, address: c.get('address'), nowMs: c.get('deps').clock() };
}

/** The set-password link for a new account: absolute, so it can be copied into a message. */
export function passwordLink(c: PortalContext, token: string): string {
  return `${new URL(c.req.url).origin}/set-password/${token}`;
}

/** Shown once after an account was made: the link is not stored anywhere readable. */
export function PasswordLinkPage(props: { view: View; name: string; link: string; back: string }) {
  const t = accessAdminTexts[props.view.lang];
  return (
    <Layout view={props.view} title={t.linkTitle} scripts={['/static/copy.js']}>
      <section class="narrow">
        <h1>{t.linkTitle}</h1>
        <p class="notice" role="status">
          {t.linkIntro(props.name)}
        </p>
        <div class="field">
          <label for="password-link">{t.linkLabel}</label>
          {/* The whole link, wrapped, so it can be read and selected without script; copy.js adds the button. */}
          <textarea id="password-link" class="copy" rows={3} readonly>
            {props.link}
          </textarea>
          <p>
            <button type="button" data-copy="password-link" data-copied={t.copied} hidden>
              {t.copyLink}
            </button>
          </p>
        </div>
        <p>
          <a href={props.back}>{t.backToUsers}</a>
        </p>
      </section>
    </Layout>
  );
}
