import { CsrfField } from '../components/forms.js';
import type { View } from '../components/view.js';
import { secondFactorTexts } from './second-factor-texts.js';

/** The scripts a page with a passkey button needs: the WebAuthn helper library and our driver of it. */
export const PASSKEY_SCRIPTS = ['/static/webauthn.js', '/static/passkeys.js'] as const;

/**
 * A form that runs a passkey ceremony. It stays hidden until passkeys.js has
 * checked the browser can do WebAuthn; the script fetches the options, asks
 * the authenticator, puts its answer into the hidden `response` field and
 * submits the form as usual, so the server answers like to any other form.
 */
export function PasskeyForm(props: {
  view: View;
  kind: 'register' | 'authenticate';
  action: string;
  options: string;
  button: string;
  next?: string;
  withName?: boolean;
}) {
  const t = secondFactorTexts[props.view.lang];
  return (
    <form
      method="post"
      action={props.action}
      class="passkey"
      data-passkey={props.kind}
      data-options={props.options}
      hidden
    >
      <CsrfField view={props.view} />
      {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
      <input type="hidden" name="response" value="" />
      {props.withName ? (
        <div class="field">
          <label for="field-passkey-name">{t.passkeyName}</label>
          <small class="hint">{t.passkeyNameHint}</small>
          <input id="field-passkey-name" name="name" type="text" maxlength={100} value={t.passkeyDefaultName} />
        </div>
      ) : null}
      <button type="submit">{props.button}</button>
      <p class="error" data-passkey-error hidden>
        {t.passkeyFailed}
      </p>
    </form>
  );
}
