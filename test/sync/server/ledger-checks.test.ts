import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEntry, newVisit, stampLine, stampReversal, voidVisit } from '../../../src/sync/model/document-builders.ts';
import { newId, redeemEntryId, reversalEntryId } from '../../../src/sync/model/ids.ts';
import type { Reward } from '../../../src/sync/model/reward.ts';
import type { LoyaltyEntry } from '../../../src/sync/model/loyalty-entry.ts';
import type { Settings } from '../../../src/sync/model/settings.ts';
import { customerBalance, groupStampCounts } from '../../../src/sync/server/sync/balances.ts';
import { aCustomer, aVisit, insertRow, updateRow } from '../../helpers/documents.ts';
import { enrolTerminal, startServerFixture, type ServerFixture } from '../../helpers/sync-server.ts';

// Issue 14 item 3: the ledger checked on the server, over HTTP with a valid terminal token. Each forged line is
// quarantined with an inbox item and never reaches a balance; the honest lines the app writes are accepted.

describe('the ledger checked on the server', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await startServerFixture('postgres');
  });
  afterAll(async () => {
    await f?.close();
  });

  async function customerWithVisit(total: number, points: number) {
    const ctx = f.till.ctx(f.seed.cashier);
    const customer = aCustomer(ctx);
    await f.till.push('customers', [insertRow(customer)]);
    const { visit, earn } = aVisit(ctx, customer.id, total, points);
    expect(await f.till.push('visits', [insertRow(visit)])).toEqual({ conflicts: [], rejected: [] });
    expect(await f.till.push('loyaltyEntries', [insertRow(earn!)])).toEqual({ conflicts: [], rejected: [] });
    return { ctx, customer, visit, earn: earn! };
  }
  const balance = (customerId: string) => customerBalance(f.tdb.db, f.seed.merchantId, customerId);
  async function refused(entry: LoyaltyEntry, reason: RegExp) {
    const answer = await f.till.push('loyaltyEntries', [insertRow(entry)]);
    expect(answer.rejected).toEqual([{ id: entry.id, code: expect.any(String) }]);
    const { rows } = await f.tdb.db.query<{ reason: string }>(`SELECT reason FROM rejected_writes WHERE merchant_id = $1 AND document_id = $2 ORDER BY id DESC LIMIT 1`, [f.seed.merchantId, entry.id]);
    expect(rows.map((r) => r.reason)).toEqual([expect.stringMatching(reason)]);
    const inbox = await f.till.pullAll('inbox');
    expect(inbox.filter((i) => i.kind === 'rejected_write' && i.relatedId === entry.id).length).toBeGreaterThan(0);
  }

  it('refuses a cashier reversal of +1,000,000 naming an entry that does not exist', async () => {
    const { ctx, customer } = await customerWithVisit(100_000, 100);
    const missing = newId();
    await refused(ledgerEntry({ id: reversalEntryId(missing), kind: 'reversal', points: 1_000_000, customerId: customer.id, reversesId: missing }, ctx), /existing ledger line/);
    expect(await balance(customer.id)).toBe(100);
  });

  it('refuses a cashier earn of 9,000,000,000 with no visit, and an earn above its visit’s points', async () => {
    const { ctx, customer, visit } = await customerWithVisit(100_000, 100);
    await refused(ledgerEntry({ kind: 'earn', points: 9_000_000_000, customerId: customer.id }, ctx), /names its visit/);
    const { visit: big, earn } = aVisit(ctx, customer.id, 50_000, 9_000);
    await f.till.push('visits', [insertRow(big)]);
    await refused(earn!, /programme's points/);
    void visit;
    expect(await balance(customer.id)).toBe(100);
  });

  it('holds an earn that arrives before its visit out of every balance, then accepts it with the visit', async () => {
    const ctx = f.till.ctx(f.seed.cashier);
    const customer = aCustomer(ctx);
    await f.till.push('customers', [insertRow(customer)]);
    const { visit, earn } = aVisit(ctx, customer.id, 250_000, 250);
    expect(await f.till.push('loyaltyEntries', [insertRow(earn!)])).toEqual({ conflicts: [], rejected: [] });
    expect(await balance(customer.id)).toBe(0);
    expect((await f.till.pullAll('loyaltyEntries')).some((e) => e.id === earn!.id)).toBe(false);
    await f.till.push('visits', [insertRow(visit)]);
    expect(await balance(customer.id)).toBe(250);
    expect((await f.till.pullAll('loyaltyEntries')).find((e) => e.id === earn!.id)).toEqual(earn);

    // Recorded and voided offline: the earn and the void's reversal may both arrive before the visit.
    const sale = aVisit(ctx, customer.id, 300_000, 300);
    const voided = voidVisit(sale.visit, sale.earn, 'mistake', ctx);
    expect(await f.till.push('loyaltyEntries', [insertRow(sale.earn!), insertRow(voided.reversal!)])).toEqual({ conflicts: [], rejected: [] });
    await f.till.push('visits', [insertRow(voided.visit)]);
    expect(await balance(customer.id)).toBe(250);
    expect((await f.till.pullAll('loyaltyEntries')).filter((e) => e.visitId === sale.visit.id)).toHaveLength(2);
  });

  it('takes a reversal once, for at most its line, on the same customer; a void’s and an undo’s are accepted', async () => {
    const { ctx, customer, visit, earn } = await customerWithVisit(500_000, 500);
    const redeem = ledgerEntry({ kind: 'redeem', points: -200, customerId: customer.id }, ctx);
    await f.till.push('loyaltyEntries', [insertRow(redeem)]);
    const other = aCustomer(ctx);
    await refused(ledgerEntry({ id: reversalEntryId(redeem.id), kind: 'reversal', points: 201, customerId: customer.id, reversesId: redeem.id }, ctx), /at most/);
    await refused(ledgerEntry({ id: reversalEntryId(redeem.id), kind: 'reversal', points: 200, customerId: other.id, reversesId: redeem.id }, ctx), /customer/);
    await refused(ledgerEntry({ kind: 'reversal', points: 200, customerId: customer.id, reversesId: redeem.id }, ctx), /derived/);
    const undo = ledgerEntry({ id: reversalEntryId(redeem.id), kind: 'reversal', points: 200, customerId: customer.id, reversesId: redeem.id }, ctx);
    const voided = voidVisit(visit, earn, 'wrong customer', ctx);
    expect(await f.till.push('visits', [updateRow(voided.visit, visit)])).toEqual({ conflicts: [], rejected: [] });
    expect(await f.till.push('loyaltyEntries', [insertRow(undo), insertRow(voided.reversal!)])).toEqual({ conflicts: [], rejected: [] });
    expect(await balance(customer.id)).toBe(0);
  });

  it('a redemption costs its reward’s points; an adjustment stays within the role’s limit; expiry is never written', async () => {
    const { ctx, customer } = await customerWithVisit(900_000, 900);
    const manager = f.till.ctx(f.seed.manager);
    const reward = { id: newId(), merchantId: f.seed.merchantId, updatedAt: new Date(Date.parse(ctx.now) - 60_000).toISOString(), _deleted: false, name: 'Cake', description: '', type: 'freeItem' as const, itemName: 'Cake', percent: 0, cap: null, pointsCost: 300, value: 0, stock: null, minTier: null, validFrom: null, validUntil: null, active: true, updatedBy: f.seed.manager.id };
    await f.till.push('rewards', [insertRow(reward)]);
    await refused(ledgerEntry({ kind: 'redeem', points: -1, customerId: customer.id, rewardId: reward.id }, ctx), /cost/);
    expect((await f.till.push('loyaltyEntries', [insertRow(ledgerEntry({ kind: 'redeem', points: -300, customerId: customer.id, rewardId: reward.id }, ctx))])).rejected).toEqual([]);
    await refused(ledgerEntry({ kind: 'adjust', points: 101, customerId: customer.id }, ctx), /cashier limit/);
    expect((await f.till.push('loyaltyEntries', [insertRow(ledgerEntry({ kind: 'adjust', points: 5_000, customerId: customer.id }, manager))])).rejected).toEqual([]);
    await refused(ledgerEntry({ kind: 'adjust', points: 50_000, customerId: customer.id }, manager), /manager limit/);
    await refused(ledgerEntry({ kind: 'expire', points: -10, customerId: customer.id }, manager), /derived/);
    expect(await balance(customer.id)).toBe(900 - 300 + 5_000);
  });

  it('the manager’s adjustment limit is the merchant’s setting, as on the terminal', async () => {
    const { customer } = await customerWithVisit(100_000, 100);
    const manager = f.till.ctx(f.seed.manager);
    const setLimit = async (managerAdjustLimit: number) => {
      const current = (await f.till.pullAll('settings'))[0] as Settings;
      const next = { ...current, program: { ...current.program, managerAdjustLimit }, updatedAt: new Date().toISOString(), updatedBy: f.seed.manager.id };
      expect(await f.till.push('settings', [updateRow(next, current)])).toEqual({ conflicts: [], rejected: [] });
    };
    await setLimit(60_000);
    expect((await f.till.push('loyaltyEntries', [insertRow(ledgerEntry({ kind: 'adjust', points: 50_000, customerId: customer.id, note: 'event' }, manager))])).rejected).toEqual([]);
    await setLimit(2_000);
    await refused(ledgerEntry({ kind: 'adjust', points: 5_000, customerId: customer.id, note: 'event' }, manager), /manager limit/);
    await setLimit(10_000);
    expect(await balance(customer.id)).toBe(100 + 50_000);
  });

  it('an overdraft item says what overdrew, with its own figures (issue 17: a void after a redemption)', async () => {
    const { ctx, customer, visit, earn } = await customerWithVisit(1_500_000, 1_500);
    await f.till.push('loyaltyEntries', [insertRow(ledgerEntry({ kind: 'redeem', points: -1_000, customerId: customer.id }, ctx))]);
    const voided = voidVisit(visit, earn, 'mistake', f.till.ctx(f.seed.manager));
    await f.till.push('visits', [updateRow(voided.visit, visit)]);
    await f.till.push('loyaltyEntries', [insertRow(voided.reversal!)]);
    const items = (await f.till.pullAll('inbox')).filter((i) => i.kind === 'overdraft' && i.customerId === customer.id);
    expect(items.map((i) => i.details)).toEqual([expect.objectContaining({ kind: 'reversal', points: '-1500', balance: '-1000', offline: 'false', visitId: visit.id })]);
  });

  it('the overdraft check counts expired points out, as every terminal does at the same instant', async () => {
    const old = { ...f.till.ctx(f.seed.cashier), now: new Date(Date.now() - 400 * 86_400_000).toISOString() };
    const customer = aCustomer(old);
    await f.till.push('customers', [insertRow(customer)]);
    const { visit, earn } = aVisit(old, customer.id, 1_000_000, 1_000);
    await f.till.push('visits', [insertRow(visit)]);
    await f.till.push('loyaltyEntries', [insertRow(earn!)]);
    const redeem = ledgerEntry({ kind: 'redeem', points: -500, customerId: customer.id }, f.till.ctx(f.seed.cashier));
    await f.till.push('loyaltyEntries', [insertRow(redeem)]);
    const items = (await f.till.pullAll('inbox')).filter((i) => i.kind === 'overdraft' && i.customerId === customer.id);
    expect(items.map((i) => i.details)).toEqual([expect.objectContaining({ kind: 'redeem', balance: '-500' })]);
  });

  // Issue 18 item 5: stamp lines are checked like the points ledger. Without the stamp checks each forged line
  // below would be written and counted on the card.
  it('stamp cards: a visit stamps within the programme, a card is redeemed whole, a void takes its stamps back; forgeries are quarantined', async () => {
    // A till of its own: refusals count against a terminal's hourly allowance of inbox items (quarantine.ts).
    f.till = await enrolTerminal(f.app, f.tdb.db, f.seed, 'Stamp till');
    const manager = f.till.ctx(f.seed.manager);
    const current = (await f.till.pullAll('settings'))[0] as Settings;
    const stampCard = { per: 'item' as const, stamps: 1, items: ['Coffee'], minTotal: 0, cardSize: 3, reward: 'A free coffee' };
    const next = { ...current, program: { ...current.program, stampCard }, updatedAt: new Date().toISOString(), updatedBy: f.seed.manager.id };
    expect(await f.till.push('settings', [updateRow(next, current)])).toEqual({ conflicts: [], rejected: [] });

    const ctx = f.till.ctx(f.seed.cashier);
    const customer = aCustomer(ctx);
    await f.till.push('customers', [insertRow(customer)]);
    const sale = (coffees: number) =>
      newVisit({ customerId: customer.id, items: [{ name: 'coffee', quantity: coffees, unitPrice: 50_000 }, { name: 'Cake', quantity: 1, unitPrice: 90_000 }], currency: 'IRR', paymentMethod: 'cash' }, 0, ctx).visit;
    const stamps = () => groupStampCounts(f.tdb.db, f.seed.merchantId, [customer.id]).then((m) => m.get(customer.id)?.balance);
    const two = sale(2);
    await f.till.push('visits', [insertRow(two)]);
    // Three stamps for a visit with two coffees: more than the programme gives.
    await refused(stampLine(two, 3, ctx)!, /more stamps than the programme/);
    expect(await f.till.push('loyaltyEntries', [insertRow(stampLine(two, 2, ctx)!)])).toEqual({ conflicts: [], rejected: [] });
    // A stamp line that is not its visit's (a free id) can be pushed any number of times: refused.
    await refused(ledgerEntry({ kind: 'stamp', points: 0, stamps: 1, customerId: customer.id, visitId: two.id }, ctx), /id derived from the visit/);
    // A card redemption of another size than the card's.
    await refused(ledgerEntry({ kind: 'stamp_redeem', points: 0, stamps: -1, customerId: customer.id }, ctx), /exactly one full card/);
    // A reversal of a stamp line that does not exist.
    const other = sale(1);
    await f.till.push('visits', [insertRow(other)]);
    await refused(stampReversal(other, 1, ctx), /existing stamp line/);
    expect(await stamps()).toBe(2);

    // A redemption of the incomplete card (2 of 3) is kept — the reward was handed over — and raised in the inbox.
    const early = ledgerEntry({ kind: 'stamp_redeem', points: 0, stamps: -3, customerId: customer.id, note: 'A free coffee' }, { ...ctx, offline: true });
    expect(await f.till.push('loyaltyEntries', [insertRow(early)])).toEqual({ conflicts: [], rejected: [] });
    const items = (await f.till.pullAll('inbox')).filter((i) => i.kind === 'overdraft' && i.relatedId === early.id);
    expect(items.map((i) => i.details)).toEqual([expect.objectContaining({ unit: 'stamps', kind: 'stamp_redeem', stamps: '-3', balance: '-1', offline: 'true' })]);

    // The void of the two-coffee visit takes back exactly its two stamps, once.
    await refused({ ...stampReversal(two, 3, manager) }, /at most the stamps/);
    const reversal = stampReversal(two, 2, manager);
    expect(await f.till.push('loyaltyEntries', [insertRow(reversal)])).toEqual({ conflicts: [], rejected: [] });
    expect(await stamps()).toBe(-3);
    expect((await f.till.pullAll('loyaltyEntries')).filter((e) => e.customerId === customer.id).map((e) => e.kind).sort()).toEqual(['stamp', 'stamp_redeem', 'stamp_reversal']);
    expect(await balance(customer.id)).toBe(0);

    // Recorded and voided offline: the stamps and the void's reversal arrive before the visit — held out of the
    // count, then checked and written with it.
    const late = sale(3);
    const lateStamps = stampLine(late, 3, ctx)!;
    expect(await f.till.push('loyaltyEntries', [insertRow(lateStamps), insertRow(stampReversal(late, 3, ctx))])).toEqual({ conflicts: [], rejected: [] });
    expect(await stamps()).toBe(-3);
    await f.till.push('visits', [insertRow(late)]);
    expect(await stamps()).toBe(-3);
    expect((await f.till.pullAll('loyaltyEntries')).filter((e) => e.visitId === late.id).map((e) => e.stamps).sort()).toEqual([-3, 3]);
  });

  // Issue 18 item 4: rewards checked on the server, as a hostile till would forge them.
  function aReward(ctx: { now: string }, fields: Partial<Reward>): Reward {
    return {
      id: newId(), merchantId: f.seed.merchantId, updatedAt: new Date(Date.parse(ctx.now) - 60_000).toISOString(), _deleted: false,
      name: 'Reward', description: '', type: 'amountOff', pointsCost: 100, value: 10_000, itemName: '', percent: 0, stock: null,
      minTier: null, validFrom: null, validUntil: null, cap: null, active: true, updatedBy: f.seed.manager.id, ...fields,
    };
  }
  async function pushRewards(...rewards: Reward[]) {
    expect(await f.till.push('rewards', rewards.map(insertRow))).toEqual({ conflicts: [], rejected: [] });
  }

  it('refuses a redemption of an inactive, ended or above-tier reward, and a birthday reward outside the birthday week', async () => {
    f.till = await enrolTerminal(f.app, f.tdb.db, f.seed, 'Rewards till');
    const { ctx, customer } = await customerWithVisit(900_000, 900);
    const [inactive, ended, gold, birthday] = [
      aReward(ctx, { active: false }),
      aReward(ctx, { validUntil: '2020-01-01' }),
      aReward(ctx, { minTier: 'gold' }),
      aReward(ctx, { type: 'freeItem', value: 0, itemName: 'Cake' }),
    ];
    await pushRewards(inactive, ended, gold, birthday);
    const current = (await f.till.pullAll('settings'))[0] as Settings;
    const next = { ...current, program: { ...current.program, birthdayRewardId: birthday.id }, updatedAt: new Date().toISOString(), updatedBy: f.seed.manager.id };
    expect(await f.till.push('settings', [updateRow(next, current)])).toEqual({ conflicts: [], rejected: [] });
    const redeem = (reward: Reward) => ledgerEntry({ kind: 'redeem', points: -100, customerId: customer.id, rewardId: reward.id }, ctx);
    await refused(redeem(inactive), /inactive/);
    await refused(redeem(ended), /ended/);
    await refused(redeem(gold), /tier/);
    await refused(redeem(birthday), /birthday week/);
    expect(await balance(customer.id)).toBe(900);
    expect(await f.till.push('settings', [updateRow({ ...next, program: current.program, updatedAt: new Date().toISOString() }, next)])).toEqual({ conflicts: [], rejected: [] });
  });

  it('over a per-customer cap: refused when written online, kept and raised to the inbox when written offline', async () => {
    const { ctx, customer } = await customerWithVisit(900_000, 900);
    const weekly = aReward(ctx, { cap: { count: 1, period: 'week' } });
    await pushRewards(weekly);
    const first = ledgerEntry({ kind: 'redeem', points: -100, customerId: customer.id, rewardId: weekly.id }, ctx);
    expect((await f.till.push('loyaltyEntries', [insertRow(first)])).rejected).toEqual([]);
    await refused(ledgerEntry({ kind: 'redeem', points: -100, customerId: customer.id, rewardId: weekly.id }, ctx), /per-customer limit/);
    const offline = ledgerEntry({ kind: 'redeem', points: -100, customerId: customer.id, rewardId: weekly.id }, f.till.ctx(f.seed.cashier, true));
    expect((await f.till.push('loyaltyEntries', [insertRow(offline)])).rejected).toEqual([]);
    const items = (await f.till.pullAll('inbox')).filter((i) => i.kind === 'reward_cap' && i.customerId === customer.id);
    expect(items.map((i) => i.relatedId)).toEqual([offline.id]);
    expect(await balance(customer.id)).toBe(700);
  });

  it('refuses a visit whose applied discount does not match its reward; accepts the one that does', async () => {
    const { ctx, customer } = await customerWithVisit(900_000, 900);
    const tenPercent = aReward(ctx, { type: 'percentOff', percent: 10, value: 0 });
    await pushRewards(tenPercent);
    const visitWith = (discount: number) => {
      const id = newId();
      const rewards = [{ rewardId: tenPercent.id, entryId: redeemEntryId(id, tenPercent.id), points: 100, discount }];
      return newVisit({ customerId: customer.id, items: [], amount: 200_000, discount, rewards, currency: 'IRR', paymentMethod: 'cash' }, 0, ctx, id).visit;
    };
    const forged = visitWith(150_000);
    expect((await f.till.push('visits', [insertRow(forged)])).rejected).toEqual([{ id: forged.id, code: 'FORBIDDEN' }]);
    const { rows } = await f.tdb.db.query<{ reason: string }>(`SELECT reason FROM rejected_writes WHERE merchant_id = $1 AND document_id = $2`, [f.seed.merchantId, forged.id]);
    expect(rows.map((r) => r.reason)).toEqual([expect.stringMatching(/does not match its reward/)]);
    const honest = visitWith(20_000);
    expect(await f.till.push('visits', [insertRow(honest)])).toEqual({ conflicts: [], rejected: [] });
    // A redemption naming the visit is the one the visit applied, or refused.
    const line = (id: string) => ledgerEntry({ id, kind: 'redeem', points: -100, customerId: customer.id, rewardId: tenPercent.id, visitId: honest.id }, ctx);
    await refused(line(newId()), /the visit applied/);
    expect((await f.till.push('loyaltyEntries', [insertRow(line(redeemEntryId(honest.id, tenPercent.id)))])).rejected).toEqual([]);
    // Taking the applied rewards off a stored visit rewrites history.
    const { rewards: _dropped, ...stripped } = honest;
    expect((await f.till.push('visits', [updateRow(stripped, honest)])).rejected).toEqual([{ id: honest.id, code: 'FORBIDDEN' }]);
  });
});
