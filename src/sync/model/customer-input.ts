import { z } from 'zod';
import {
  CONTACT_CHANNELS, CUSTOMER_SOURCES, CustomerSchema, PRIOR_VISITS_MAX, type ContactChannel, type CustomerSource, EditableCustomerStatusSchema, NAME_MAX, NAME_MIN, NOTE_MAX, type Preferences,
} from './customer.ts';
import { isIsoDate } from './dates.ts';
import { FIELD_PROBLEMS, type FieldProblem } from './errors.ts';
import { parsePhone } from './phone.ts';
import { toAsciiDigits } from './text.ts';

// What a person enters for a customer (sign-up, edit) and the rules it must meet, once: the counter's form
// checks it as the cashier types and the terminal's command parses it again before writing. Each refused
// field carries a problem code that the UI translates; nothing here knows a language.

/** Longest list item, tag, address and company, and the longest lists, as the customer schema allows them. */
const ADDRESS_MAX = 300;
const COMPANY_MAX = 100;
const LIST_ITEM_MAX = 60;
const LIST_MAX = 20;
const TAG_MAX = 40;
const TAGS_MAX = 30;
const EmailSchema = CustomerSchema.shape.email.unwrap();

/** The details as entered: text as typed (any digits), lists already split into items. */
export interface CustomerInput {
  phone: string;
  phone2: string;
  name: string;
  email: string;
  birthday: string;
  anniversary: string;
  address: string;
  company: string;
  source: '' | CustomerSource;
  preferredChannel: '' | ContactChannel;
  /** At sign-up, the timeline's first note (an edit adds notes through their own command). */
  notes: string;
  favorites: string[];
  allergies: string[];
  preferredTime: '' | 'morning' | 'afternoon' | 'evening';
  /** At sign-up, the customer's first consent per channel (later decisions go through their own command). */
  consentEmail: boolean;
  consentSms: boolean;
  tags: string[];
  status: z.infer<typeof EditableCustomerStatusSchema>;
  /** Visits before Patron as typed ('' is none); only a manager's form has it, so it is optional. */
  priorVisits?: string;
}

/** A field of the details. */
export type CustomerInputField = keyof CustomerInput;

const problem = (ctx: z.RefinementCtx, code: FieldProblem): never => {
  ctx.addIssue({ code: 'custom', message: code });
  return z.NEVER;
};

/** A list of items: distinct, whitespace collapsed, empties dropped, bounded in count and item length. */
function listSchema(itemMax: number, countMax: number) {
  return z.array(z.string()).transform((items, ctx) => {
    const clean = [...new Set(items.map((item) => item.trim().replace(/\s+/g, ' ')).filter((item) => item !== ''))];
    if (clean.length > countMax) return problem(ctx, 'TOO_MANY_ITEMS');
    if (clean.some((item) => item.length > itemMax)) return problem(ctx, 'ITEM_TOO_LONG');
    return clean;
  });
}

/** An optional calendar date, not after `today`. */
function pastDateSchema(today: string) {
  return z.string().transform((value, ctx) => {
    if (value === '') return null;
    if (!isIsoDate(value)) return problem(ctx, 'INVALID_DATE');
    if (value > today) return problem(ctx, 'FUTURE_DATE');
    return value;
  });
}

/**
 * A count of visits as typed: a whole number from 0 to PRIOR_VISITS_MAX, in any digits, with thousands
 * separators; an empty text is 0. Null when it is anything else (a fraction, a sign, a word, too many).
 */
export function parseVisitCount(text: string): number | null {
  const digits = toAsciiDigits(text).replace(/[\s,_'\u066c\u066b\u060c]/g, '');
  if (digits === '') return 0;
  if (!/^\d{1,7}$/.test(digits)) return null;
  const count = Number(digits);
  return count <= PRIOR_VISITS_MAX ? count : null;
}

/** A bounded free text, trimmed; '' when empty. */
function textSchema(max: number) {
  return z.string().transform((value, ctx) => (value.trim().length > max ? problem(ctx, 'TOO_LONG') : value.trim()));
}

/** An optional choice from `values`: '' is none (null). */
function choiceSchema<const T extends readonly string[]>(values: T) {
  return z.string().transform((value, ctx) => {
    if (value === '') return null;
    return values.includes(value) ? (value as T[number]) : problem(ctx, 'INVALID');
  });
}

/**
 * The rules for a customer's details, in the merchant's phone region, with `today` (YYYY-MM-DD, the
 * merchant's zone) keeping birthdays out of the future. Parses into the values a customer document holds:
 * the phone in E.164, the name trimmed with runs of spaces collapsed (ZWNJ inside Persian names is kept),
 * empty optional fields as null. Every issue's message is a FieldProblem and its path the field.
 */
export function customerInputSchema(ctx: { region: string; today: string }) {
  return z
    .strictObject({
    phone: z.string().transform((value, issue) => {
      if (value.trim() === '') return problem(issue, 'REQUIRED');
      const phone = parsePhone(value, ctx.region);
      return phone.ok ? phone.e164 : problem(issue, phone.code);
    }),
    phone2: z.string().default('').transform((value, issue) => {
      if (value.trim() === '') return null;
      const phone = parsePhone(value, ctx.region);
      return phone.ok ? phone.e164 : problem(issue, phone.code);
    }),
    name: z.string().transform((value, issue) => {
      const name = value.trim().replace(/\s+/g, ' ');
      if (name === '') return problem(issue, 'REQUIRED');
      return name.length < NAME_MIN || name.length > NAME_MAX ? problem(issue, 'INVALID_NAME') : name;
    }),
    email: z.string().transform((value, issue) => {
      const email = value.trim();
      if (email === '') return null;
      return EmailSchema.safeParse(email).success ? email : problem(issue, 'INVALID_EMAIL');
    }),
    birthday: pastDateSchema(ctx.today),
    anniversary: pastDateSchema(ctx.today),
    address: textSchema(ADDRESS_MAX).default(''),
    company: textSchema(COMPANY_MAX).default(''),
    source: choiceSchema(CUSTOMER_SOURCES).default(null),
    preferredChannel: choiceSchema(CONTACT_CHANNELS).default(null),
    notes: textSchema(NOTE_MAX).default(''),
    favorites: listSchema(LIST_ITEM_MAX, LIST_MAX),
    allergies: listSchema(LIST_ITEM_MAX, LIST_MAX),
    preferredTime: z.enum(['', 'morning', 'afternoon', 'evening']).transform((value) => (value === '' ? null : value)),
    consentEmail: z.boolean().default(false),
    consentSms: z.boolean().default(false),
    tags: listSchema(TAG_MAX, TAGS_MAX),
    status: EditableCustomerStatusSchema,
    // Absent (a form without the field) leaves the count as it is.
    priorVisits: z.string().optional().transform((value, issue) => {
      if (value === undefined) return undefined;
      return parseVisitCount(value) ?? problem(issue, 'INVALID_VISITS');
    }),
    })
    .superRefine((value, issue) => {
      // A second number equal to the first finds nobody new and hides a typo.
      if (value.phone2 !== null && value.phone2 === value.phone) issue.addIssue({ code: 'custom', message: 'SAME_PHONE', path: ['phone2'] });
      // E-mail as the preferred channel with no address to write to cannot be honoured.
      if (value.preferredChannel === 'email' && value.email === null) issue.addIssue({ code: 'custom', message: 'MISSING_EMAIL', path: ['preferredChannel'] });
    });
}

/** Details that met the rules: the values a customer document holds. */
export type CheckedCustomer = z.output<ReturnType<typeof customerInputSchema>>;

/** The preferences of checked details, as the customer document holds them. */
export function preferencesOf(checked: CheckedCustomer): Preferences {
  return { favorites: checked.favorites, allergies: checked.allergies, preferredTime: checked.preferredTime };
}

/** The first problem of each field of a failed parse (a value of the wrong kind is `INVALID`). */
export function fieldProblems(error: z.ZodError): Partial<Record<CustomerInputField, FieldProblem>> {
  const problems: Partial<Record<CustomerInputField, FieldProblem>> = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (typeof field !== 'string' || field in problems) continue;
    const code = FIELD_PROBLEMS.find((known) => known === issue.message);
    problems[field as CustomerInputField] = code ?? 'INVALID';
  }
  return problems;
}
