import type { OutboxEntry } from '../../store/mail/mail-outbox.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { formatDateTime } from '../i18n/format.js';
import { mailTexts } from './mail-texts.js';

function stateText(view: View, entry: OutboxEntry): string {
  const t = mailTexts[view.lang];
  if (entry.state === 'sent') return t.sent(formatDateTime(view.lang, entry.sentAtMs));
  if (entry.state === 'failed') return t.failed;
  return entry.attempts > 0 ? t.retrying(formatDateTime(view.lang, entry.nextAttemptAtMs)) : t.queued;
}

/** An organisation's outbox for its owner: what each mail was for and what became of it, never to whom or what. */
export function MailPage(props: {
  view: View;
  organisationId: number;
  entries: readonly OutboxEntry[];
  notice?: string;
  address?: string;
  errors?: FieldErrors;
}) {
  const { view, entries } = props;
  const t = mailTexts[view.lang];
  const base = `/organisations/${props.organisationId}`;
  const failed = entries.filter((e) => e.state === 'failed').length;
  const purposes: Record<string, string> = { test: t.purposeTest, 'pin-release': t.purposePinRelease };
  return (
    <Layout view={view} title={t.title}>
      <p>
        <a href={`${base}/payment`}>← {t.settingsLink}</a>
      </p>
      <h1>{t.title}</h1>
      <p>{t.intro}</p>
      {props.notice ? (
        <p class="notice" role="status" id="notice">
          {props.notice}
        </p>
      ) : null}
      {failed > 0 ? (
        <p class="error-summary" role="alert" id="failed-alert">
          {t.failedAlert(failed)}
        </p>
      ) : null}
      {entries.length === 0 ? (
        <p class="muted">{t.none}</p>
      ) : (
        <table id="outbox">
          <thead>
            <tr>
              <th>{t.created}</th>
              <th>{t.purpose}</th>
              <th>{t.state}</th>
              <th>{t.attempts}</th>
              <th>{t.problem}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr class={e.state === 'failed' ? 'alert' : undefined}>
                <td>{formatDateTime(view.lang, e.createdAtMs)}</td>
                <td>{purposes[e.purpose] ?? e.purpose}</td>
                <td>{stateText(view, e)}</td>
                <td>{e.attempts}</td>
                <td>{e.lastError ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t.testTitle}</h2>
      <ErrorSummary view={view} errors={props.errors ?? {}} />
      <form method="post" action={`${base}/mail/test`}>
        <CsrfField view={view} />
        <Field
          name="address"
          label={t.testAddress}
          type="email"
          value={props.address ?? ''}
          errors={props.errors}
          required
          maxLength={254}
        />
        <button type="submit">{t.testSend}</button>
      </form>
    </Layout>
  );
}
