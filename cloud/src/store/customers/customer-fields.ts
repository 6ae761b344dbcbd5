/*
 * A customer's fields, their limits and their checks. The personal ones are
 * sealed at rest, each in its own column with the column and row as the
 * seal's place (keys/sealed-columns.ts lists them for `data-key rotate`).
 */

export const PERSONAL_FIELDS = ['name', 'company', 'email', 'phone', 'address', 'plate', 'note'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

/** Characters per field; the sealed columns are sized from these (migration 012). */
export const FIELD_MAX: Readonly<Record<PersonalField, number>> = {
  name: 200,
  company: 200,
  email: 254,
  phone: 40,
  address: 500,
  plate: 40,
  note: 2000,
};

export const CUSTOMER_LANGUAGES = ['de', 'en'] as const;
export type CustomerLanguage = (typeof CUSTOMER_LANGUAGES)[number];

export type PersonalData = Readonly<Record<PersonalField, string>>;

export interface CustomerInput extends PersonalData {
  /** The language of messages to the customer. */
  readonly language: CustomerLanguage;
}

export const EMPTY_PERSONAL: PersonalData = {
  name: '',
  company: '',
  email: '',
  phone: '',
  address: '',
  plate: '',
  note: '',
};

/** The sealed column of a field, and the place its value is sealed for. */
export const sealedColumn = (field: PersonalField) => `${field}_sealed` as const;
export const customerPlace = (field: PersonalField) => (customerId: number) =>
  `customers.${field}_sealed:${customerId}`;

export type FieldProblem = 'required' | 'too-long' | 'email' | 'phone' | 'language';

/**
 * What is wrong with a customer's input, per field (empty: nothing). A name
 * or a company is needed to address an invoice; an e-mail needs one `@` with
 * something on both sides; a phone may hold digits, spaces, `+ - / ( ) .`.
 */
export function checkCustomer(input: CustomerInput): Partial<Record<PersonalField | 'language', FieldProblem>> {
  const problems: Partial<Record<PersonalField | 'language', FieldProblem>> = {};
  for (const field of PERSONAL_FIELDS) {
    if ([...input[field]].length > FIELD_MAX[field]) problems[field] = 'too-long';
  }
  if (input.name.trim() === '' && input.company.trim() === '') problems.name ??= 'required';
  if (input.email !== '' && !/^[^\s@]+@[^\s@]+$/.test(input.email)) problems.email ??= 'email';
  if (input.phone !== '' && !/^\+?[\d\s\-/().]{3,}$/.test(input.phone)) problems.phone ??= 'phone';
  if (!(CUSTOMER_LANGUAGES as readonly string[]).includes(input.language)) problems.language = 'language';
  return problems;
}

/** Input with its text fields trimmed (the note keeps its line breaks inside). */
export function trimmedCustomer(input: CustomerInput): CustomerInput {
  const out: Record<string, string> = { language: input.language };
  for (const field of PERSONAL_FIELDS) out[field] = input[field].trim();
  return out as unknown as CustomerInput;
}
