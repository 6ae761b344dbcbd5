import { customersByIds, findCustomer } from '../../store/customers/customers.js';
import { listDepots } from '../../store/depots.js';
import {
  cancelInvoice,
  issueInvoice,
  PAYMENT_METHODS,
  PickupWindowOverError,
  payInvoice,
  recipientPlace,
  refundInvoice,
} from '../../store/invoices/invoice-actions.js';
import { InvoiceInputError, type InvoiceProblem } from '../../store/invoices/invoice-input.js';
import {
  invoiceSequence,
  PREFIX_PATTERN,
  RETENTION_MONTHS_MAX,
  RETENTION_MONTHS_MIN,
  readSettings,
  writeSettings,
} from '../../store/invoices/invoice-settings.js';
import { type InvoiceState, InvoiceStateError, isInvoiceState } from '../../store/invoices/invoice-state.js';
import {
  createDraft,
  findInvoice,
  type Invoice,
  invoiceLines,
  listInvoices,
  updateDraft,
} from '../../store/invoices/invoices.js';
import { toNumber } from '../../store/row-values.js';
import { organisationRole, parseId } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import type { FieldErrors } from '../components/forms.js';
import { viewOf } from '../components/view.js';
import { customerName } from '../customers/customers-pages.js';
import { dataActorOf } from '../customers/customers-routes.js';
import { FormInput } from '../form-input.js';
import { renderNotFound } from '../pages/status-pages.js';
import type { PortalContext } from '../portal-env.js';
import { emptyLine, formValuesOf, type InvoiceFormValues, readInvoiceForm } from './invoice-form.js';
import { InvoiceFormPage, InvoiceListPage, InvoicePage, SettingsPage } from './invoices-pages.js';
import { invoicesTexts } from './invoices-texts.js';

const INVOICES_PER_PAGE = 50;
const VIEWER = organisationRole('viewer');
const MANAGER = organisationRole('manager');
const isManager = (c: PortalContext) => c.get('organisationRole') === 'manager';

async function invoiceOf(c: PortalContext): Promise<Invoice | null> {
  const id = parseId(c.req.param('invoiceId'));
  if (id === null) return null;
  return findInvoice(c.get('deps').store.db, c.get('organisation').id, id);
}

/** A live customer's id by their number in the guard's organisation. */
async function customerIdByNumber(c: PortalContext, number: string): Promise<number | null> {
  if (!/^\d{1,9}$/.test(number)) return null;
  const row = await c
    .get('deps')
    .store.db.selectFrom('customers')
    .select(['id', 'erased_at_ms'])
    .where('organisation_id', '=', c.get('organisation').id)
    .where('number', '=', Number(number))
    .executeTakeFirst();
  return row && row.erased_at_ms === null ? toNumber(row.id) : null;
}

async function depotsOf(c: PortalContext) {
  const depots = await listDepots(c.get('deps').store.db, { organisationId: c.get('organisation').id });
  return depots.filter((d) => d.revokedAtMs === null);
}

function problemErrors(c: PortalContext, problems: Record<string, InvoiceProblem>): FieldErrors {
  const t = invoicesTexts[c.get('lang')];
  return Object.fromEntries(Object.entries(problems).map(([field, problem]) => [field, t.problem(problem)]));
}

async function formPage(c: PortalContext, values: InvoiceFormValues, errors?: FieldErrors, draftId?: number) {
  return c.html(
    <InvoiceFormPage
      view={viewOf(c)}
      organisation={c.get('organisation')}
      depots={await depotsOf(c)}
      values={values}
      errors={errors}
      draftId={draftId}
    />,
    errors && Object.keys(errors).length > 0 ? 400 : 200,
  );
}

/**
 * Reads and stores a draft (new or edited). "Add a line" shows the form again
 * with a spare row; bad input shows it again with every message; nothing is
 * stored unless all of it is right.
 */
async function saveDraft(c: PortalContext, draftId?: number) {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value;
  const form = new FormInput(fields, c.get('lang'));
  const customerId = await customerIdByNumber(c, form.raw('customer'));
  const { values, input, problems } = readInvoiceForm(form, Object.keys(fields), c.get('lang'), () => customerId);
  if (form.raw('add_line') !== '' && Object.keys(problems).length === 0) {
    return formPage(c, { ...values, lines: [...values.lines, emptyLine()] }, undefined, draftId);
  }
  if (Object.keys(problems).length > 0) return formPage(c, values, problemErrors(c, problems), draftId);
  try {
    const db = c.get('deps').store.db;
    const actor = dataActorOf(c);
    const id = draftId ?? (await createDraft(db, actor, input));
    if (draftId !== undefined && !(await updateDraft(db, actor, draftId, input))) return renderNotFound(c);
    return c.redirect(`/organisations/${actor.organisationId}/invoices/${id}`, 303);
  } catch (error) {
    if (!(error instanceof InvoiceInputError)) throw error;
    return formPage(c, values, problemErrors(c, error.problems), draftId);
  }
}

async function invoicePage(
  c: PortalContext,
  invoice: Invoice,
  extra: { notice?: string; error?: string; pin?: { pinId: number; digits: string } } = {},
) {
  const { store, sealer } = c.get('deps');
  const organisation = c.get('organisation');
  const customer = await findCustomer(store.db, sealer, organisation.id, invoice.customerId);
  if (!customer) return renderNotFound(c);
  const relatedId = invoice.cancelsInvoiceId ?? invoice.cancelledByInvoiceId;
  const related = relatedId === null ? null : await findInvoice(store.db, organisation.id, relatedId);
  const row = await store.db
    .selectFrom('invoices')
    .select('recipient_sealed')
    .where('id', '=', invoice.id)
    .executeTakeFirstOrThrow();
  // A restricted recipient (erased customer, retention running) is never opened for a page.
  const recipient =
    row.recipient_sealed && invoice.restrictedAtMs === null
      ? (JSON.parse(sealer.open(new Uint8Array(row.recipient_sealed), recipientPlace(invoice.id))) as {
          name: string;
          company: string;
          address: string;
        })
      : null;
  const depot = invoice.depotId === null ? null : (await depotsOf(c)).find((d) => d.id === invoice.depotId);
  if (extra.pin) c.header('Cache-Control', 'no-store');
  return c.html(
    <InvoicePage
      view={viewOf(c)}
      organisation={organisation}
      invoice={invoice}
      lines={await invoiceLines(store.db, invoice.id)}
      customer={customer}
      recipient={recipient}
      depotName={depot?.name ?? null}
      related={related}
      manager={isManager(c)}
      {...extra}
    />,
    extra.error ? 400 : 200,
  );
}

/** Runs an invoice action; a state that does not allow it shows the invoice again with a message. */
async function act(c: PortalContext, work: (invoice: Invoice) => Promise<string | null>) {
  const invoice = await invoiceOf(c);
  if (!invoice) return renderNotFound(c);
  const t = invoicesTexts[c.get('lang')];
  try {
    const done = await work(invoice);
    if (done === null) return renderNotFound(c);
    const fresh = (await invoiceOf(c)) ?? invoice;
    return invoicePage(c, fresh, { notice: done });
  } catch (error) {
    if (error instanceof InvoiceStateError)
      return invoicePage(c, (await invoiceOf(c)) ?? invoice, { error: t.notAllowed });
    if (error instanceof PickupWindowOverError) return invoicePage(c, invoice, { error: t.pickupOver });
    throw error;
  }
}

function settingsValues(settings: {
  invoicePrefix: string;
  invoiceYear: boolean;
  customerRetentionMonths: number | null;
}) {
  return {
    prefix: settings.invoicePrefix,
    year: settings.invoiceYear ? '1' : '0',
    retention: settings.customerRetentionMonths === null ? '' : String(settings.customerRetentionMonths),
  };
}

/** An organisation's invoices: list, drafts, issue, mark paid with PIN release, cancel, refund, settings. */
export function invoicesArea(): PortalArea {
  const area = new PortalArea('/organisations/:organisationId/invoices');

  area.get('/', VIEWER, async (c) => {
    const { store, sealer } = c.get('deps');
    const organisation = c.get('organisation');
    const stateParam = c.req.query('state') ?? '';
    const state: InvoiceState | undefined = isInvoiceState(stateParam) ? stateParam : undefined;
    const beforeParam = c.req.query('before');
    const before = beforeParam === undefined ? undefined : parseId(beforeParam);
    if (before === null) return renderNotFound(c);
    const rows = await listInvoices(store.db, organisation.id, {
      state,
      beforeId: before,
      limit: INVOICES_PER_PAGE + 1,
    });
    const invoices = rows.slice(0, INVOICES_PER_PAGE);
    const customers = await customersByIds(
      store.db,
      sealer,
      organisation.id,
      invoices.map((i) => i.customerId),
    );
    const view = viewOf(c);
    const names = new Map(
      [...customers].map(([id, customer]) => [id, `${customer.number} · ${customerName(view, customer)}`]),
    );
    return c.html(
      <InvoiceListPage
        view={view}
        organisation={organisation}
        invoices={invoices}
        names={names}
        state={state ?? ''}
        nextBefore={rows.length > INVOICES_PER_PAGE ? (invoices.at(-1)?.id ?? null) : null}
        manager={isManager(c)}
      />,
    );
  });

  area.get('/new', MANAGER, async (c) => {
    const today = new Date(c.get('deps').clock()).toISOString().slice(0, 10);
    const due = new Date(c.get('deps').clock() + 14 * 86_400_000).toISOString().slice(0, 10);
    const customer = (c.req.query('customer') ?? '').replace(/\D/g, '').slice(0, 9);
    return formPage(c, {
      customer,
      invoiceDate: today,
      dueDate: due,
      depot: '',
      compartment: '',
      pickupFrom: '',
      pickupUntil: '',
      lines: [],
    });
  });

  area.post('/', MANAGER, (c) => saveDraft(c));

  area.get('/settings', MANAGER, async (c) => {
    const settings = await readSettings(c.get('deps').store.db, c.get('organisation').id);
    const today = new Date(c.get('deps').clock()).toISOString().slice(0, 10);
    const t = invoicesTexts[c.get('lang')];
    return c.html(
      <SettingsPage
        view={viewOf(c)}
        organisation={c.get('organisation')}
        settings={settingsValues(settings)}
        example={invoiceSequence(settings, today).format(42)}
        notice={c.req.query('done') === 'saved' ? t.settingsSaved : undefined}
      />,
    );
  });

  area.post('/settings', MANAGER, async (c) => {
    const t = invoicesTexts[c.get('lang')];
    const body = await c.req.parseBody();
    const raw = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim().slice(0, 40) : '');
    const values = { prefix: raw('prefix'), year: raw('year') === '0' ? '0' : '1', retention: raw('retention') };
    const errors: Record<string, string> = {};
    if (!PREFIX_PATTERN.test(values.prefix)) errors.prefix = t.badPrefix;
    const months = values.retention === '' ? null : /^\d{1,3}$/.test(values.retention) ? Number(values.retention) : -1;
    if (months !== null && (months < RETENTION_MONTHS_MIN || months > RETENTION_MONTHS_MAX))
      errors.retention = t.badRetention;
    const settings = {
      invoicePrefix: values.prefix,
      invoiceYear: values.year === '1',
      customerRetentionMonths: months,
    };
    if (Object.keys(errors).length > 0) {
      const today = new Date(c.get('deps').clock()).toISOString().slice(0, 10);
      const current = await readSettings(c.get('deps').store.db, c.get('organisation').id);
      return c.html(
        <SettingsPage
          view={viewOf(c)}
          organisation={c.get('organisation')}
          settings={values}
          example={invoiceSequence(current, today).format(42)}
          errors={errors}
        />,
        400,
      );
    }
    await writeSettings(c.get('deps').store.db, dataActorOf(c), settings);
    return c.redirect(`/organisations/${c.get('organisation').id}/invoices/settings?done=saved`, 303);
  });

  area.get('/:invoiceId', VIEWER, async (c) => {
    const invoice = await invoiceOf(c);
    return invoice ? invoicePage(c, invoice) : renderNotFound(c);
  });

  area.get('/:invoiceId/edit', MANAGER, async (c) => {
    const invoice = await invoiceOf(c);
    if (!invoice) return renderNotFound(c);
    // An issued invoice is never edited: its page says what can still be done.
    if (invoice.state !== 'draft')
      return c.redirect(`/organisations/${invoice.organisationId}/invoices/${invoice.id}`, 303);
    const customer = await findCustomer(
      c.get('deps').store.db,
      c.get('deps').sealer,
      invoice.organisationId,
      invoice.customerId,
    );
    const lines = await invoiceLines(c.get('deps').store.db, invoice.id);
    return formPage(
      c,
      formValuesOf(c.get('lang'), { ...invoice, customerNumber: customer?.number ?? 0 }, lines),
      undefined,
      invoice.id,
    );
  });

  area.post('/:invoiceId', MANAGER, async (c) => {
    const invoice = await invoiceOf(c);
    if (!invoice) return renderNotFound(c);
    if (invoice.state !== 'draft') return invoicePage(c, invoice, { error: invoicesTexts[c.get('lang')].notAllowed });
    return saveDraft(c, invoice.id);
  });

  area.post('/:invoiceId/issue', MANAGER, (c) =>
    act(c, async (invoice) => {
      const number = await issueInvoice(c.get('deps').store.db, c.get('deps').sealer, dataActorOf(c), invoice.id);
      return number === null ? null : invoicesTexts[c.get('lang')].issued(number);
    }),
  );

  area.post('/:invoiceId/pay', MANAGER, async (c) => {
    const invoice = await invoiceOf(c);
    if (!invoice) return renderNotFound(c);
    const t = invoicesTexts[c.get('lang')];
    const body = await c.req.parseBody();
    const method = PAYMENT_METHODS.find((m) => m === body.method);
    if (!method) return invoicePage(c, invoice, { error: t.chooseMethod });
    const { store, sealer, pokeRelay } = c.get('deps');
    try {
      const paid = await payInvoice(store, sealer, dataActorOf(c), invoice.id, method);
      if (!paid) return renderNotFound(c);
      if (paid.pin) pokeRelay();
      const fresh = (await invoiceOf(c)) ?? invoice;
      return invoicePage(c, fresh, paid.pin ? { pin: paid.pin } : {});
    } catch (error) {
      if (error instanceof InvoiceStateError)
        return invoicePage(c, (await invoiceOf(c)) ?? invoice, { error: t.notAllowed });
      if (error instanceof PickupWindowOverError) return invoicePage(c, invoice, { error: t.pickupOver });
      throw error;
    }
  });

  area.post('/:invoiceId/cancel', MANAGER, async (c) => {
    const body = await c.req.parseBody();
    if (body.confirm !== '1') {
      const invoice = await invoiceOf(c);
      return invoice ? invoicePage(c, invoice, { error: invoicesTexts[c.get('lang')].notAllowed }) : renderNotFound(c);
    }
    return act(c, async (invoice) => {
      const number = await cancelInvoice(c.get('deps').store.db, c.get('deps').sealer, dataActorOf(c), invoice.id);
      return number === null ? null : invoicesTexts[c.get('lang')].cancelledDone(number);
    });
  });

  area.post('/:invoiceId/refund', MANAGER, async (c) => {
    const body = await c.req.parseBody();
    if (body.confirm !== '1') {
      const invoice = await invoiceOf(c);
      return invoice ? invoicePage(c, invoice, { error: invoicesTexts[c.get('lang')].notAllowed }) : renderNotFound(c);
    }
    return act(c, async (invoice) => {
      const number = await refundInvoice(c.get('deps').store, c.get('deps').sealer, dataActorOf(c), invoice.id);
      if (number !== null) c.get('deps').pokeRelay();
      return number === null ? null : invoicesTexts[c.get('lang')].refundedDone(number);
    });
  });

  return area;
}
