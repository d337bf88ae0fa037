import { describe, expect, it } from 'vitest';
import { cardHistory } from '../../../src/sync/model/card-history.ts';
import { customerStory } from '../../../src/sync/model/customer-story.ts';
import type { WriteContext } from '../../../src/sync/model/document-builders.ts';
import { voidVisit } from '../../../src/sync/model/document-builders.ts';
import { DEFAULT_SEGMENT_RULES } from '../../../src/sync/model/settings.ts';
import { aRedeem, aVisit } from '../../helpers/documents.ts';

// Issue 17 item 6: what the customer card tells — its figures and its history.

const ids = { merchantId: '0190a0b0-0000-7000-8000-000000000001', storeId: '0190a0b0-0000-7000-8000-000000000002', terminalId: '0190a0b0-0000-7000-8000-000000000003', staffId: '0190a0b0-0000-7000-8000-000000000004' };
const ctx = (iso: string): WriteContext => ({ ...ids, now: iso, offline: false });
const customerId = '0190a0b0-0000-7000-8000-000000000010';

describe('the customer card', () => {
  const first = aVisit(ctx('2026-11-01T09:00:00.000Z'), customerId, 3_000_000, 3_000);
  const second = aVisit(ctx('2026-11-20T09:00:00.000Z'), customerId, 1_000_000, 1_000);
  const redeem = aRedeem(ctx('2026-11-21T09:00:00.000Z'), customerId, 300);

  it('lists visits and redemptions newest first; a visit’s points only once its ledger line is there (a second terminal)', () => {
    const rows = cardHistory([first.visit, second.visit], [first.earn!, redeem]);
    expect(rows.map((r) => r.kind)).toEqual(['redeem', 'visit', 'visit']);
    expect(rows.filter((r) => r.kind === 'visit').map((r) => r.pointsArrived)).toEqual([false, true]);
    expect(cardHistory([second.visit], [second.earn!]).map((r) => r.kind === 'visit' && r.pointsArrived)).toEqual([true]);
  });

  it('counts visits, lifetime spend and average ticket without voided visits, with the segment by the rules', () => {
    const now = new Date('2026-11-25T09:00:00.000Z');
    const voided = voidVisit(second.visit, second.earn, 'wrong amount', ctx('2026-11-22T09:00:00.000Z')).visit;
    expect(customerStory([first.visit, second.visit], now, DEFAULT_SEGMENT_RULES)).toEqual({ visitCount: 2, priorVisits: 0, lifetimeSpend: 4_000_000, averageTicket: 2_000_000, segment: 'new' });
    // Visits before Patron count in the all-time visits only: not in the average ticket, not in the segment.
    expect(customerStory([first.visit, second.visit], now, DEFAULT_SEGMENT_RULES, 30)).toEqual({ visitCount: 32, priorVisits: 30, lifetimeSpend: 4_000_000, averageTicket: 2_000_000, segment: 'new' });
    expect(customerStory([], now, DEFAULT_SEGMENT_RULES, 7)).toEqual({ visitCount: 7, priorVisits: 7, lifetimeSpend: 0, averageTicket: null, segment: 'none' });
    expect(customerStory([first.visit, voided], now, DEFAULT_SEGMENT_RULES)).toMatchObject({ visitCount: 1, lifetimeSpend: 3_000_000, averageTicket: 3_000_000 });
    expect(customerStory([], now, DEFAULT_SEGMENT_RULES)).toEqual({ visitCount: 0, priorVisits: 0, lifetimeSpend: 0, averageTicket: null, segment: 'none' });
  });
});
