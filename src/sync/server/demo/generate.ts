import { TIERS, type Tier } from '../../model/common.ts';
import { DAY_MS, HOUR_MS } from '../../model/dates.ts';
import type { Customer, Preferences } from '../../model/customer.ts';
import { ledgerEntry, newCustomer, newVisit, voidVisit, type WriteContext } from '../../model/document-builders.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { pointsForVisit, tierFor } from '../../model/loyalty.ts';
import { RewardSchema, type Reward } from '../../model/reward.ts';
import type { Program } from '../../model/settings.ts';
import type { PaymentMethod, Visit, VisitItem } from '../../model/visit.ts';
import {
  ALLERGIES, FAMILY_NAMES, FEEDBACK_FA, FIRST_NAMES, LATIN_FAMILY_NAMES, LATIN_FIRST_NAMES, MENU, NOTES_EN, NOTES_FA,
  REWARDS, TAGS, type MenuItem,
} from './catalog.ts';
import { demoPhone } from './phones.ts';
import { TEHRAN_OFFSET_MS, type DemoPlan, type DemoStaff, type DemoStore } from './plan.ts';
import { Random, subSeed } from './random.ts';

const MINUTE = 60_000;

/** What to generate: `now` anchors "the past 365 days", so the same seed and anchor give the same data. */
export interface DemoOptions {
  seed: number;
  customers: number;
  now: number;
}

/** One customer with their visits and ledger lines, every document built by the model's builders. */
export interface CustomerBundle {
  customer: Customer;
  visits: Visit[];
  entries: LoyaltyEntry[];
}

type Archetype = 'vip' | 'regular' | 'occasional' | 'once';

/** Mean days between visits while a customer is active. */
const MEAN_GAP_DAYS: Record<Archetype, number> = { vip: 4.5, regular: 18, occasional: 60, once: 25 };

/** Hours (Tehran time) the café sees a customer, by their preferred time of day. */
const HOURS: Record<NonNullable<Preferences['preferredTime']> | 'any', readonly (readonly [number, number])[]> = {
  morning: [[8, 5], [9, 6], [10, 5], [11, 3]],
  afternoon: [[12, 4], [13, 5], [14, 4], [15, 4], [16, 3]],
  evening: [[17, 4], [18, 5], [19, 5], [20, 4], [21, 2]],
  any: [[8, 3], [9, 4], [10, 4], [11, 3], [12, 4], [13, 5], [14, 3], [15, 3], [16, 4], [17, 5], [18, 6], [19, 6], [20, 4], [21, 2]],
};

function fail(message: string): never {
  throw new Error(message);
}

/** The rewards catalog as documents; `redeemed` lowers the stock of limited rewards. */
export function rewardDocuments(plan: DemoPlan, now: number, redeemed: ReadonlyMap<string, number> = new Map()): Reward[] {
  const owner = plan.staff.find((s) => s.role === 'owner');
  if (!owner) throw new Error('the demo has no owner');
  const createdAt = new Date(now - 366 * DAY_MS).toISOString();
  return REWARDS.map((spec) => {
    const id = plan.rewardIds[spec.key];
    if (!id) throw new Error(`no id for reward ${spec.key}`);
    return RewardSchema.parse({
      id,
      merchantId: plan.merchantId,
      updatedAt: createdAt,
      _deleted: false,
      name: spec.name,
      description: spec.description,
      type: spec.type,
      pointsCost: spec.pointsCost,
      value: spec.value,
      itemName: spec.itemName,
      percent: 0,
      cap: null,
      stock: spec.stock === null ? null : Math.max(0, spec.stock - (redeemed.get(id) ?? 0)),
      minTier: spec.minTier,
      validFrom: null,
      validUntil: null,
      active: true,
      updatedBy: owner.id,
    });
  });
}

/**
 * Generates the demo customers one by one (each from its own seeded stream, so customer i does not depend on
 * how many follow it). Call `rewards()` after the last customer for the catalog with its final stock.
 */
export function createDemoGenerator(plan: DemoPlan, program: Program, options: DemoOptions) {
  const takenPhones = new Set<string>();
  const redeemed = new Map<string, number>();
  const manager: DemoStaff = plan.staff.find((s) => s.role === 'manager') ?? fail('the demo has no manager');
  const cashiers = new Map<string, DemoStaff>();
  for (const store of plan.stores) {
    const cashier = plan.staff.find((s) => s.role === 'cashier' && s.storeIds.includes(store.id));
    if (!cashier) throw new Error(`store ${store.key} has no cashier`);
    cashiers.set(store.id, cashier);
  }
  const stock = new Map(REWARDS.filter((r) => r.stock !== null).map((r) => [plan.rewardIds[r.key] ?? '', r.stock ?? 0]));
  let voidDone = false;

  const ctxAt = (store: DemoStore, staff: DemoStaff, at: number, offline = false): WriteContext => ({
    merchantId: plan.merchantId,
    storeId: store.id,
    terminalId: store.terminalId,
    staffId: staff.id,
    now: new Date(at).toISOString(),
    offline,
  });

  function customerAt(index: number): CustomerBundle {
    const rng = new Random(subSeed(options.seed, index));
    const archetype = rng.weighted<Archetype>([['vip', 3], ['regular', 22], ['occasional', 45], ['once', 30]]);
    const homeIndex = rng.weighted([[0, 60], [1, 40]] as const);
    const home = plan.stores[homeIndex] ?? plan.stores[0];
    if (!home) throw new Error('the demo has no store');
    const latin = rng.chance(0.15);
    const preferredTime = rng.chance(0.55) ? rng.weighted([['morning', 40], ['afternoon', 35], ['evening', 25]] as const) : null;

    // Days are Tehran calendar days counted back from the anchor; one visit a day at most.
    const today = Math.floor((options.now + TEHRAN_OFFSET_MS) / DAY_MS);
    const signupDay = today - Math.floor(365 * rng.float() ** 0.8);
    const churned = archetype !== 'vip' && rng.chance(0.25);
    const lastDay = archetype === 'once'
      ? signupDay + (rng.chance(0.3) ? rng.int(1, 40) : 0)
      : churned ? signupDay + Math.floor((today - signupDay) * rng.float() * 0.7) : today;
    const days: number[] = [];
    for (let day = signupDay; day <= Math.min(lastDay, today); day += Math.max(1, Math.round(rng.exponential(MEAN_GAP_DAYS[archetype])))) {
      days.push(day);
    }
    // Visits happen in opening hours and at least an hour before the anchor (the void below comes later).
    const times = days
      .map((day) => day * DAY_MS - TEHRAN_OFFSET_MS + rng.weighted(HOURS[preferredTime ?? 'any']) * HOUR_MS + rng.int(0, 59) * MINUTE + rng.int(0, 59) * 1000)
      .filter((at) => at <= options.now - HOUR_MS);
    const firstVisit = times[0] ?? options.now - 2 * HOUR_MS;
    const createdAt = firstVisit - rng.int(1, 4) * MINUTE;

    const customer = buildCustomer(rng, { index, latin, archetype, preferredTime, createdAt, home });
    const bundle: CustomerBundle = { customer, visits: [], entries: [] };

    let balance = 0;
    let lifetime = 0;
    const voidTarget = !voidDone && (archetype === 'vip' || archetype === 'regular') && times.length >= 3 ? times.length - 1 : -1;
    if (voidTarget >= 0) voidDone = true;
    times.forEach((at, i) => {
      const store = rng.chance(0.85) ? home : (plan.stores.find((s) => s.id !== home.id) ?? home);
      const cashier = cashiers.get(store.id) ?? manager;
      const staff = rng.chance(0.12) ? manager : cashier;
      const ctx = ctxAt(store, staff, at, rng.chance(0.03));
      const tier: Tier = tierFor(lifetime, program);
      const input = visitInput(rng, customer);
      const total = input.subtotal - input.discount;
      const points = pointsForVisit({ total, tier }, program);
      const { visit, earn } = newVisit(
        { customerId: customer.id, items: input.items, amount: input.subtotal, discount: input.discount, currency: 'IRR', paymentMethod: input.payment, notes: '' },
        points,
        ctx,
        rng.uuidV7(at),
      );
      const withFeedback: Visit = rng.chance(0.04) ? { ...visit, feedback: { rating: rng.weighted([[5, 50], [4, 30], [3, 14], [2, 4], [1, 2]]), comment: rng.pick(FEEDBACK_FA) } } : visit;
      if (earn) {
        balance += earn.points;
        lifetime += earn.points;
      }
      if (i === voidTarget) {
        // The one voided visit: entered twice by mistake, voided by the manager minutes later. Its earning is
        // reversed; the balance returns to what it was before the visit, so it never goes below zero.
        const voidCtx = ctxAt(store, manager, at + 5 * MINUTE);
        const voided = voidVisit(withFeedback, earn, 'ثبت اشتباه — سفارش دو بار زده شد', voidCtx);
        bundle.visits.push(voided.visit);
        if (earn) bundle.entries.push(earn);
        if (voided.reversal) {
          bundle.entries.push(voided.reversal);
          balance += voided.reversal.points;
          lifetime += voided.reversal.points;
        }
        return;
      }
      bundle.visits.push(withFeedback);
      if (earn) bundle.entries.push(earn);
      if (rng.chance(0.01)) {
        // A manager's goodwill adjustment (a late order); positive adjustments count towards the tier.
        const bonus = rng.pick([50, 100, 150, 200]);
        bundle.entries.push(ledgerEntry({ id: rng.uuidV7(at + MINUTE), kind: 'adjust', points: bonus, customerId: customer.id, note: 'جبران تأخیر در سفارش' }, ctxAt(store, manager, at + MINUTE)));
        balance += bonus;
        lifetime += bonus;
      }
      const reward = rng.chance(0.12) ? affordableReward(rng, balance, tierFor(lifetime, program)) : undefined;
      if (reward) {
        // Redemptions never overdraw: only a reward the balance covers, taken from the balance at once.
        const redeemAt = at + 2 * MINUTE;
        bundle.entries.push(ledgerEntry({ id: rng.uuidV7(redeemAt), kind: 'redeem', points: -reward.cost, customerId: customer.id, visitId: visit.id, rewardId: reward.id }, ctxAt(store, staff, redeemAt, ctx.offline)));
        balance -= reward.cost;
        if (stock.has(reward.id)) stock.set(reward.id, (stock.get(reward.id) ?? 0) - 1);
        redeemed.set(reward.id, (redeemed.get(reward.id) ?? 0) + 1);
      }
    });
    return bundle;
  }

  function affordableReward(rng: Random, balance: number, tier: Tier): { id: string; cost: number } | undefined {
    const rank = TIERS.indexOf(tier);
    const options = REWARDS.filter((r) => {
      const id = plan.rewardIds[r.key] ?? '';
      return r.pointsCost <= balance && (r.minTier === null || TIERS.indexOf(r.minTier) <= rank) && (!stock.has(id) || (stock.get(id) ?? 0) > 0);
    });
    if (options.length === 0) return undefined;
    // Cheaper rewards are taken more often.
    const spec = rng.weighted(options.map((r) => [r, 1 / r.pointsCost] as const));
    return { id: plan.rewardIds[spec.key] ?? '', cost: spec.pointsCost };
  }

  function buildCustomer(rng: Random, c: { index: number; latin: boolean; archetype: Archetype; preferredTime: Preferences['preferredTime']; createdAt: number; home: DemoStore }): Customer {
    const [name, latinName] = personName(rng, c.latin);
    const phone = demoPhone(rng, c.latin ? 0.25 : 0.01, takenPhones);
    takenPhones.add(phone.e164);
    const emailChance = c.latin ? 0.5 : 0.25;
    const email = rng.chance(emailChance)
      ? `${latinName.normalize('NFD').replace(/[^A-Za-z ]/g, '').toLowerCase().trim().replace(/\s+/g, '.')}${rng.chance(0.5) ? rng.int(1, 99) : ''}@${rng.pick(['example.com', 'example.org', 'example.net'])}`
      : null;
    const year = new Date(options.now).getUTCFullYear();
    const date = (y: number) => `${y}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
    const drinks = MENU.filter((m) => m.kind !== 'food');
    const favorites = rng.sample(rng.chance(0.6) ? drinks : MENU, rng.weighted([[0, 30], [1, 40], [2, 20], [3, 10]])).map((m) => m.name);
    const allergies = ALLERGIES.filter(([, p]) => rng.chance(p)).map(([a]) => a);
    const tags: string[] = [];
    if (c.archetype === 'vip') tags.push(TAGS.vip);
    if (rng.chance(0.08)) tags.push(TAGS.student);
    if (rng.chance(0.06)) tags.push(TAGS.office);
    if (rng.chance(0.05)) tags.push(TAGS.takeaway);
    const cashier = plan.staff.find((s) => s.role === 'cashier' && s.storeIds.includes(c.home.id)) ?? manager;
    return newCustomer(
      {
        phone: phone.typed,
        name,
        email,
        birthday: rng.chance(0.65) ? date(year - rng.int(17, 68)) : null,
        anniversary: rng.chance(0.08) ? date(year - rng.int(1, 30)) : null,
        notes: rng.chance(0.2) ? rng.pick(c.latin ? NOTES_EN : NOTES_FA) : '',
        preferences: { favorites, allergies, preferredTime: c.preferredTime },
        tags,
        ...(rng.chance(0.55) ? { consent: { email: email !== null, sms: true } } : {}),
      },
      ctxAt(c.home, cashier, c.createdAt),
      'IR',
      rng.uuidV7(c.createdAt),
    );
  }

  function visitInput(rng: Random, customer: Customer): { items: VisitItem[]; subtotal: number; discount: number; payment: PaymentMethod } {
    const payment = rng.weighted<PaymentMethod>([['card', 65], ['mobile', 20], ['cash', 15]]);
    if (rng.chance(0.1)) {
      // A quick sale rung up as an amount only, no item lines.
      return { items: [], subtotal: rng.int(50, 2_000) * 1_000, discount: 0, payment };
    }
    const favorites = MENU.filter((m) => customer.preferences.favorites.includes(m.name));
    const lines = new Map<string, VisitItem>();
    const count = rng.weighted([[1, 40], [2, 35], [3, 15], [4, 7], [5, 3]]);
    for (let i = 0; i < count; i++) {
      const item: MenuItem = favorites.length > 0 && rng.chance(0.6) ? rng.pick(favorites) : rng.pick(MENU);
      const quantity = rng.weighted([[1, 85], [2, 12], [3, 3]]);
      const line = lines.get(item.name);
      lines.set(item.name, { name: item.name, unitPrice: item.price, quantity: (line?.quantity ?? 0) + quantity });
    }
    const items = [...lines.values()];
    // Keep the bill within 50 000 – 2 000 000 IRR.
    while (items.length > 1 && items.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0) > 2_000_000) items.pop();
    const first = items[0];
    if (first && first.quantity * first.unitPrice > 2_000_000) first.quantity = Math.floor(2_000_000 / first.unitPrice);
    const subtotal = items.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
    const discount = rng.chance(0.04) ? Math.round(subtotal / 10 / 1_000) * 1_000 : 0;
    return { items, subtotal, discount, payment };
  }

  function personName(rng: Random, latin: boolean): [name: string, latinName: string] {
    if (latin && rng.chance(0.5)) {
      const name = `${rng.pick(LATIN_FIRST_NAMES)} ${rng.pick(LATIN_FAMILY_NAMES)}`;
      return [name, name];
    }
    const [firstFa, firstLatin] = rng.pick(FIRST_NAMES);
    const [familyFa, familyLatin] = rng.pick(FAMILY_NAMES);
    const latinName = `${firstLatin} ${familyLatin}`;
    if (latin) return [latinName, latinName];
    let name = `${firstFa} ${familyFa}`;
    // Some names were typed on an Arabic keyboard (ي/ك instead of ی/ک); the folded name key matches both.
    if (rng.chance(0.03)) name = name.replace(/ی/g, 'ي').replace(/ک/g, 'ك');
    return [name, latinName];
  }

  return {
    /** The customer bundles in index order. */
    *customers(): Generator<CustomerBundle> {
      for (let index = 0; index < options.customers; index++) yield customerAt(index);
    },
    /** The rewards catalog, with the stock left after the redemptions generated so far. */
    rewards(): Reward[] {
      return rewardDocuments(plan, options.now, redeemed);
    },
  };
}
