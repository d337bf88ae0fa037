import type { Tier } from '../../../sync/model/common.ts';
import type { NewVisitInput } from '../../../sync/model/document-builders.ts';
import { pointsForVisit } from '../../../sync/model/loyalty.ts';
import { parseMoneyIn, type MoneyUnit } from '../../../sync/model/money.ts';
import { PatronError } from '../../../sync/model/errors.ts';
import type { Program } from '../../../sync/model/settings.ts';
import { toAsciiDigits } from '../../../sync/model/text.ts';
import { PaymentMethodSchema, type PaymentMethod, type VisitItem } from '../../../sync/model/visit.ts';
import { programKinds, stampsForVisit } from '../../../sync/model/stamp-card.ts';

// The visit form as typed text, parsed into the model's input: amounts in the merchant's shown unit (toman or
// rial for IRR; Persian digits and separators accepted by parseMoneyIn), optional item lines, a discount; and
// the points the visit will earn, shown before the cashier confirms.

/** Payment methods in the order the form offers them. */
export const PAYMENT_METHODS: readonly PaymentMethod[] = PaymentMethodSchema.options;

/** One item line as typed. */
export interface ItemLineValues {
  key: string;
  name: string;
  quantity: string;
  unitPrice: string;
}

/** The form as typed. */
export interface VisitFormValues {
  amount: string;
  items: ItemLineValues[];
  discount: string;
  paymentMethod: PaymentMethod;
  notes: string;
}

/** Inline errors as i18n keys: `amount`, `discount`, `notes`, and `items.<index>.<field>`. */
export type VisitFormErrors = Record<string, string>;

/** A parsed form: the input for newVisit (without customer and currency) and the money it adds up to. */
export type ParsedVisit =
  | {
      ok: true;
      input: Pick<NewVisitInput, 'items' | 'amount' | 'discount' | 'paymentMethod' | 'notes'>;
      subtotal: number;
      discount: number;
      total: number;
    }
  | { ok: false; errors: VisitFormErrors };

/** An empty visit form. */
export function emptyVisitForm(): VisitFormValues {
  return { amount: '', items: [], discount: '', paymentMethod: 'cash', notes: '' };
}

/** An amount typed in `unit`, in minor units, or the i18n key of why it cannot be read. */
function money(text: string, unit: MoneyUnit): number | string {
  try {
    return parseMoneyIn(text, unit);
  } catch (error) {
    return error instanceof PatronError && error.details?.reason === 'TOMAN_FRACTION' ? 'counter:validation.tomanFraction' : 'counter:validation.amount';
  }
}

/**
 * Parses the form. With item lines the subtotal is their sum and the amount field is not used; without,
 * the amount is required. The discount may not exceed the subtotal (the model would silently cap it).
 */
export function parseVisitForm(values: VisitFormValues, unit: MoneyUnit): ParsedVisit {
  const errors: VisitFormErrors = {};
  const items: VisitItem[] = [];
  values.items.forEach((line, index) => {
    const name = line.name.trim();
    if (name === '') errors[`items.${index}.name`] = 'common:fields.REQUIRED';
    else if (name.length > 120) errors[`items.${index}.name`] = 'common:fields.TOO_LONG';
    const quantityText = toAsciiDigits(line.quantity.trim() || '1');
    const quantity = /^\d{1,5}$/.test(quantityText) ? Number(quantityText) : NaN;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 10_000)
      errors[`items.${index}.quantity`] = 'counter:validation.quantity';
    const unitPrice = line.unitPrice.trim() === '' ? 'counter:validation.amount' : money(line.unitPrice, unit);
    if (typeof unitPrice === 'string') errors[`items.${index}.unitPrice`] = unitPrice;
    else if (name !== '' && Number.isInteger(quantity)) items.push({ name, quantity, unitPrice });
  });
  let subtotal = 0;
  let amount: number | undefined;
  if (values.items.length > 0) subtotal = items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  else if (values.amount.trim() === '') errors.amount = 'common:fields.REQUIRED';
  else {
    const parsed = money(values.amount, unit);
    if (typeof parsed === 'string') errors.amount = parsed;
    else subtotal = amount = parsed;
  }
  let discount = 0;
  if (values.discount.trim() !== '') {
    const parsed = money(values.discount, unit);
    if (typeof parsed === 'string') errors.discount = parsed;
    else if (parsed > subtotal) errors.discount = 'counter:validation.discountTooLarge';
    else discount = parsed;
  }
  if (values.notes.length > 1000) errors.notes = 'common:fields.TOO_LONG';
  if (!Number.isSafeInteger(subtotal)) errors.amount = 'counter:validation.amount';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    input: {
      items,
      ...(amount !== undefined ? { amount } : {}),
      discount,
      paymentMethod: values.paymentMethod,
      notes: values.notes.trim(),
    },
    subtotal,
    discount,
    total: subtotal - discount,
  };
}

/** Points a visit earns at the customer's tier; a blocked customer earns nothing. */
export function previewPoints(total: number, tier: Tier, program: Program, blocked: boolean): number {
  // As recordVisit: a stamps-only programme earns no points.
  if (blocked || !programKinds(program).points) return 0;
  try {
    return pointsForVisit({ total, tier }, program);
  } catch {
    return 0;
  }
}

/** The stamps the visit would put on the card (as recordVisit computes them); null when the programme has no card. */
export function previewStamps(parsed: ParsedVisit, program: Program, blocked: boolean): number | null {
  const card = programKinds(program).stampCard;
  if (card === null) return null;
  return parsed.ok && !blocked ? stampsForVisit({ items: parsed.input.items, total: parsed.total }, card) : 0;
}
