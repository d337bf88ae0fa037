import { z } from 'zod';
import {
  CustomerSchema,
  NAME_MAX,
  NAME_MIN,
  type Customer,
  type CustomerStatus,
  type Preferences,
} from '../../../sync/model/customer.ts';
import type { NewCustomerInput } from '../../../sync/model/document-builders.ts';
import { formatPhone, parsePhone } from '../../../sync/model/phone.ts';
import { isIsoDate } from '../../../sync/model/dates.ts';

// The sign-up and edit form of a customer as plain values, and its validation into the model's input.
// Errors are i18n keys (common:errors.* for the model's codes, counter:validation.* for form rules), so
// the same module serves both languages and is tested without a browser.

/** What the form fields hold (all text, as typed). */
export interface CustomerFormValues {
  phone: string;
  name: string;
  email: string;
  birthday: string;
  anniversary: string;
  notes: string;
  favorites: string;
  allergies: string;
  preferredTime: '' | NonNullable<Preferences['preferredTime']>;
  marketingConsent: boolean;
  tags: string;
  status: CustomerStatus;
}

/** A field of the form. */
export type CustomerField = keyof CustomerFormValues;
/** Inline errors as i18n keys, by field. */
export type CustomerFormErrors = Partial<Record<CustomerField, string>>;

/** Longest list item (favourites, allergies) and list size, as the contract has them. */
const LIST_ITEM_MAX = 60;
const LIST_MAX = 20;
const TAG_MAX = 40;
const TAGS_MAX = 30;
const NOTES_MAX = 4000;
const EmailSchema = CustomerSchema.shape.email.unwrap();

/** An empty form, optionally prefilled (from the lookup text). */
export function emptyCustomerForm(prefill: Partial<CustomerFormValues> = {}): CustomerFormValues {
  return {
    phone: '',
    name: '',
    email: '',
    birthday: '',
    anniversary: '',
    notes: '',
    favorites: '',
    allergies: '',
    preferredTime: '',
    marketingConsent: false,
    tags: '',
    status: 'active',
    ...prefill,
  };
}

/** The form of an existing customer (phone in the national format of the merchant's region). */
export function customerToForm(
  customer: Pick<
    Customer,
    | 'phone'
    | 'name'
    | 'email'
    | 'birthday'
    | 'anniversary'
    | 'notes'
    | 'preferences'
    | 'marketingConsent'
    | 'tags'
    | 'status'
  >,
  defaultRegion: string,
): CustomerFormValues {
  return {
    phone: formatPhone(customer.phone, 'en', defaultRegion),
    name: customer.name,
    email: customer.email ?? '',
    birthday: customer.birthday ?? '',
    anniversary: customer.anniversary ?? '',
    notes: customer.notes,
    favorites: customer.preferences.favorites.join(', '),
    allergies: customer.preferences.allergies.join(', '),
    preferredTime: customer.preferences.preferredTime ?? '',
    marketingConsent: customer.marketingConsent,
    tags: customer.tags.join(', '),
    status: customer.status,
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

function listError(items: string[], itemMax: number, countMax: number): string | undefined {
  if (items.length > countMax) return 'counter:validation.tooManyItems';
  if (items.some((item) => item.length > itemMax)) return 'counter:validation.itemTooLong';
  return undefined;
}

/** Validated form: the model's input (for newCustomer / editCustomer) and the E.164 phone. */
export type CustomerFormResult =
  | {
      ok: true;
      input: Required<
        Pick<
          NewCustomerInput,
          'phone' | 'name' | 'email' | 'birthday' | 'anniversary' | 'notes' | 'marketingConsent' | 'tags'
        >
      > & { preferences: Preferences; status: CustomerStatus };
      e164: string;
    }
  | { ok: false; errors: CustomerFormErrors };

/**
 * Checks every field the way the contract will (phone through libphonenumber in the merchant's region,
 * name 3–100 characters after trimming, e-mail as zod's, real dates, list sizes) so a save never fails
 * on something the form could have said inline. `today` (YYYY-MM-DD) keeps birthdays out of the future.
 */
export function validateCustomerForm(
  values: CustomerFormValues,
  defaultRegion: string,
  today: string,
): CustomerFormResult {
  const errors: CustomerFormErrors = {};
  let e164 = '';
  if (values.phone.trim() === '') errors.phone = 'counter:validation.required';
  else {
    const phone = parsePhone(values.phone, defaultRegion);
    if (phone.ok) e164 = phone.e164;
    else errors.phone = `common:errors.${phone.code}`;
  }
  // Runs of spaces collapse (ZWNJ inside Persian names is kept: it is not whitespace).
  const name = values.name.trim().replace(/\s+/g, ' ');
  if (name === '') errors.name = 'counter:validation.required';
  else if (name.length < NAME_MIN || name.length > NAME_MAX) errors.name = 'common:errors.INVALID_NAME';
  const email = values.email.trim();
  if (email !== '' && !EmailSchema.safeParse(email).success) errors.email = 'common:errors.INVALID_EMAIL';
  for (const field of ['birthday', 'anniversary'] as const) {
    const value = values[field];
    if (value !== '' && (!isIsoDate(value) || !z.iso.date().safeParse(value).success))
      errors[field] = 'common:errors.INVALID_DATE';
    else if (value !== '' && value > today) errors[field] = 'counter:validation.futureDate';
  }
  if (values.notes.length > NOTES_MAX) errors.notes = 'counter:validation.tooLong';
  const favorites = splitList(values.favorites);
  const allergies = splitList(values.allergies);
  const tags = splitList(values.tags);
  const favoritesError = listError(favorites, LIST_ITEM_MAX, LIST_MAX);
  const allergiesError = listError(allergies, LIST_ITEM_MAX, LIST_MAX);
  const tagsError = listError(tags, TAG_MAX, TAGS_MAX);
  if (favoritesError) errors.favorites = favoritesError;
  if (allergiesError) errors.allergies = allergiesError;
  if (tagsError) errors.tags = tagsError;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    e164,
    input: {
      phone: e164,
      name,
      email: email === '' ? null : email,
      birthday: values.birthday || null,
      anniversary: values.anniversary || null,
      notes: values.notes.trim(),
      preferences: { favorites, allergies, preferredTime: values.preferredTime === '' ? null : values.preferredTime },
      marketingConsent: values.marketingConsent,
      tags,
      status: values.status,
    },
  };
}

/** The fields of an edit that actually changed (editCustomer applies only these). */
export function changedFields(
  current: Customer,
  input: Extract<CustomerFormResult, { ok: true }>['input'],
): Partial<NewCustomerInput> & { status?: CustomerStatus } {
  const changes: Partial<NewCustomerInput> & { status?: CustomerStatus } = {};
  if (input.phone !== current.phone) changes.phone = input.phone;
  if (input.name !== current.name) changes.name = input.name;
  if (input.email !== current.email) changes.email = input.email;
  if (input.birthday !== current.birthday) changes.birthday = input.birthday;
  if (input.anniversary !== current.anniversary) changes.anniversary = input.anniversary;
  if (input.notes !== current.notes) changes.notes = input.notes;
  if (JSON.stringify(input.preferences) !== JSON.stringify(current.preferences))
    changes.preferences = input.preferences;
  if (JSON.stringify(input.tags) !== JSON.stringify(current.tags)) changes.tags = input.tags;
  if (input.marketingConsent !== current.marketingConsent) changes.marketingConsent = input.marketingConsent;
  if (input.status !== current.status) changes.status = input.status;
  return changes;
}
