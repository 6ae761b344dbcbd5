import { formatCents, formatQuantity, invoiceTotals } from '../../money/money.js';
import type { Customer } from '../../store/customers/customers.js';
import type { Depot } from '../../store/depots.js';
import { allowedActions, type InvoiceAction } from '../../store/invoices/invoice-state.js';
import type { Invoice, InvoiceLine } from '../../store/invoices/invoices.js';
import type { Organisation } from '../../store/organisations.js';
import { CsrfField, ErrorSummary, Field, type FieldErrors } from '../components/forms.js';
import { Layout } from '../components/layout.js';
import type { View } from '../components/view.js';
import { customerName, orgPath } from '../customers/customers-pages.js';
import { commonTexts } from '../i18n/common-texts.js';
import { formatDateTime } from '../i18n/format.js';
import { InvoiceStateBadge, InvoiceTable, invoiceLabel, invoicePath } from './invoice-components.js';
import { emptyLine, type InvoiceFormValues } from './invoice-form.js';
import { invoicesTexts } from './invoices-texts.js';

export function InvoiceListPage(props: {
  view: View;
  organisation: Organisation;
  invoices: readonly Invoice[];
  names: ReadonlyMap<number, string>;
  state: string;
  nextBefore: number | null;
  manager: boolean;
}) {
  const { view, organisation } = props;
  const t = invoicesTexts[view.lang];
  const base = `${orgPath(organisation.id)}/invoices`;
  const states = ['draft', 'open', 'paid', 'cancelled', 'refunded'] as const;
  return (
    <Layout view={view} title={t.title}>
      <p class="depot-nav">
        <strong>{organisation.name}</strong>{' '}
        <a href={`${orgPath(organisation.id)}/customers`}>{commonTexts[view.lang].customers}</a>
      </p>
      <h1>{t.title}</h1>
      {props.manager ? (
        <p>
          <a class="button primary" href={`${base}/new`}>
            {t.newInvoice}
          </a>{' '}
          <a href={`${base}/settings`}>{t.settingsTitle}</a>
        </p>
      ) : null}
      <form method="get" action={base} class="filters">
        <Field name="state" label={t.state}>
          <select id="field-state" name="state">
            <option value="">{t.allStates}</option>
            {states.map((s) => (
              <option value={s} selected={props.state === s}>
                {t.stateName(s)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit">{t.show}</button>
      </form>
      {props.invoices.length === 0 ? (
        <p>{t.none}</p>
      ) : (
        <InvoiceTable view={view} organisationId={organisation.id} invoices={props.invoices} names={props.names} />
      )}
      {props.nextBefore !== null ? (
        <p class="pager">
          <a href={`${base}?before=${props.nextBefore}${props.state ? `&state=${props.state}` : ''}`}>
            {commonTexts[view.lang].next}
          </a>
        </p>
      ) : null}
    </Layout>
  );
}

export function InvoiceFormPage(props: {
  view: View;
  organisation: Organisation;
  depots: readonly Depot[];
  values: InvoiceFormValues;
  errors?: FieldErrors;
  draftId?: number;
}) {
  const { view, organisation, values, errors } = props;
  const t = invoicesTexts[view.lang];
  const base = `${orgPath(organisation.id)}/invoices`;
  const lines = [...values.lines, emptyLine()];
  const title = props.draftId ? t.edit : t.newInvoice;
  return (
    <Layout view={view} title={title}>
      <h1>{title}</h1>
      <ErrorSummary view={view} errors={errors ?? {}} />
      <form method="post" action={props.draftId ? `${base}/${props.draftId}` : base} class="invoice-form">
        <CsrfField view={view} />
        <Field
          name="customer"
          label={t.chooseCustomer}
          hint={t.customerHint}
          errors={errors}
          value={values.customer}
          required
        />
        <div class="field-row">
          <Field name="invoiceDate" label={t.invoiceDate} errors={errors}>
            <input id="field-invoiceDate" name="invoice_date" type="date" value={values.invoiceDate} required />
          </Field>
          <Field name="dueDate" label={t.dueDate} errors={errors}>
            <input id="field-dueDate" name="due_date" type="date" value={values.dueDate} required />
          </Field>
        </div>
        <div class="field-row">
          <Field name="depot" label={t.depot} errors={errors}>
            <select id="field-depot" name="depot">
              <option value="">{t.noDepot}</option>
              {props.depots.map((d) => (
                <option value={String(d.id)} selected={values.depot === String(d.id)}>
                  {`${d.name} (${d.compartmentCount})`}
                </option>
              ))}
            </select>
          </Field>
          <Field name="compartment" label={t.compartment} errors={errors} value={values.compartment} type="number" />
        </div>
        <div class="field-row">
          <Field name="pickupFrom" label={t.pickupFrom} hint={t.pickupHint} errors={errors}>
            <input id="field-pickupFrom" name="pickup_from" type="datetime-local" value={values.pickupFrom} />
          </Field>
          <Field name="pickupUntil" label={t.pickupUntil} errors={errors}>
            <input id="field-pickupUntil" name="pickup_until" type="datetime-local" value={values.pickupUntil} />
          </Field>
        </div>
        <h2 id="field-lines">{t.lines}</h2>
        {errors?.lines ? <p class="error">{errors.lines}</p> : null}
        <table class="lines">
          <thead>
            <tr>
              <th>{t.text}</th>
              <th>{t.quantity}</th>
              <th>{t.unitPrice}</th>
              <th>{t.vat}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line, i) => (
              <tr>
                {(['text', 'quantity', 'price'] as const).map((part) => {
                  const name = `line${i}.${part}`;
                  const error = errors?.[name];
                  return (
                    <td class={error ? 'field has-error' : undefined}>
                      {error ? (
                        <small class="error" id={`field-${name}-error`}>
                          {error}
                        </small>
                      ) : null}
                      <input
                        id={`field-${name}`}
                        name={name}
                        value={line[part]}
                        aria-label={part === 'text' ? t.text : part === 'quantity' ? t.quantity : t.unitPrice}
                        aria-invalid={error ? 'true' : undefined}
                        inputmode={part === 'text' ? undefined : 'decimal'}
                      />
                    </td>
                  );
                })}
                <td class={errors?.[`line${i}.vat`] ? 'field has-error' : undefined}>
                  {errors?.[`line${i}.vat`] ? <small class="error">{errors[`line${i}.vat`]}</small> : null}
                  <select id={`field-line${i}.vat`} name={`line${i}.vat`} aria-label={t.vat}>
                    {['19', '7', '0'].map((rate) => (
                      <option value={rate} selected={line.vat === rate}>{`${rate} %`}</option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          <button type="submit" name="add_line" value="1">
            {t.addLine}
          </button>
        </p>
        <button type="submit" class="primary">
          {props.draftId ? t.saveChanges : t.saveDraft}
        </button>{' '}
        <a href={props.draftId ? `${base}/${props.draftId}` : base}>{commonTexts[view.lang].cancel}</a>
      </form>
    </Layout>
  );
}

export function InvoicePage(props: {
  view: View;
  organisation: Organisation;
  invoice: Invoice;
  lines: readonly InvoiceLine[];
  customer: Customer;
  recipient: { name: string; company: string; address: string } | null;
  depotName: string | null;
  related: Invoice | null;
  manager: boolean;
  notice?: string;
  error?: string;
  pin?: { pinId: number; digits: string };
}) {
  const { view, organisation, invoice } = props;
  const t = invoicesTexts[view.lang];
  const path = invoicePath(organisation.id, invoice.id);
  const title =
    invoice.kind === 'cancellation'
      ? t.cancellationTitle(invoice.number ?? '')
      : invoice.number
        ? t.invoiceTitle(invoice.number)
        : t.draftTitle(invoice.id);
  const totals = invoiceTotals(props.lines);
  const actions: InvoiceAction[] =
    props.manager && invoice.state !== 'cancellation' && invoice.state !== 'picked-up'
      ? allowedActions(invoice.state)
      : [];
  const method = (m: string | null) => (m === 'cash' ? t.methodCash : m === 'transfer' ? t.methodTransfer : (m ?? ''));
  return (
    <Layout view={view} title={title}>
      <p class="depot-nav">
        <strong>{organisation.name}</strong> <a href={`${orgPath(organisation.id)}/invoices`}>{t.title}</a>
      </p>
      <h1>
        {title} <InvoiceStateBadge view={view} state={invoice.state} />
      </h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.error ? <ErrorSummary view={view} errors={{}} message={props.error} /> : null}
      {props.pin ? (
        <section class="notice">
          <p>{t.pinReleased}</p>
          <p class="pin-digits" data-pin-digits>
            {props.pin.digits}
          </p>
          <p>{t.pinShownOnce}</p>
          {invoice.depotId !== null ? (
            <p>
              <a href={`/depots/${invoice.depotId}/pins/${props.pin.pinId}`}>{t.toPin}</a>
            </p>
          ) : null}
        </section>
      ) : null}
      <dl class="facts">
        <dt>{t.customer}</dt>
        <dd>
          <a href={`${orgPath(organisation.id)}/customers/${props.customer.id}`}>
            {`${props.customer.number} · ${customerName(view, props.customer)}`}
          </a>
        </dd>
        {invoice.restrictedAtMs !== null ? (
          <>
            <dt>{t.recipient}</dt>
            <dd class="muted">{t.recipientRestricted}</dd>
          </>
        ) : props.recipient ? (
          <>
            <dt>{t.recipient}</dt>
            <dd class="multiline">
              {[props.recipient.name, props.recipient.company, props.recipient.address].filter((x) => x).join('\n')}
            </dd>
          </>
        ) : null}
        <dt>{t.invoiceDate}</dt>
        <dd>{invoice.invoiceDate}</dd>
        <dt>{t.dueDate}</dt>
        <dd>{invoice.dueDate}</dd>
        {props.depotName !== null ? (
          <>
            <dt>{t.depot}</dt>
            <dd>{`${props.depotName}, ${t.compartment} ${invoice.compartment ?? ''}`}</dd>
          </>
        ) : null}
        {invoice.pickupFromMs !== null || invoice.pickupUntilMs !== null ? (
          <>
            <dt>{`${t.pickupFrom} / ${t.pickupUntil}`}</dt>
            <dd>{`${formatDateTime(view.lang, invoice.pickupFromMs)} – ${formatDateTime(view.lang, invoice.pickupUntilMs)}`}</dd>
          </>
        ) : null}
        {invoice.paidAtMs !== null ? (
          <>
            <dt>{t.method}</dt>
            <dd>{t.paidBy(method(invoice.paymentMethod), formatDateTime(view.lang, invoice.paidAtMs))}</dd>
          </>
        ) : null}
        {invoice.pickedUpAtMs !== null ? (
          <>
            <dt>{t.stateName('picked-up')}</dt>
            <dd data-picked-up>{t.pickedUpAt(formatDateTime(view.lang, invoice.pickedUpAtMs))}</dd>
          </>
        ) : null}
        {props.related ? (
          <>
            <dt>{invoice.kind === 'cancellation' ? t.cancels : t.cancelledBy}</dt>
            <dd>
              <a href={invoicePath(organisation.id, props.related.id)}>{invoiceLabel(view, props.related)}</a>
            </dd>
          </>
        ) : null}
      </dl>
      <table class="responsive lines">
        <thead>
          <tr>
            <th>{t.text}</th>
            <th class="amount">{t.quantity}</th>
            <th class="amount">{t.unitPrice}</th>
            <th class="amount">{t.vat}</th>
            <th class="amount">{t.lineNet}</th>
          </tr>
        </thead>
        <tbody>
          {props.lines.map((line) => (
            <tr>
              <td data-label={t.text}>{line.text}</td>
              <td data-label={t.quantity} class="amount">
                {formatQuantity(view.lang, line.quantityMilli)}
              </td>
              <td data-label={t.unitPrice} class="amount">
                {formatCents(view.lang, line.unitCents)}
              </td>
              <td data-label={t.vat} class="amount">{`${line.vatRate} %`}</td>
              <td data-label={t.lineNet} class="amount">
                {formatCents(view.lang, line.netCents)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th colspan={4}>{t.net}</th>
            <td class="amount">{formatCents(view.lang, totals.netCents)}</td>
          </tr>
          {totals.byRate.map((r) => (
            <tr>
              <th colspan={4}>{`${t.vatAt(r.vatRate)} (${formatCents(view.lang, r.netCents)})`}</th>
              <td class="amount">{formatCents(view.lang, r.vatCents)}</td>
            </tr>
          ))}
          <tr>
            <th colspan={4}>{t.gross}</th>
            <td class="amount" data-gross>
              <strong>{formatCents(view.lang, invoice.grossCents)}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
      {actions.includes('issue') ? (
        <>
          <p>
            <a class="button" href={`${path}/edit`}>
              {t.edit}
            </a>
          </p>
          <form method="post" action={`${path}/issue`}>
            <CsrfField view={view} />
            <p class="muted">{t.issueHint}</p>
            <button type="submit" class="primary">
              {t.issue}
            </button>
          </form>
        </>
      ) : null}
      {actions.includes('pay') ? (
        <form method="post" action={`${path}/pay`}>
          <CsrfField view={view} />
          <p class="muted">{t.payHint}</p>
          <Field name="method" label={t.method}>
            <select id="field-method" name="method">
              <option value="transfer">{t.methodTransfer}</option>
              <option value="cash">{t.methodCash}</option>
            </select>
          </Field>
          <button type="submit" class="primary">
            {invoice.compartment !== null ? t.pay : t.payNoPin}
          </button>
        </form>
      ) : null}
      {actions.includes('cancel') ? (
        <form method="post" action={`${path}/cancel`}>
          <CsrfField view={view} />
          <p class="muted">{t.cancelHint}</p>
          <button type="submit" class="danger" name="confirm" value="1">
            {t.cancel}
          </button>
        </form>
      ) : null}
      {actions.includes('refund') ? (
        <form method="post" action={`${path}/refund`}>
          <CsrfField view={view} />
          <p class="muted">{t.refundHint}</p>
          <button type="submit" class="danger" name="confirm" value="1">
            {t.refund}
          </button>
        </form>
      ) : null}
    </Layout>
  );
}

export function SettingsPage(props: {
  view: View;
  organisation: Organisation;
  settings: { prefix: string; year: string; retention: string };
  example: string;
  errors?: FieldErrors;
  notice?: string;
}) {
  const { view, organisation, settings, errors } = props;
  const t = invoicesTexts[view.lang];
  return (
    <Layout view={view} title={t.settingsTitle}>
      <p class="depot-nav">
        <strong>{organisation.name}</strong> <a href={`${orgPath(organisation.id)}/invoices`}>{t.title}</a>
      </p>
      <h1>{t.settingsTitle}</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      <section class="narrow">
        <ErrorSummary view={view} errors={errors ?? {}} />
        <form method="post" action={`${orgPath(organisation.id)}/invoices/settings`}>
          <CsrfField view={view} />
          <Field
            name="prefix"
            label={t.prefix}
            hint={t.prefixHint}
            errors={errors}
            value={settings.prefix}
            maxLength={20}
          />
          <fieldset class="choices">
            <label class="choice">
              <input type="radio" name="year" value="1" checked={settings.year !== '0'} /> {t.withYear}
            </label>
            <label class="choice">
              <input type="radio" name="year" value="0" checked={settings.year === '0'} /> {t.withoutYear}
            </label>
          </fieldset>
          <p class="muted">{t.example(props.example)}</p>
          <Field
            name="retention"
            label={t.retention}
            hint={t.retentionHint}
            errors={errors}
            value={settings.retention}
            type="number"
          />
          <button type="submit" class="primary">
            {commonTexts[view.lang].save}
          </button>
        </form>
      </section>
    </Layout>
  );
}
