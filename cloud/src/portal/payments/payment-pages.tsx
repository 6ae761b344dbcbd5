import type { PaymentSettings } from '../../store/payments/payment-settings.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { formatDateTime } from '../i18n/format.js';
import { mailTexts } from './mail-texts.js';
import { paymentTexts } from './payment-texts.js';

/** What the form shows: the stored values, or what was typed when it comes back with errors (never a secret). */
export interface PaymentFormValues {
  readonly clientId: string;
  readonly environment: string;
  readonly webhookId: string;
}

export interface PaymentPageProps {
  readonly view: View;
  readonly organisationId: number;
  readonly organisationName: string;
  readonly settings: PaymentSettings | null;
  readonly values: PaymentFormValues;
  /** Where PayPal should send webhooks, when the portal knows its public address. */
  readonly webhookUrl: string | null;
  readonly errors?: FieldErrors;
  /** A sentence after a save or a check; `ok` false shows it as a problem. */
  readonly notice?: { readonly text: string; readonly ok: boolean };
}

function CheckStatus(props: { view: View; settings: PaymentSettings }) {
  const t = paymentTexts[props.view.lang];
  const { settings } = props;
  if (settings.checkResult === null || settings.checkedAtMs === null) return <p class="muted">{t.notChecked}</p>;
  const result = { ok: t.resultOk, rejected: t.resultRejected, unreachable: t.resultUnreachable }[settings.checkResult];
  return <p id="last-check">{t.lastCheck(formatDateTime(props.view.lang, settings.checkedAtMs), result)}</p>;
}

/** An organisation owner's PayPal credentials: the form (POSTs to itself) and the "check credentials" button. */
export function PaymentPage(props: PaymentPageProps) {
  const { view, settings, values } = props;
  const t = paymentTexts[view.lang];
  const errors = props.errors ?? {};
  const base = `/organisations/${props.organisationId}/payment`;
  return (
    <Layout view={view} title={t.title}>
      <h1>{t.title}</h1>
      <p class="muted">{props.organisationName}</p>
      <p>{t.intro}</p>
      {props.notice ? (
        <p class={props.notice.ok ? 'notice' : 'error-summary'} role={props.notice.ok ? 'status' : 'alert'} id="notice">
          {props.notice.text}
        </p>
      ) : null}
      <p id="secret-state">{settings ? t.secretSet(settings.secretHint) : t.notSetUp}</p>
      <ErrorSummary view={view} errors={errors} />
      <form method="post" action={base} class="settings" autocomplete="off">
        <CsrfField view={view} />
        <Field name="clientId" label={t.clientId} value={values.clientId} errors={errors} required maxLength={128} />
        <Field
          name="secret"
          label={t.secret}
          type="password"
          value=""
          errors={errors}
          required={settings === null}
          maxLength={256}
          autocomplete="new-password"
          hint={settings ? t.secretHintKeep : t.secretHintNew}
        />
        <Field name="environment" label={t.environment} errors={errors}>
          <select id="field-environment" name="environment">
            <option value="sandbox" selected={values.environment !== 'live'}>
              {t.sandbox}
            </option>
            <option value="live" selected={values.environment === 'live'}>
              {t.live}
            </option>
          </select>
        </Field>
        <Field
          name="webhookId"
          label={t.webhookId}
          value={values.webhookId}
          errors={errors}
          maxLength={50}
          hint={props.webhookUrl ? t.webhookHint(props.webhookUrl) : t.webhookHintNoUrl}
        />
        <button type="submit" class="primary">
          {t.save}
        </button>
      </form>
      {settings ? (
        <section>
          <h2>{t.check}</h2>
          <CheckStatus view={view} settings={settings} />
          <form method="post" action={`${base}/check`}>
            <CsrfField view={view} />
            <p class="hint muted">{t.checkHint}</p>
            <button type="submit">{t.check}</button>
          </form>
        </section>
      ) : null}
      <p>
        <a href={`/organisations/${props.organisationId}/mail`}>{mailTexts[view.lang].mailLink} →</a>
      </p>
    </Layout>
  );
}

/** The organisations a user owns, each linking to its payment settings. */
export function PaymentChoicePage(props: { view: View; organisations: readonly { id: number; name: string }[] }) {
  const t = paymentTexts[props.view.lang];
  return (
    <Layout view={props.view} title={t.title}>
      <h1>{t.title}</h1>
      {props.organisations.length === 0 ? (
        <p>{t.noneOwned}</p>
      ) : (
        <>
          <h2>{t.choose}</h2>
          <ul>
            {props.organisations.map((o) => (
              <li>
                <a href={`/organisations/${o.id}/payment`}>{o.name}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </Layout>
  );
}
