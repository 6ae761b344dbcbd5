import { FIELD_MAX, type PersonalField } from '../../store/customers/customer-fields.js';
import type { CustomerPin } from '../../store/customers/customer-pins.js';
import { type Customer, displayName } from '../../store/customers/customers.js';
import type { Invoice } from '../../store/invoices/invoices.js';
import type { Organisation } from '../../store/organisations.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { eventName } from '../depot/event-texts.js';
import { commonTexts } from '../i18n/common-texts.js';
import { formatDateTime } from '../i18n/format.js';
import { InvoiceTable } from '../invoices/invoice-components.js';
import { pinsTexts } from '../pins/pins-texts.js';
import { customersTexts } from './customers-texts.js';

export const orgPath = (organisationId: number) => `/organisations/${organisationId}`;

/** The customer's name on a page; an erased one by their pseudonym. */
export function customerName(view: View, customer: Pick<Customer, 'personal' | 'pseudonym' | 'erasedAtMs'>): string {
  return customer.erasedAtMs !== null
    ? customersTexts[view.lang].erasedName(customer.pseudonym ?? '')
    : displayName(customer);
}

function OrganisationNav(props: { view: View; organisation: Organisation; manager: boolean }) {
  const t = customersTexts[props.view.lang];
  const base = orgPath(props.organisation.id);
  return (
    <p class="depot-nav">
      <strong>{props.organisation.name}</strong> <a href={`${base}/customers`}>{t.title}</a>{' '}
      <a href={`${base}/invoices`}>{commonTexts[props.view.lang].invoices}</a>
      {props.manager ? <a href={`${base}/invoices/settings`}>{t.settings}</a> : null}
    </p>
  );
}

export function CustomerListPage(props: {
  view: View;
  organisation: Organisation;
  customers: readonly Customer[];
  query: string;
  nextBefore: number | null;
  manager: boolean;
}) {
  const { view, organisation } = props;
  const t = customersTexts[view.lang];
  const base = `${orgPath(organisation.id)}/customers`;
  return (
    <Layout view={view} title={t.title}>
      <OrganisationNav view={view} organisation={organisation} manager={props.manager} />
      <h1>{t.title}</h1>
      {props.manager ? (
        <p>
          <a class="button primary" href={`${base}/new`}>
            {t.newCustomer}
          </a>
        </p>
      ) : null}
      <form method="get" action={base} class="filters">
        <Field name="q" label={t.search} hint={t.searchHint} value={props.query} maxLength={200} />
        <button type="submit">{t.searchButton}</button>
      </form>
      {props.customers.length === 0 ? (
        <p>{props.query ? t.noHits : t.noCustomers}</p>
      ) : (
        <table class="responsive customers">
          <thead>
            <tr>
              <th>{t.number}</th>
              <th>{t.name}</th>
              <th>{t.email}</th>
              <th>{t.phone}</th>
              <th>{t.plate}</th>
            </tr>
          </thead>
          <tbody>
            {props.customers.map((c) => (
              <tr data-customer-id={String(c.id)}>
                <td data-label={t.number}>
                  <a href={`${base}/${c.id}`}>{String(c.number)}</a>
                </td>
                <td data-label={t.name}>
                  <a href={`${base}/${c.id}`}>{customerName(view, c)}</a>
                  {c.personal.company && c.personal.name ? <div class="muted">{c.personal.company}</div> : null}
                </td>
                <td data-label={t.email}>{c.personal.email}</td>
                <td data-label={t.phone}>{c.personal.phone}</td>
                <td data-label={t.plate}>{c.personal.plate}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.nextBefore !== null ? (
        <p class="pager">
          <a href={`${base}?before=${props.nextBefore}`}>{commonTexts[view.lang].next}</a>
        </p>
      ) : null}
    </Layout>
  );
}

export type CustomerFormValues = Record<PersonalField | 'language', string>;

export function CustomerFormPage(props: {
  view: View;
  organisation: Organisation;
  values: CustomerFormValues;
  errors?: FieldErrors;
  customer?: Customer;
}) {
  const { view, organisation, values, errors } = props;
  const t = customersTexts[view.lang];
  const base = `${orgPath(organisation.id)}/customers`;
  const title = props.customer ? t.editCustomer : t.newCustomer;
  const text = (name: PersonalField, label: string, type = 'text', autocomplete?: string) => (
    <Field
      name={name}
      label={label}
      errors={errors}
      value={values[name]}
      type={type}
      maxLength={FIELD_MAX[name]}
      autocomplete={autocomplete}
    />
  );
  return (
    <Layout view={view} title={title}>
      <OrganisationNav view={view} organisation={organisation} manager={true} />
      <h1>{title}</h1>
      <section class="narrow">
        <ErrorSummary view={view} errors={errors ?? {}} />
        <form method="post" action={props.customer ? `${base}/${props.customer.id}` : base}>
          <CsrfField view={view} />
          <Field
            name="name"
            label={t.name}
            hint={t.nameHint}
            errors={errors}
            value={values.name}
            maxLength={FIELD_MAX.name}
          />
          {text('company', t.company, 'text', 'organization')}
          {text('email', t.email, 'email', 'off')}
          {text('phone', t.phone, 'tel', 'off')}
          <Field name="address" label={t.address} errors={errors}>
            <textarea id="field-address" name="address" rows={3} maxlength={FIELD_MAX.address}>
              {values.address}
            </textarea>
          </Field>
          {text('plate', t.plate)}
          <Field name="note" label={t.note} errors={errors}>
            <textarea id="field-note" name="note" rows={4} maxlength={FIELD_MAX.note}>
              {values.note}
            </textarea>
          </Field>
          <Field name="language" label={t.language} errors={errors}>
            <select id="field-language" name="language">
              <option value="de" selected={values.language !== 'en'}>
                {t.languageDe}
              </option>
              <option value="en" selected={values.language === 'en'}>
                {t.languageEn}
              </option>
            </select>
          </Field>
          <button type="submit" class="primary">
            {props.customer ? t.save : t.create}
          </button>{' '}
          <a href={props.customer ? `${base}/${props.customer.id}` : base}>{commonTexts[view.lang].cancel}</a>
        </form>
      </section>
    </Layout>
  );
}

export function CustomerPage(props: {
  view: View;
  organisation: Organisation;
  customer: Customer;
  invoices: readonly Invoice[];
  pins: readonly CustomerPin[];
  manager: boolean;
  notice?: string;
  error?: string;
  eraseErrors?: FieldErrors;
}) {
  const { view, organisation, customer } = props;
  const t = customersTexts[view.lang];
  const pt = pinsTexts[view.lang];
  const base = `${orgPath(organisation.id)}/customers/${customer.id}`;
  const erased = customer.erasedAtMs !== null;
  const p = customer.personal;
  return (
    <Layout view={view} title={customerName(view, customer)}>
      <OrganisationNav view={view} organisation={organisation} manager={props.manager} />
      <h1>{customerName(view, customer)}</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.error ? <ErrorSummary view={view} errors={props.eraseErrors ?? {}} message={props.error} /> : null}
      {erased ? <p class="notice warn">{t.erasedAt(formatDateTime(view.lang, customer.erasedAtMs))}</p> : null}
      <dl class="master-data">
        <dt>{t.number}</dt>
        <dd>{String(customer.number)}</dd>
        {erased
          ? null
          : (
              [
                ['company', t.company],
                ['email', t.email],
                ['phone', t.phone],
                ['address', t.address],
                ['plate', t.plate],
                ['note', t.note],
              ] as const
            ).map(([field, label]) =>
              p[field] ? (
                <>
                  <dt>{label}</dt>
                  <dd class="multiline">{p[field]}</dd>
                </>
              ) : null,
            )}
        <dt>{t.language}</dt>
        <dd>{customer.language === 'en' ? t.languageEn : t.languageDe}</dd>
      </dl>
      {props.manager && !erased ? (
        <p>
          <a class="button" href={`${base}/edit`}>
            {t.editCustomer}
          </a>{' '}
          <a class="button primary" href={`${orgPath(organisation.id)}/invoices/new?customer=${customer.number}`}>
            {t.newInvoice}
          </a>
        </p>
      ) : null}
      <h2>{t.invoices}</h2>
      {props.invoices.length === 0 ? (
        <p>{t.noInvoices}</p>
      ) : (
        <InvoiceTable view={view} organisationId={organisation.id} invoices={props.invoices} />
      )}
      <h2>{t.pins}</h2>
      {props.pins.length === 0 ? (
        <p>{t.noPins}</p>
      ) : (
        <ul class="movements customer-pins">
          {props.pins.map((entry) => (
            <li data-pin-id={String(entry.pin.id)}>
              <strong>{pt.pinNo(entry.pin.id)}</strong> · {entry.invoiceNumber ?? ''} · {pt.compartment}{' '}
              {String(entry.pin.compartment)} · {pinStateText(view, entry.pin.state)}
              {entry.movements.length > 0 ? (
                <ul class="movements">
                  {entry.movements.map((m) => (
                    <li>
                      {formatDateTime(view.lang, m.atMs)} · {eventName(view.lang, m.kind)}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {props.manager ? (
        <>
          <h2>{t.privacy}</h2>
          <p>
            <a class="button" href={`${base}/export`}>
              {t.exportJson}
            </a>
          </p>
          <p class="muted">{t.exportHint}</p>
          {erased ? null : (
            <form method="post" action={`${base}/erase`} class="narrow">
              <CsrfField view={view} />
              <p class="muted">{t.eraseHint}</p>
              <Field name="confirm" label={t.eraseConfirm} errors={props.eraseErrors} value="" />
              <button type="submit" class="danger">
                {t.erase}
              </button>
            </form>
          )}
        </>
      ) : null}
    </Layout>
  );
}

function pinStateText(view: View, state: string): string {
  const t = pinsTexts[view.lang];
  const names: Record<string, string> = {
    queued: t.stateQueued,
    'on-depot': t.stateOnDepot,
    used: t.stateUsed,
    expired: t.stateExpired,
    failed: t.stateFailed,
    revoked: t.stateRevoked,
  };
  return names[state] ?? state;
}

export function NoCustomerAccessPage(props: { view: View }) {
  const t = customersTexts[props.view.lang];
  return (
    <Layout view={props.view} title={t.noAccessTitle}>
      <h1>{t.noAccessTitle}</h1>
      <p>{t.noAccess}</p>
    </Layout>
  );
}
