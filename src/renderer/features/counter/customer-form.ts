import { customerInputSchema, fieldProblems, type CustomerInput } from '../../../sync/model/customer-input.ts';
import type { Customer } from '../../../sync/model/customer.ts';
import { formatPhone } from '../../../sync/model/phone.ts';

// The sign-up and edit form of a customer as plain values, checked with the model's rules. Errors are i18n
// keys (common:fields.<problem>), so the same module serves both languages and is tested without a browser.

/**
 * What the form fields hold: the model's input with its free lists as the comma-separated text typed; tags
 * are picked from the merchant's catalogue (and a customer's tags it does not list stay selectable).
 */
export type CustomerFormValues = Omit<CustomerInput, 'favorites' | 'allergies'> & { favorites: string; allergies: string };

/** A field of the form. */
export type CustomerField = keyof CustomerFormValues;
/** Inline errors as i18n keys, by field. */
export type CustomerFormErrors = Partial<Record<CustomerField, string>>;

/** An empty form, optionally prefilled (from the lookup text). */
export function emptyCustomerForm(prefill: Partial<CustomerFormValues> = {}): CustomerFormValues {
  return {
    phone: '',
    phone2: '',
    name: '',
    email: '',
    birthday: '',
    anniversary: '',
    address: '',
    company: '',
    source: '',
    preferredChannel: '',
    notes: '',
    favorites: '',
    allergies: '',
    preferredTime: '',
    consentEmail: false,
    consentSms: false,
    tags: [],
    status: 'active',
    ...prefill,
  };
}

/** The form of an existing customer (phone in the national format of the merchant's region). */
export function customerToForm(
  customer: Pick<
    Customer,
    | 'phone'
    | 'phone2'
    | 'name'
    | 'email'
    | 'birthday'
    | 'anniversary'
    | 'address'
    | 'company'
    | 'source'
    | 'preferredChannel'
    | 'preferences'
    | 'tags'
    | 'status'
  >,
  defaultRegion: string,
): CustomerFormValues {
  return {
    phone: formatPhone(customer.phone, 'en', defaultRegion),
    phone2: customer.phone2 === null ? '' : formatPhone(customer.phone2, 'en', defaultRegion),
    name: customer.name,
    email: customer.email ?? '',
    birthday: customer.birthday ?? '',
    anniversary: customer.anniversary ?? '',
    address: customer.address,
    company: customer.company,
    source: customer.source ?? '',
    preferredChannel: customer.preferredChannel ?? '',
    // Notes and consent are not edited here: each has its own command and history on the card.
    notes: '',
    favorites: customer.preferences.favorites.join(', '),
    allergies: customer.preferences.allergies.join(', '),
    preferredTime: customer.preferences.preferredTime ?? '',
    consentEmail: false,
    consentSms: false,
    tags: [...customer.tags],
    // An erased customer is a tombstone no form opens; the form's statuses are the editable ones.
    status: customer.status === 'erased' ? 'inactive' : customer.status,
  };
}

/** Splits a comma list (Latin or Persian comma, or new lines) into trimmed, distinct, non-empty items. */
export function splitList(text: string): string[] {
  const items = text
    .split(/[,،\n]/)
    .map((item) => item.trim().replace(/\s+/g, ' '))
    .filter((item) => item !== '');
  return [...new Set(items)];
}

/** The form's values as the model's input: lists split into items (model customer-input.ts). */
export function toCustomerInput(values: CustomerFormValues): CustomerInput {
  return { ...values, favorites: splitList(values.favorites), allergies: splitList(values.allergies) };
}

/** A checked form: the input for the signUp / editCustomer commands and the E.164 phone; or the errors. */
export type CustomerFormResult = { ok: true; input: CustomerInput; e164: string } | { ok: false; errors: CustomerFormErrors };

/**
 * Checks every field with the model's rules (customer-input.ts: phone through libphonenumber in the merchant's
 * region, name 3–100 characters, e-mail, real dates not after `today`, list sizes) — the same rules the
 * command applies — so a save never fails on something the form could have said inline.
 */
export function validateCustomerForm(values: CustomerFormValues, defaultRegion: string, today: string): CustomerFormResult {
  const input = toCustomerInput(values);
  const parsed = customerInputSchema({ region: defaultRegion, today }).safeParse(input);
  if (parsed.success) return { ok: true, input, e164: parsed.data.phone };
  const errors: CustomerFormErrors = {};
  for (const [field, problem] of Object.entries(fieldProblems(parsed.error))) errors[field as CustomerField] = `common:fields.${problem}`;
  return { ok: false, errors };
}
