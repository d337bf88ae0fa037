import type { RewardValue } from './customer-math.ts';

// What the analytics read of the replica's documents, and the per-day columns they add up to.

/** What the analytics read of a visit (the replica's documents have more; nothing else is kept). */
export interface VisitLike {
  id: string;
  customerId: string;
  storeId: string;
  occurredAt: string;
  total: number;
  voided: boolean;
  feedback: { rating: number } | null;
  _deleted?: boolean;
}
/** What the analytics read of a customer. */
export interface CustomerLike {
  id: string;
  name: string;
  phone: string;
  mergedInto: string | null;
  _deleted?: boolean;
}
/** What the analytics read of a ledger line. */
export interface EntryLike {
  id: string;
  customerId: string;
  storeId: string;
  kind: string;
  points: number;
  occurredAt: string;
  _deleted?: boolean;
}
/** What the analytics read of a reward. */
export interface RewardLike extends RewardValue {
  id: string;
}

/**
 * The page sends the worker only what the analytics read (the interfaces above): a visit's items, notes and
 * payment, a customer's preferences and the like would only cost structured clones both ways. Fields are
 * copied as they are (the worker checks them).
 */
export const ANALYTICS_PROJECTIONS = {
  customers: (d: CustomerLike): CustomerLike => ({ id: d.id, name: d.name, phone: d.phone, mergedInto: d.mergedInto, _deleted: d._deleted }),
  visits: (d: VisitLike): VisitLike => ({
    id: d.id, customerId: d.customerId, storeId: d.storeId, occurredAt: d.occurredAt, total: d.total, voided: d.voided,
    feedback: d.feedback ? { rating: d.feedback.rating } : null, _deleted: d._deleted,
  }),
  loyaltyEntries: (d: EntryLike): EntryLike => ({
    id: d.id, customerId: d.customerId, storeId: d.storeId, kind: d.kind, points: d.points, occurredAt: d.occurredAt, _deleted: d._deleted,
  }),
  rewards: (d: RewardLike): RewardLike => ({ id: d.id, pointsCost: d.pointsCost, value: d.value, active: d.active, _deleted: d._deleted }),
};

/** Why documents were skipped (they lacked a field the analytics read). */
export interface SkipCounts {
  visits: number;
  customers: number;
  loyaltyEntries: number;
}

/** Per-day visit columns. */
export const V_VISITS = 0;
export const V_REVENUE = 1;
export const V_VOIDED = 2;
/** Ratings 1…5 are columns V_RATING + rating − 1. */
export const V_RATING = 3;
/** Numbers per day of the visit totals. */
export const V_WIDTH = 8;
/** Per-day ledger columns (points, positive numbers except the signed net of reversals). */
export const L_EARNED = 0;
export const L_REDEEMED = 1;
export const L_EXPIRED = 2;
export const L_ADJUSTED_UP = 3;
export const L_ADJUSTED_DOWN = 4;
export const L_REVERSED = 5;
/** Numbers per day of the ledger totals. */
export const L_WIDTH = 6;

const LEDGER_KINDS = ['earn', 'redeem', 'adjust', 'reversal', 'expire'];
/** Ledger kinds as stored (indexes in LEDGER_KINDS). */
export const [EARN, REDEEM, ADJUST, REVERSAL, EXPIRE] = [0, 1, 2, 3, 4];

/** The index of a ledger kind in LEDGER_KINDS, or −1 (by its first letters: no string search per line). */
export function kindIndex(kind: unknown): number {
  if (typeof kind !== 'string') return -1;
  const index = kind.charCodeAt(0) === 101 /* e */ ? (kind.charCodeAt(1) === 97 ? EARN : EXPIRE) : kind.charCodeAt(0) === 97 ? ADJUST : kind.charCodeAt(2) === 100 ? REDEEM : REVERSAL;
  return LEDGER_KINDS[index] === kind ? index : -1;
}
