import { exportCustomer } from '../../store/customers/customer-export.js';
import {
  CUSTOMER_LANGUAGES,
  type CustomerInput,
  type CustomerLanguage,
  FIELD_MAX,
  PERSONAL_FIELDS,
} from '../../store/customers/customer-fields.js';
import { customerPins } from '../../store/customers/customer-pins.js';
import { searchCustomers } from '../../store/customers/customer-search.js';
import {
  type Customer,
  CustomerInputError,
  createCustomer,
  type DataActor,
  findCustomer,
  listCustomers,
  updateCustomer,
} from '../../store/customers/customers.js';
import { eraseCustomer, OpenBusinessError } from '../../store/customers/erasure.js';
import { listInvoices } from '../../store/invoices/invoices.js';
import { organisationsWithRole } from '../../store/organisation-roles.js';
import { organisationRole, parseId, SIGNED_IN } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import type { FieldErrors } from '../components/forms.js';
import { viewOf } from '../components/view.js';
import { readForm } from '../form-input.js';
import { renderNotFound } from '../pages/status-pages.js';
import { currentUser, type PortalContext } from '../portal-env.js';
import {
  CustomerFormPage,
  type CustomerFormValues,
  CustomerListPage,
  CustomerPage,
  NoCustomerAccessPage,
  orgPath,
} from './customers-pages.js';
import { customersTexts } from './customers-texts.js';

const CUSTOMERS_PER_PAGE = 50;
const VIEWER = organisationRole('viewer');
const MANAGER = organisationRole('manager');

/** The actor of a change to the organisation's customer data, for the audit entry. */
export function dataActorOf(c: PortalContext): DataActor & { userId: number } {
  return {
    organisationId: c.get('organisation').id,
    actor: 'user',
    userId: currentUser(c).id,
    nowMs: c.get('deps').clock(),
    address: c.get('address'),
  };
}

const isManager = (c: PortalContext) => c.get('organisationRole') === 'manager';
const keysOf = (c: PortalContext) => ({ sealer: c.get('deps').sealer, index: c.get('deps').blindIndex });

/** The customer of the path within the guard's organisation: another organisation's id is "not found". */
async function customerOf(c: PortalContext): Promise<Customer | null> {
  const id = parseId(c.req.param('customerId'));
  if (id === null) return null;
  return findCustomer(c.get('deps').store.db, c.get('deps').sealer, c.get('organisation').id, id);
}

function valuesOf(customer?: Customer): CustomerFormValues {
  const values = { language: customer?.language ?? 'de' } as CustomerFormValues;
  for (const field of PERSONAL_FIELDS) values[field] = customer?.personal[field] ?? '';
  return values;
}

/** The submitted customer form: the typed values (shown again) and the input for the store. */
async function readCustomerForm(c: PortalContext): Promise<{ values: CustomerFormValues; input: CustomerInput }> {
  const form = await readForm(c);
  const values = {} as CustomerFormValues;
  // Longer than allowed is kept (a little), so the store names it and the form shows it again.
  for (const field of PERSONAL_FIELDS) values[field] = form.raw(field).slice(0, FIELD_MAX[field] + 100);
  values.language = form.raw('language').slice(0, 5);
  const language = (CUSTOMER_LANGUAGES as readonly string[]).includes(values.language)
    ? (values.language as CustomerLanguage)
    : ('xx' as CustomerLanguage);
  return { values, input: { ...values, language } };
}

function errorsOf(c: PortalContext, error: CustomerInputError): FieldErrors {
  const t = customersTexts[c.get('lang')];
  const errors: Record<string, string> = {};
  for (const [field, problem] of Object.entries(error.problems)) {
    if (problem) errors[field] = t.badProblem(problem, FIELD_MAX[field as keyof typeof FIELD_MAX] ?? 0);
  }
  return errors;
}

async function customerPage(
  c: PortalContext,
  customer: Customer,
  extra: { notice?: string; error?: string; eraseErrors?: FieldErrors } = {},
) {
  const { store, clock } = c.get('deps');
  const organisation = c.get('organisation');
  const invoices = await listInvoices(store.db, organisation.id, { customerId: customer.id, limit: 200 });
  const pins = await customerPins(store.db, organisation.id, customer.id, clock());
  return c.html(
    <CustomerPage
      view={viewOf(c)}
      organisation={organisation}
      customer={customer}
      invoices={invoices}
      pins={pins}
      manager={isManager(c)}
      {...extra}
    />,
    extra.error ? 400 : 200,
  );
}

/** `/customers`: the customers of the user's (first) organisation, or why there are none to see. */
export function customersEntryArea(): PortalArea {
  const area = new PortalArea('/customers');
  area.get('/', SIGNED_IN, async (c) => {
    const [first] = await organisationsWithRole(c.get('deps').store.db, currentUser(c).id);
    if (first === undefined) return c.html(<NoCustomerAccessPage view={viewOf(c)} />);
    return c.redirect(`${orgPath(first)}/customers`, 303);
  });
  return area;
}

/** An organisation's customers: list and search, create, show, edit, export, erase. */
export function customersArea(): PortalArea {
  const area = new PortalArea('/organisations/:organisationId/customers');

  area.get('/', VIEWER, async (c) => {
    const { store } = c.get('deps');
    const organisation = c.get('organisation');
    const query = (c.req.query('q') ?? '').trim().slice(0, 200);
    const beforeParam = c.req.query('before');
    const before = beforeParam === undefined ? undefined : parseId(beforeParam);
    if (before === null) return renderNotFound(c);
    let customers: Customer[];
    let nextBefore: number | null = null;
    if (query !== '') {
      customers = await searchCustomers(store.db, keysOf(c), organisation.id, query, CUSTOMERS_PER_PAGE);
    } else {
      const rows = await listCustomers(store.db, c.get('deps').sealer, organisation.id, {
        beforeNumber: before,
        limit: CUSTOMERS_PER_PAGE + 1,
      });
      customers = rows.slice(0, CUSTOMERS_PER_PAGE);
      if (rows.length > CUSTOMERS_PER_PAGE) nextBefore = customers.at(-1)?.number ?? null;
    }
    return c.html(
      <CustomerListPage
        view={viewOf(c)}
        organisation={organisation}
        customers={customers}
        query={query}
        nextBefore={nextBefore}
        manager={isManager(c)}
      />,
    );
  });

  area.get('/new', MANAGER, (c) =>
    c.html(<CustomerFormPage view={viewOf(c)} organisation={c.get('organisation')} values={valuesOf()} />),
  );

  area.post('/', MANAGER, async (c) => {
    const { values, input } = await readCustomerForm(c);
    try {
      const created = await createCustomer(c.get('deps').store.db, keysOf(c), dataActorOf(c), input);
      return c.redirect(`${orgPath(c.get('organisation').id)}/customers/${created.id}?done=created`, 303);
    } catch (error) {
      if (!(error instanceof CustomerInputError)) throw error;
      return c.html(
        <CustomerFormPage
          view={viewOf(c)}
          organisation={c.get('organisation')}
          values={values}
          errors={errorsOf(c, error)}
        />,
        400,
      );
    }
  });

  area.get('/:customerId', VIEWER, async (c) => {
    const customer = await customerOf(c);
    if (!customer) return renderNotFound(c);
    const t = customersTexts[c.get('lang')];
    const done = c.req.query('done');
    const notice =
      done === 'created' ? t.created : done === 'saved' ? t.saved : done === 'erased' ? t.erasedDone : undefined;
    return customerPage(c, customer, { notice });
  });

  area.get('/:customerId/edit', MANAGER, async (c) => {
    const customer = await customerOf(c);
    if (!customer || customer.erasedAtMs !== null) return renderNotFound(c);
    return c.html(
      <CustomerFormPage
        view={viewOf(c)}
        organisation={c.get('organisation')}
        values={valuesOf(customer)}
        customer={customer}
      />,
    );
  });

  area.post('/:customerId', MANAGER, async (c) => {
    const customer = await customerOf(c);
    if (!customer || customer.erasedAtMs !== null) return renderNotFound(c);
    const { values, input } = await readCustomerForm(c);
    try {
      if (!(await updateCustomer(c.get('deps').store.db, keysOf(c), dataActorOf(c), customer.id, input))) {
        return renderNotFound(c);
      }
      return c.redirect(`${orgPath(c.get('organisation').id)}/customers/${customer.id}?done=saved`, 303);
    } catch (error) {
      if (!(error instanceof CustomerInputError)) throw error;
      return c.html(
        <CustomerFormPage
          view={viewOf(c)}
          organisation={c.get('organisation')}
          values={values}
          errors={errorsOf(c, error)}
          customer={customer}
        />,
        400,
      );
    }
  });

  // A GET that writes an audit entry: it is a download a manager asks for, and it changes nothing else.
  area.get('/:customerId/export', MANAGER, async (c) => {
    const customer = await customerOf(c);
    if (!customer) return renderNotFound(c);
    const document = await exportCustomer(c.get('deps').store.db, c.get('deps').sealer, dataActorOf(c), customer.id);
    c.header('Cache-Control', 'no-store');
    c.header('Content-Disposition', `attachment; filename="customer-${customer.number}.json"`);
    return c.json(document);
  });

  area.post('/:customerId/erase', MANAGER, async (c) => {
    const customer = await customerOf(c);
    if (!customer) return renderNotFound(c);
    const t = customersTexts[c.get('lang')];
    const form = await readForm(c);
    if (form.raw('confirm') !== String(customer.number)) {
      return customerPage(c, customer, { error: t.eraseWrongConfirm, eraseErrors: { confirm: t.eraseWrongConfirm } });
    }
    try {
      await eraseCustomer(c.get('deps').store.db, dataActorOf(c), customer.id, 'request');
    } catch (error) {
      if (!(error instanceof OpenBusinessError)) throw error;
      return customerPage(c, customer, { error: t.eraseOpenBusiness });
    }
    return c.redirect(`${orgPath(c.get('organisation').id)}/customers/${customer.id}?done=erased`, 303);
  });

  return area;
}
