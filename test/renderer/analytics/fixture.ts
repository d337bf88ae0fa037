import type { AnalyticsSettings } from '../../../src/renderer/features/analytics/compute/aggregator.ts';
import type { CustomerLike, EntryLike, RewardLike, VisitLike } from '../../../src/renderer/features/analytics/compute/replica.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES } from '../../../src/sync/model/settings.ts';

// Small explicit documents for hand-computed tests. Ids are readable UUIDs: the last digits name the thing.

/** A UUID whose last 12 digits are `n`. */
export const uid = (n: number): string => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

/** Settings of the fixtures: Tehran (UTC+03:30, no DST since 2022), IRR, the default program and segments. */
export const SETTINGS: AnalyticsSettings = { timeZone: 'Asia/Tehran', currency: 'IRR', program: DEFAULT_PROGRAM, segments: DEFAULT_SEGMENT_RULES };

let seq = 1000;

/** A customer document. */
export function customer(id: string, name: string, extra: Partial<CustomerLike> = {}): CustomerLike {
  return { id, name, phone: `+98912000${String(seq++).slice(-4)}`, mergedInto: null, _deleted: false, ...extra };
}

/** A visit document. */
export function visit(customerId: string, storeId: string, occurredAt: string, total: number, extra: Partial<VisitLike> = {}): VisitLike {
  return { id: uid(seq++), customerId, storeId, occurredAt, total, voided: false, feedback: null, _deleted: false, ...extra };
}

/** A ledger line. */
export function entry(customerId: string, storeId: string, kind: string, points: number, occurredAt: string): EntryLike {
  return { id: uid(seq++), customerId, storeId, kind, points, occurredAt, _deleted: false };
}

/** A reward. */
export function reward(pointsCost: number, value: number, active = true): RewardLike {
  return { id: uid(seq++), pointsCost, value, active, _deleted: false };
}
