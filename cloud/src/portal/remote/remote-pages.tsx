import { CommandKind } from '@keydepot/shared';
import type { Depot } from '../../store/depots.js';
import type { CommandView } from '../../store/portal/command-view.js';
import type { Factors } from '../../store/second-factor/policy.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { compartmentName } from '../depot/depot-components.js';
import { commandName, commandStateName, commandStateTone } from '../depot/event-texts.js';
import { pinWords } from '../depot/movement-subject.js';
import { formatDateTime } from '../i18n/format.js';
import { PASSKEY_SCRIPTS } from '../second-factor/passkey-forms.js';
import { ReauthFields } from '../second-factor/reauthenticate.js';
import { remoteTexts } from './remote-texts.js';

export interface LockoutView {
  readonly untilMs: number;
  readonly failedAttempts: number;
  readonly reportedAtMs: number;
}

/** Remote open (with the password again) and the keypad lockout with its reset. */
export function OpenPage(props: {
  view: View;
  depot: Depot;
  labels: ReadonlyMap<number, string>;
  lockout: LockoutView | null;
  /** The user's second factors: re-authentication may use them instead of the password. */
  factors: Factors;
  compartment?: string;
  errors?: FieldErrors;
  message?: string;
}) {
  const { view, depot } = props;
  const t = remoteTexts[view.lang];
  const errors = props.errors ?? {};
  const at = (ms: number) => formatDateTime(view.lang, ms, depot.timeZone);
  const lockout = props.lockout;
  return (
    <Layout view={view} title={`${t.openTitle} · ${depot.name}`} scripts={PASSKEY_SCRIPTS}>
      <p>
        <a href={`/depots/${depot.id}`}>{depot.name}</a>
      </p>
      <h1>{t.openTitle}</h1>
      <p>{t.openIntro}</p>
      {depot.online ? null : <p class="notice warn">{t.depotOffline}</p>}
      <ErrorSummary view={view} errors={errors} message={props.message} />
      <form method="post" action={`/depots/${depot.id}/open`} class="narrow">
        <CsrfField view={view} />
        <Field name="compartment" label={t.compartment} errors={errors}>
          <select id="field-compartment" name="compartment">
            {Array.from({ length: depot.compartmentCount }, (_, i) => i + 1).map((n) => (
              <option value={String(n)} selected={props.compartment === String(n)}>
                {compartmentName(view, n, props.labels.get(n))}
              </option>
            ))}
          </select>
        </Field>
        <ReauthFields view={view} factors={props.factors} errors={errors} />
        <p>
          <button type="submit" class="primary">
            {t.openButton}
          </button>
        </p>
      </form>
      <h2>{t.lockoutTitle}</h2>
      <p class="muted">{t.lockoutIntro}</p>
      {lockout === null ? (
        <p>{t.noStatus}</p>
      ) : (
        <p data-lockout-until={String(lockout.untilMs)}>
          {lockout.untilMs > view.nowMs ? (
            <span class="badge bad">{t.lockedUntil(at(lockout.untilMs))}</span>
          ) : (
            <span class="badge ok">{t.notLocked}</span>
          )}{' '}
          {t.failedAttempts(lockout.failedAttempts)}{' '}
          <small class="muted">{t.reportedAt(at(lockout.reportedAtMs))}</small>
        </p>
      )}
      <form method="post" action={`/depots/${depot.id}/lockout-reset`}>
        <CsrfField view={view} />
        <button type="submit">{t.resetButton}</button>
      </form>
    </Layout>
  );
}

function outcome(view: View, command: CommandView): string | null {
  const t = remoteTexts[view.lang];
  const open = command.kind === CommandKind.Open;
  switch (command.state) {
    case 'applied':
      return open ? t.openApplied : t.applied;
    case 'expired':
      return open ? t.openExpired : t.refused;
    case 'failed':
    case 'rejected':
      return t.refused;
    default:
      return null;
  }
}

/** One command's way to the depot and the depot's answer; refreshes itself while it is on its way. */
export function CommandPage(props: { view: View; depot: Depot; command: CommandView }) {
  const { view, depot, command } = props;
  const t = remoteTexts[view.lang];
  const at = (ms: number | null) => formatDateTime(view.lang, ms, depot.timeZone);
  const result = outcome(view, command);
  return (
    <Layout view={view} title={`${t.commandTitle(command.id)} · ${depot.name}`}>
      <p>
        <a href={`/depots/${depot.id}`}>{t.backToDepot}</a>
      </p>
      <h1>
        {commandName(view.lang, command.kind)}
        {command.compartment > 0 ? ` · ${compartmentName(view, command.compartment)}` : ''}
      </h1>
      <p class="command-state" data-state={command.state} aria-live="polite">
        <span class={`badge ${commandStateTone(command.state)}`}>{commandStateName(view.lang, command.state)}</span>{' '}
        {result ?? <span class="muted">{t.refreshing}</span>}
      </p>
      <dl class="facts">
        <dt>{t.kind}</dt>
        <dd>{t.commandTitle(command.id)}</dd>
        <dt>{t.queuedAt}</dt>
        <dd>
          {at(command.createdAtMs)}
          {command.createdBy ? ` · ${command.createdBy}` : ''}
        </dd>
        {command.notAfterMs ? (
          <>
            <dt>{t.validUntil}</dt>
            <dd>{at(command.notAfterMs)}</dd>
          </>
        ) : null}
        <dt>{t.sentAt}</dt>
        <dd>{at(command.sentAtMs)}</dd>
        <dt>{t.finishedAt}</dt>
        <dd>{at(command.finishedAtMs)}</dd>
        {command.detail ? (
          <>
            <dt>{t.result}</dt>
            <dd>{command.detail}</dd>
          </>
        ) : null}
      </dl>
      {command.pin ? (
        <p>
          <a href={`/depots/${depot.id}/pins/${command.pin.id}`}>{pinWords(view.lang, command.pin)}</a>
        </p>
      ) : null}
    </Layout>
  );
}
