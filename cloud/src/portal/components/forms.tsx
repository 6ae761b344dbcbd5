import type { Child } from 'hono/jsx';
import { commonTexts } from '../i18n/common-texts.js';
import { CSRF_FIELD } from '../security/csrf.js';
import type { View } from './view.js';

/** Field name → message, for a form shown again after bad input. */
export type FieldErrors = Readonly<Record<string, string>>;

/** The hidden token every POST form carries (security/csrf.ts). */
export function CsrfField(props: { view: View }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.view.csrfToken} />;
}

/** A summary at the top of a form that came back with errors (linked to each field, WCAG 3.3.1). */
export function ErrorSummary(props: { view: View; errors: FieldErrors; message?: string }) {
  const names = Object.keys(props.errors);
  if (names.length === 0 && !props.message) return null;
  return (
    <div class="error-summary" role="alert">
      <p>{props.message ?? commonTexts[props.view.lang].formHasErrors}</p>
      {names.length > 0 ? (
        <ul>
          {names.map((name) => (
            <li>
              <a href={`#field-${name}`}>{props.errors[name]}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A labelled input with its error message right under the label. */
export function Field(props: {
  name: string;
  label: string;
  errors?: FieldErrors;
  value?: string;
  type?: string;
  required?: boolean;
  maxLength?: number;
  autocomplete?: string;
  hint?: string;
  children?: Child;
}) {
  const error = props.errors?.[props.name];
  const id = `field-${props.name}`;
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint ? <small class="hint">{props.hint}</small> : null}
      {error ? (
        <small class="error" id={`${id}-error`}>
          {error}
        </small>
      ) : null}
      {props.children ?? (
        <input
          id={id}
          name={props.name}
          type={props.type ?? 'text'}
          value={props.value ?? ''}
          required={props.required}
          maxlength={props.maxLength}
          autocomplete={props.autocomplete}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
      )}
    </div>
  );
}
