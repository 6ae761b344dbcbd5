import { formatCents } from '../../money/money.js';
import type { Invoice } from '../../store/invoices/invoices.js';
import type { View } from '../components/view.js';
import { invoicesTexts } from './invoices-texts.js';

export const invoicePath = (organisationId: number, invoiceId: number) =>
  `/organisations/${organisationId}/invoices/${invoiceId}`;

const TONE: Record<string, string> = {
  draft: 'warn',
  open: 'warn',
  paid: 'ok',
  'picked-up': 'ok',
  cancelled: 'bad',
  refunded: 'bad',
  cancellation: 'bad',
};

export function InvoiceStateBadge(props: { view: View; state: Invoice['state'] }) {
  return (
    <span class={`badge ${TONE[props.state] ?? ''}`} data-state={props.state}>
      {invoicesTexts[props.view.lang].stateName(props.state)}
    </span>
  );
}

/** What an invoice is called: its number, or "Draft 12" before it has one. */
export function invoiceLabel(view: View, invoice: Pick<Invoice, 'id' | 'number'>): string {
  return invoice.number ?? invoicesTexts[view.lang].draftTitle(invoice.id);
}

/** Invoices as a table; `names` adds the customer column (the invoice list), left out on a customer's page. */
export function InvoiceTable(props: {
  view: View;
  organisationId: number;
  invoices: readonly Invoice[];
  names?: ReadonlyMap<number, string>;
}) {
  const { view } = props;
  const t = invoicesTexts[view.lang];
  return (
    <table class="responsive invoices">
      <thead>
        <tr>
          <th>{t.number}</th>
          {props.names ? <th>{t.customer}</th> : null}
          <th>{t.invoiceDate}</th>
          <th>{t.state}</th>
          <th class="amount">{t.gross}</th>
        </tr>
      </thead>
      <tbody>
        {props.invoices.map((invoice) => (
          <tr data-invoice-id={String(invoice.id)}>
            <td data-label={t.number}>
              <a href={invoicePath(props.organisationId, invoice.id)}>{invoiceLabel(view, invoice)}</a>
            </td>
            {props.names ? <td data-label={t.customer}>{props.names.get(invoice.customerId) ?? ''}</td> : null}
            <td data-label={t.invoiceDate}>{invoice.invoiceDate}</td>
            <td data-label={t.state}>
              <InvoiceStateBadge view={view} state={invoice.state} />
            </td>
            <td data-label={t.gross} class="amount">
              {formatCents(view.lang, invoice.grossCents)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
