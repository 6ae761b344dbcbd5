import type { Depot } from '../../store/depots.js';
import type { CompartmentState } from '../../store/portal/dashboard.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { commonTexts } from '../i18n/common-texts.js';
import { depotTexts } from './depot-texts.js';
import { COMMON_ZONES, zoneGroups, zoneLabel } from './time-zones.js';

/** What the form shows: the stored values, or what was typed when it comes back with errors. */
export interface SettingsValues {
  readonly name: string;
  readonly address: string;
  readonly timeZone: string;
  readonly labels: ReadonlyMap<number, string>;
}

const isCommon = (zone: string) => COMMON_ZONES.includes(zone);

export const NAME_MAX = 200;
export const ADDRESS_MAX = 500;
export const LABEL_MAX = 100;

export function settingsValuesOf(depot: Depot, compartments: readonly CompartmentState[]): SettingsValues {
  return {
    name: depot.name,
    address: depot.address,
    timeZone: depot.timeZone,
    labels: new Map(compartments.map((c) => [c.number, c.label])),
  };
}

/** The owner's form for master data and compartment labels (POSTs to itself). */
export function SettingsPage(props: {
  view: View;
  depot: Depot;
  compartments: readonly CompartmentState[];
  values: SettingsValues;
  errors?: FieldErrors;
}) {
  const { view, depot, values } = props;
  const t = depotTexts[view.lang];
  const common = commonTexts[view.lang];
  const errors = props.errors ?? {};
  return (
    <Layout view={view} title={t.settingsTitle(depot.name)}>
      <p>
        <a href={`/depots/${depot.id}`}>← {depot.name}</a>
      </p>
      <h1>{t.settingsTitle(depot.name)}</h1>
      <ErrorSummary view={view} errors={errors} />
      <form method="post" action={`/depots/${depot.id}/settings`} class="settings">
        <CsrfField view={view} />
        <Field name="name" label={t.name} value={values.name} errors={errors} required maxLength={NAME_MAX} />
        <Field name="address" label={t.address} errors={errors}>
          <textarea id="field-address" name="address" rows={3} maxlength={ADDRESS_MAX}>
            {values.address}
          </textarea>
        </Field>
        <Field name="timeZone" label={t.timeZone} errors={errors}>
          <select id="field-timeZone" name="timeZone">
            {zoneGroups(values.timeZone).map((group) => (
              <optgroup label={group.region ?? t.commonZones}>
                {group.zones.map((zone) => (
                  <option
                    value={zone}
                    selected={zone === values.timeZone && (group.region === null || !isCommon(zone))}
                  >
                    {zoneLabel(view.lang, zone, view.nowMs)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </Field>
        <fieldset>
          <legend>{t.compartments}</legend>
          <p class="hint muted">{t.labelHint}</p>
          {props.compartments.map((c) => (
            <Field
              name={`label-${c.number}`}
              label={`${t.compartment} ${c.number}`}
              value={values.labels.get(c.number) ?? ''}
              errors={errors}
              maxLength={LABEL_MAX}
            />
          ))}
        </fieldset>
        <button type="submit" class="primary">
          {common.save}
        </button>{' '}
        <a href={`/depots/${depot.id}`}>{common.cancel}</a>
      </form>
    </Layout>
  );
}
