import { OFFLINE_DURATION_HOURS } from '@keydepot/shared';
import type { Depot } from '../../store/depots.js';
import { PIN_KIND_NAMES } from '../../store/portal/pins.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { type CompartmentLabels, kindHint, kindName, PinDigits, pinCompartment, pinsPath } from './pin-components.js';
import { LABEL_MAX, type PinFormValues } from './pin-form.js';
import { pinsTexts } from './pins-texts.js';

/**
 * The one form for every kind of PIN. Each group of fields names the kinds
 * that use it (data-kinds); the style sheet shows only the chosen kind's
 * groups (:has(), no script: the CSP allows none). Without a choice, or in a
 * browser without :has(), every field shows and the server ignores the ones
 * the chosen kind does not use.
 */
export function NewPinPage(props: {
  view: View;
  depot: Depot;
  labels: CompartmentLabels;
  values: PinFormValues;
  errors?: FieldErrors;
  message?: string;
}) {
  const { view, depot, values } = props;
  const t = pinsTexts[view.lang];
  const errors = props.errors ?? {};
  const v = (name: keyof PinFormValues) => values[name] ?? '';
  const dayNames = t.weekdayShort.split(',');
  return (
    <Layout view={view} title={`${t.newPin} · ${depot.name}`}>
      <p>
        <a href={`/depots/${depot.id}`}>{depot.name}</a> · <a href={pinsPath(depot)}>{t.backToList}</a>
      </p>
      <h1>{t.newPin}</h1>
      {depot.online ? null : <p class="notice warn">{t.depotOffline}</p>}
      <ErrorSummary view={view} errors={errors} message={props.message} />
      <form method="post" action={pinsPath(depot)} class="pin-form">
        <CsrfField view={view} />
        <fieldset id="field-kind" class={errors.kind ? 'choices has-error' : 'choices'}>
          <legend>{t.kind}</legend>
          {errors.kind ? <small class="error">{errors.kind}</small> : null}
          {PIN_KIND_NAMES.map((kind) => (
            <label class="choice">
              <input type="radio" name="kind" value={kind} checked={v('kind') === kind} />{' '}
              <strong>{kindName(view.lang, kind)}</strong> <small class="muted">{kindHint(view.lang, kind)}</small>
            </label>
          ))}
        </fieldset>
        <Field name="compartment" label={t.compartment} errors={errors}>
          <select id="field-compartment" name="compartment">
            {Array.from({ length: depot.compartmentCount }, (_, i) => i + 1).map((n) => (
              <option value={String(n)} selected={v('compartment') === String(n)}>
                {pinCompartment(view, props.labels, n)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          name="label"
          label={t.label}
          hint={t.labelHint}
          errors={errors}
          value={v('label')}
          maxLength={LABEL_MAX}
        />
        <p class="muted">{t.timesIn(depot.timeZone)}</p>
        <div class="kind-fields" data-kinds="one-time time-window weekly offline">
          <div class="field-row">
            <Field
              name="from_date"
              label={`${t.from}: ${t.date}`}
              hint={t.fromHint}
              errors={errors}
              type="date"
              value={v('from_date')}
            />
            <Field name="from_time" label={`${t.from}: ${t.time}`} errors={errors} type="time" value={v('from_time')} />
          </div>
        </div>
        <div class="kind-fields" data-kinds="one-time time-window weekly">
          <div class="field-row">
            <Field
              name="until_date"
              label={`${t.until}: ${t.date}`}
              hint={t.untilHint}
              errors={errors}
              type="date"
              value={v('until_date')}
            />
            <Field
              name="until_time"
              label={`${t.until}: ${t.time}`}
              errors={errors}
              type="time"
              value={v('until_time')}
            />
          </div>
        </div>
        <div class="kind-fields" data-kinds="weekly">
          <fieldset id="field-day_1" class={errors.day_1 ? 'choices has-error' : 'choices'}>
            <legend>
              {t.weekdays} ({t.kindWeekly})
            </legend>
            {errors.day_1 ? <small class="error">{errors.day_1}</small> : null}
            {dayNames.map((name, i) => (
              <label class="choice inline">
                <input
                  type="checkbox"
                  name={`day_${i + 1}`}
                  value="on"
                  checked={v(`day_${i + 1}` as keyof PinFormValues) !== ''}
                />{' '}
                {name}
              </label>
            ))}
          </fieldset>
          <div class="field-row">
            <Field name="day_from" label={t.dayFrom} errors={errors} type="time" value={v('day_from')} />
            <Field name="day_until" label={t.dayUntil} errors={errors} type="time" value={v('day_until')} />
          </div>
        </div>
        <div class="kind-fields" data-kinds="offline">
          <Field name="duration" label={t.duration} hint={t.offlineStartHint} errors={errors}>
            <select id="field-duration" name="duration">
              {OFFLINE_DURATION_HOURS.map((hours, code) => (
                <option value={String(code)} selected={v('duration') === String(code)}>
                  {t.hours(hours)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <p>
          <button type="submit" class="primary">
            {t.create}
          </button>
        </p>
      </form>
    </Layout>
  );
}

/** Shown once, as the answer to the POST: the digits are not in any URL and not fetched again by a reload of a GET. */
export function PinCreatedPage(props: {
  view: View;
  depot: Depot;
  labels: CompartmentLabels;
  pinId: number;
  compartment: number;
  digits: string;
  label: string;
  offline: boolean;
}) {
  const { view, depot } = props;
  const t = pinsTexts[view.lang];
  return (
    <Layout view={view} title={`${t.createdTitle} · ${depot.name}`}>
      <h1>{t.createdTitle}</h1>
      <p>
        {t.createdFor(pinCompartment(view, props.labels, props.compartment))}
        {props.label ? <span class="muted"> ({props.label})</span> : null}
      </p>
      <PinDigits digits={props.digits} />
      <p class="notice">{t.shownOnce}</p>
      <p>{props.offline ? t.deliveryOffline : t.deliveryQueued}</p>
      <p>
        <a href={`${pinsPath(depot)}/${props.pinId}`}>{t.toPin}</a> · <a href={`${pinsPath(depot)}/new`}>{t.another}</a>{' '}
        · <a href={pinsPath(depot)}>{t.backToList}</a>
      </p>
    </Layout>
  );
}
