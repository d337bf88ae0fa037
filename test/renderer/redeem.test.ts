import { describe, expect, it } from 'vitest';
import { ledgerEntry, newVisit } from '../../src/sync/model/document-builders.ts';
import type { VisitReceipt } from '../../src/main/ipc/contract.ts';
import { buildReceipt } from '../../src/renderer/features/counter/receipt.ts';
import { catalogFor, offlineRedeemedToday, rewardBlock } from '../../src/sync/model/redemption.ts';
import type { Reward } from '../../src/sync/model/reward.ts';
import { dataAgeHours, laterOf, readLastSync, rememberLastSync } from '../../src/sync/client/last-sync.ts';

const base = {
  merchantId: '01890a5d-ac96-774b-bcce-b302099a8058',
  storeId: '01890a5d-ac96-774b-bcce-b302099a8059',
  terminalId: '01890a5d-ac96-774b-bcce-b302099a8057',
  staffId: '01890a5d-ac96-774b-bcce-b302099a8061',
};
const CUSTOMER = '01890a5d-ac96-774b-bcce-b302099a8062';

function reward(overrides: Partial<Reward>): Reward {
  return {
    id: '01890a5d-ac96-774b-bcce-b302099a8070',
    merchantId: base.merchantId,
    updatedAt: '2025-01-01T00:00:00.000Z',
    _deleted: false,
    name: 'Free espresso',
    description: '',
    type: 'freeItem',
    pointsCost: 100,
    value: 0,
    itemName: 'Espresso',
    percent: 0,
    cap: null,
    stock: null,
    minTier: null,
    validFrom: null,
    validUntil: null,
    active: true,
    updatedBy: base.staffId,
    ...overrides,
  };
}

describe('reward eligibility', () => {
  const ctx = { tier: 'silver' as const, balance: 150, today: '2025-03-20' };
  it('explains why a reward is not available now', () => {
    expect(rewardBlock(reward({}), ctx)).toBeNull();
    expect(rewardBlock(reward({ active: false }), ctx)).toBe('inactive');
    expect(rewardBlock(reward({ validFrom: '2025-03-21' }), ctx)).toBe('notYet');
    expect(rewardBlock(reward({ validUntil: '2025-03-19' }), ctx)).toBe('expired');
    expect(rewardBlock(reward({ validUntil: '2025-03-20' }), ctx)).toBeNull();
    expect(rewardBlock(reward({ minTier: 'gold' }), ctx)).toBe('tier');
    expect(rewardBlock(reward({ minTier: 'silver' }), ctx)).toBeNull();
    expect(rewardBlock(reward({ stock: 0 }), ctx)).toBe('outOfStock');
    expect(rewardBlock(reward({ pointsCost: 151 }), ctx)).toBe('points');
  });

  it('lists active rewards in their window, cheapest first', () => {
    const list = catalogFor(
      [
        reward({ id: 'b', pointsCost: 300 }),
        reward({ id: 'a', pointsCost: 100 }),
        reward({ id: 'c', active: false }),
        reward({ id: 'd', validUntil: '2025-01-01' }),
      ],
      '2025-03-20',
    );
    expect(list.map((r) => r.id)).toEqual(['a', 'b']);
  });
});

describe('offline redemptions today', () => {
  it("counts only this terminal's offline redemptions of today in the merchant zone", () => {
    const at = (now: string, offline: boolean, terminalId = base.terminalId) =>
      ledgerEntry({ kind: 'redeem', points: -50, customerId: CUSTOMER }, { ...base, terminalId, now, offline });
    const entries = [
      at('2025-03-20T21:00:00.000Z', true), // 00:30 on 21 March in Tehran: today
      at('2025-03-20T20:00:00.000Z', true), // 23:30 on 20 March in Tehran: yesterday
      at('2025-03-21T08:00:00.000Z', false), // online
      at('2025-03-21T08:00:00.000Z', true, '01890a5d-ac96-774b-bcce-b302099a8099'), // another terminal
      at('2025-03-21T09:00:00.000Z', true),
    ];
    expect(offlineRedeemedToday(entries, base.terminalId, new Date('2025-03-21T10:00:00.000Z'), 'Asia/Tehran')).toBe(
      100,
    );
  });
});

describe('last sync memory', () => {
  it('remembers the latest sync per terminal and ages it', () => {
    const map = new Map<string, string>();
    const storage = {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
    };
    rememberLastSync(storage, 't1', '2025-03-20T10:00:00.000Z');
    rememberLastSync(storage, 't1', '2025-03-20T09:00:00.000Z');
    expect(readLastSync(storage, 't1')).toBe('2025-03-20T10:00:00.000Z');
    expect(readLastSync(storage, 't2')).toBeNull();
    expect(laterOf(null, '2025-01-01T00:00:00.000Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(dataAgeHours('2025-03-20T10:00:00.000Z', Date.parse('2025-03-20T13:00:00.000Z'))).toBe(3);
    expect(dataAgeHours(null, 0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('receipt', () => {
  it('carries the visit, the store and the balance in the UI language', () => {
    const { visit } = newVisit(
      {
        customerId: CUSTOMER,
        items: [{ name: 'Latte', quantity: 2, unitPrice: 85_000 }],
        discount: 10_000,
        currency: 'IRR',
        paymentMethod: 'card',
      },
      160,
      { ...base, now: '2025-03-20T10:00:00.000Z', offline: false },
    );
    const receipt: VisitReceipt = buildReceipt({
      visit,
      settings: {
        businessName: 'Café',
        timeZone: 'Asia/Tehran',
        stores: [{ id: base.storeId, name: 'Vanak', address: 'Tehran' }],
      },
      customer: { name: 'Ali', phone: '+989121234567' },
      staffName: 'Sara',
      locale: 'fa',
      pointsBalance: 900,
    });
    expect(receipt).toMatchObject({
      storeName: 'Vanak',
      subtotal: 170_000,
      discount: 10_000,
      total: 160_000,
      pointsEarned: 160,
      pointsBalance: 900,
      locale: 'fa',
      items: [{ name: 'Latte', quantity: 2, unitPrice: 85_000 }],
    });
  });
});
