import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { statsOf } from '../../../src/sync/model/customer-stats.ts';
import { ledgerEntry, newCustomer, newVisit } from '../../../src/sync/model/document-builders.ts';
import { DEFAULT_PROGRAM, DEFAULT_SEGMENT_RULES, type Settings } from '../../../src/sync/model/settings.ts';
import { statsHorizon } from '../../../src/sync/model/stats-horizon.ts';
import { FIXED_CONTEXT } from '../../helpers/documents.ts';

// A group's statistics derived at one instant hold, with no document changed, until its horizon: at the last
// millisecond before it they read exactly as when derived.

const ctx = FIXED_CONTEXT;
const DAY = 86_400_000;
const FROM = Date.parse('2025-03-21T10:00:00.000Z');
const customer = newCustomer({ phone: '09121234567', name: 'Customer one' }, ctx, 'IR');

describe('statsHorizon', () => {
  it('statistics derived at an instant read the same until the horizon (property)', () => {
    const seed = Number(process.env.PATRON_SEED ?? Date.now() % 1_000_000_000);
    console.log(`stats-horizon property seed ${seed} (PATRON_SEED=${seed} to replay)`);
    const instant = fc.integer({ min: -200 * DAY, max: 10 * DAY }).map((offset) => FROM + offset);
    const rules = fc.record({ windowDays: fc.integer({ min: 7, max: 120 }), newDays: fc.integer({ min: 1, max: 60 }), atRiskDays: fc.integer({ min: 5, max: 60 }), extra: fc.integer({ min: 1, max: 90 }), regularMinVisits: fc.integer({ min: 1, max: 4 }) });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(instant, fc.boolean()), { maxLength: 8 }),
        fc.array(fc.tuple(instant, fc.integer({ min: -200, max: 300 }).filter((p) => p !== 0)), { maxLength: 6 }),
        rules,
        fc.option(fc.integer({ min: 5, max: 120 }), { nil: null }),
        fc.integer({ min: 0, max: 300 * DAY }),
        (visitSpecs, entrySpecs, r, expiryDays, later) => {
          const segments = { ...DEFAULT_SEGMENT_RULES, windowDays: r.windowDays, newDays: r.newDays, atRiskDays: r.atRiskDays, churnedDays: r.atRiskDays + r.extra, regularMinVisits: r.regularMinVisits, vipMinVisits: r.regularMinVisits + 1, vipMinSpend: 1 };
          const settings = { timeZone: 'Asia/Tehran', program: { ...DEFAULT_PROGRAM, expiryDays }, segments } as unknown as Settings;
          const visits = visitSpecs.map(([at, voided]) => ({ ...newVisit({ customerId: customer.id, items: [], amount: 100_000, currency: 'IRR', paymentMethod: 'cash' }, 0, { ...ctx, now: new Date(at).toISOString() }).visit, voided }));
          const entries = entrySpecs.map(([at, points]) => ledgerEntry({ kind: 'adjust', points, customerId: customer.id, note: '' }, { ...ctx, now: new Date(at).toISOString() }));
          const horizon = statsHorizon(visits, entries, settings, FROM);
          expect(horizon).toBeGreaterThanOrEqual(FROM);
          const until = Math.min(horizon - 1, FROM + later);
          if (until < FROM) return;
          expect(statsOf(customer, visits, entries, settings, new Date(until))).toEqual(statsOf(customer, visits, entries, settings, new Date(FROM)));
        },
      ),
      { seed, numRuns: 500 },
    );
  });
});
