import { minorToShown, type MoneyUnit } from '../../../sync/model/money.ts';
import { DEFAULT_STAMP_CARD, StampCardSchema, programKinds, type StampCard } from '../../../sync/model/stamp-card.ts';
import type { Program } from '../../../sync/model/settings.ts';
import { issuesToErrors, readAmount, readIntegers, type FieldErrors, type Parsed } from './validation.ts';

// The stamp card form (docs/loyalty.md#stamp-cards): what the programme runs, and the card. Text as typed → the
// model's StampCardSchema → a card or field errors the UI translates; nothing is written unless all is valid.

/** What a programme runs, as the manager picks it. */
export type ProgramMode = 'points' | 'stamps' | 'both';

/** The stamp card form: numbers and names as text; qualifying items separated by commas. */
export interface StampCardForm {
  mode: ProgramMode;
  per: StampCard['per'];
  stamps: string;
  items: string;
  minTotal: string;
  cardSize: string;
  reward: string;
}

/** The kinds a stamp card form saves into the programme. */
export type ProgramKindsValue = Pick<Program, 'earnsPoints' | 'stampCard'>;

/** The form of a programme's kinds (the default card fills it in while stamps are off). */
export function stampCardToForm(kinds: ProgramKindsValue, unit: MoneyUnit): StampCardForm {
  const { points, stampCard } = programKinds(kinds);
  const card = stampCard ?? DEFAULT_STAMP_CARD;
  return {
    mode: stampCard === null ? 'points' : points ? 'both' : 'stamps',
    per: card.per,
    stamps: String(card.stamps),
    items: card.items.join(', '),
    minTotal: minorToShown(card.minTotal, unit),
    cardSize: String(card.cardSize),
    reward: card.reward,
  };
}

/** Commas in English, Persian (،) and Arabic; empty names dropped. */
function itemNames(text: string): string[] {
  return text.split(/[,\u060c;]/).map((name) => name.trim()).filter((name) => name !== '');
}

/** Validates the stamp card form with StampCardSchema; points only needs no card. */
export function parseStampCardForm(form: StampCardForm, unit: MoneyUnit): Parsed<ProgramKindsValue> {
  if (form.mode === 'points') return { ok: true, value: { earnsPoints: true, stampCard: null } };
  const errors: FieldErrors = {};
  const ints = readIntegers(form, ['stamps', 'cardSize'] as const, errors);
  const minTotal = readAmount(form.minTotal, unit, 'minTotal', errors, false) ?? 0;
  const reward = form.reward.trim();
  if (reward === '') errors.reward = { code: 'required' };
  const items = form.per === 'item' ? itemNames(form.items) : [];
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const result = StampCardSchema.safeParse({ per: form.per, stamps: ints.stamps, items, minTotal, cardSize: ints.cardSize, reward });
  if (!result.success) return { ok: false, errors: issuesToErrors(result.error.issues, errors) };
  return { ok: true, value: { earnsPoints: form.mode === 'both', stampCard: result.data } };
}
