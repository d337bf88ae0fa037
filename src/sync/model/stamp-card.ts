import { z } from 'zod';
import { NonNegativeIntSchema } from './common.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import { foldName } from './text.ts';
import type { VisitItem } from './visit.ts';

// Stamp cards (docs/loyalty.md#stamp-cards): "the 10th coffee is free". Stamps are ledger lines like points
// (kinds stamp / stamp_redeem / stamp_reversal, the count in `stamps`), so a card's count is always the sum of
// its group's stamp lines — never a stored number two offline tills could overwrite.

/** How stamps are earned: per qualifying visit, or per qualifying item on it. */
export const StampPerSchema = z.enum(['visit', 'item']);

/** The merchant's stamp card. */
export const StampCardSchema = z
  .strictObject({
    per: StampPerSchema,
    /** Stamps for each qualifying visit (per visit) or each qualifying item (per item). */
    stamps: z.int().min(1).max(10),
    /** Names of the qualifying items (per item), matched whole after folding case and letter variants. */
    items: z.array(z.string().min(1).max(120)).max(50),
    /** A visit qualifies at this total or more (minor units); 0 = every visit. */
    minTotal: NonNegativeIntSchema,
    /** The card is full, and its reward due, at this many stamps. */
    cardSize: z.int().min(2).max(100),
    /** The reward, as the counter shows it ("a free coffee"). */
    reward: z.string().min(1).max(200),
  })
  .check((ctx) => {
    if (ctx.value.per === 'item' && ctx.value.items.length === 0)
      ctx.issues.push({ code: 'custom', message: 'ITEMS_REQUIRED', input: ctx.value.items, path: ['items'] });
  });
/** The stamp card of a programme. */
export type StampCard = z.infer<typeof StampCardSchema>;

/** A sensible first card a manager switching stamps on starts from. */
export const DEFAULT_STAMP_CARD: StampCard = { per: 'visit', stamps: 1, items: [], minTotal: 0, cardSize: 10, reward: 'A free coffee' };

/** What a programme runs: points, stamps, or both (a programme without the fields runs points only). */
export interface ProgramKinds {
  readonly points: boolean;
  readonly stampCard: StampCard | null;
}

/** The kinds of a programme. */
export function programKinds(program: { earnsPoints?: boolean | undefined; stampCard?: StampCard | null | undefined }): ProgramKinds {
  return { points: program.earnsPoints ?? true, stampCard: program.stampCard ?? null };
}

/** Stamps a visit earns on `card` (0 when none, or when the visit does not qualify). */
export function stampsForVisit(visit: { items: readonly Pick<VisitItem, 'name' | 'quantity'>[]; total: number }, card: StampCard | null): number {
  if (card === null || visit.total < card.minTotal) return 0;
  if (card.per === 'visit') return card.stamps;
  const names = new Set(card.items.map(foldName));
  const quantity = visit.items.reduce((sum, item) => sum + (names.has(foldName(item.name)) ? item.quantity : 0), 0);
  return quantity * card.stamps;
}

/** The stamp count of a ledger: the sum of its live stamp lines (order does not matter, tombstones skipped). */
export function stampCount(entries: readonly Pick<LoyaltyEntry, 'stamps' | '_deleted'>[]): number {
  let count = 0;
  for (const e of entries) if (!e._deleted) count += e.stamps ?? 0;
  return count;
}

/** A card as the counter shows it: "7 of 10", full or not, and the stamps that go on to the next card. */
export interface StampCardProgress {
  readonly count: number;
  /** Stamps on the current card (0 … cardSize). */
  readonly onCard: number;
  readonly cardSize: number;
  readonly full: boolean;
  /** Stamps past a full card, which stay after its redemption. */
  readonly carried: number;
  readonly reward: string;
}

/** The progress of a ledger's stamp card. */
export function stampCardProgress(entries: readonly Pick<LoyaltyEntry, 'stamps' | '_deleted'>[], card: StampCard): StampCardProgress {
  const count = stampCount(entries);
  return {
    count,
    onCard: Math.max(0, Math.min(count, card.cardSize)),
    cardSize: card.cardSize,
    full: count >= card.cardSize,
    carried: Math.max(0, count - card.cardSize),
    reward: card.reward,
  };
}
