import { z } from 'zod';
import { IdSchema } from '../../model/common.ts';
import type { Customer } from '../../model/customer.ts';
import { zonedDate } from '../../model/dates.ts';
import { ledgerEntry } from '../../model/document-builders.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { checkRedeem } from '../../model/loyalty.ts';
import { offlineRedeemedToday, rewardBlock } from '../../model/redemption.ts';
import type { Reward } from '../../model/reward.ts';
import { fromReplica, forStorage } from '../documents.ts';
import { dataAgeHours } from '../last-sync.ts';
import { command, refuse } from './command.ts';
import { isOnline, writeContext, type CommandEnv } from './env.ts';

/** A redemption: a reward from the catalog, or a number of points. */
export const RedeemInputSchema = z.union([
  z.strictObject({ customerId: IdSchema, rewardId: IdSchema }),
  z.strictObject({ customerId: IdSchema, points: z.int().min(1).max(1_000_000_000) }),
]);

/** The ledger lines of a merge group (a customer has tens; one index range per member). */
export async function groupEntries(env: Pick<CommandEnv, 'db'>, group: readonly string[]): Promise<LoyaltyEntry[]> {
  const lists = await Promise.all(
    group.map((customerId) => env.db.loyaltyEntries.find({ selector: { customerId }, sort: [{ customerId: 'asc' }, { occurredAt: 'asc' }] }).exec()),
  );
  return lists.flat().map((doc) => fromReplica<LoyaltyEntry>(doc));
}

/** What the redemption guard knows about a customer at this terminal now. */
export interface RedeemStanding {
  entries: LoyaltyEntry[];
  /** Points this terminal redeemed for the group today without the server's word (the offline cap's count). */
  usedToday: number;
  /** Whether the terminal counts as online for this group: it says so, and no redemption of the group is unacknowledged. */
  online: boolean;
}

/**
 * How a group stands for a redemption at this terminal. The offline cap counts every redemption the server has
 * not acknowledged (docs/architecture.md#offline-redemption): written offline, or still on its way — a connection that just died looks online
 * until a request fails, and what was redeemed in that window counts against the cap too.
 */
export async function redeemStanding(env: CommandEnv, group: readonly string[]): Promise<RedeemStanding> {
  const entries = await groupEntries(env, group);
  const pending = env.pending();
  const unconfirmed = (entry: LoyaltyEntry) => pending.has(`loyaltyEntries:${entry.id}`);
  const usedToday = offlineRedeemedToday(entries, env.identity.terminalId, env.now(), env.settings().timeZone, unconfirmed);
  const waiting = entries.some((entry) => entry.kind === 'redeem' && unconfirmed(entry));
  return { entries, usedToday, online: isOnline(env) && !waiting };
}

/** How long a redemption above the cap waits for writes on their way to be acknowledged (online: milliseconds). */
const SETTLE_MS = 1_500;

/**
 * Whether a redemption may skip the offline cap: only with the server's word on everything this terminal
 * wrote. The terminal must count as online; above the cap, every local write must be acknowledged (an
 * unacknowledged one means the connection may be dead however the status reads — it is waited for briefly)
 * and the server must answer right now.
 */
export async function confirmedOnline(env: CommandEnv, standing: RedeemStanding, points: number): Promise<boolean> {
  if (!standing.online) return false;
  if (standing.usedToday + points <= env.settings().program.offlineRedeemCap) return true;
  if (!(await env.settled(SETTLE_MS))) return false;
  return env.probe();
}

async function rewardFor(env: CommandEnv, id: string): Promise<Reward> {
  const doc = await env.db.rewards.findOne(id).exec();
  if (!doc) refuse('NOT_FOUND');
  return fromReplica<Reward>(doc);
}

/**
 * Redeems points or a reward for a customer's merge group: online with the server's word on the ledger, the
 * derived balance must cover it; otherwise only within the program's offline cap per customer and day and
 * while the replica is fresh enough (model checkRedeem). A reward must be active, in its dates, in stock and
 * allowed for the customer's tier. The line is written on the customer as chosen (reads sum the group).
 */
export const redeem = command({
  role: 'cashier',
  input: RedeemInputSchema,
  async run(env, input, staff) {
    const doc = await env.db.customers.findOne(input.customerId).exec();
    if (!doc) refuse('CUSTOMER_NOT_FOUND');
    const customer = fromReplica<Customer>(doc);
    if (customer.status === 'blocked') refuse('CUSTOMER_BLOCKED');
    const group = env.merges.groupOf(env.merges.rootOf(customer.id));
    const settings = env.settings();
    const summary = await env.ledger.groupStanding(group, env.now());
    const reward = 'rewardId' in input ? await rewardFor(env, input.rewardId) : null;
    const standing = await redeemStanding(env, group);
    if (reward) {
      // Money off needs a sale to come off: those rewards are redeemed on the visit (recordVisit).
      if (reward.type !== 'freeItem') refuse('REWARD_NOT_APPLICABLE', undefined, { reason: 'ON_SALE_ONLY' });
      const dateOf = (instant: Date) => zonedDate(instant, settings.timeZone);
      const usage = { entries: standing.entries, now: env.now(), dateOf, birthday: customer.birthday, birthdayRewardId: settings.program.birthdayRewardId };
      const block = rewardBlock(reward, { tier: summary.tier, balance: summary.balance, today: dateOf(env.now()), usage });
      if (block !== null && block !== 'points') refuse('REWARD_UNAVAILABLE', undefined, { reason: block });
    }
    const points = reward ? reward.pointsCost : (input as { points: number }).points;
    const online = await confirmedOnline(env, standing, points);
    const check = checkRedeem(
      {
        entries: standing.entries,
        points,
        online,
        dataAgeHours: dataAgeHours(env.status().lastSyncAt, env.now().getTime()),
        offlineRedeemedToday: standing.usedToday,
        now: env.now(),
      },
      settings.program,
    );
    if (!check.ok) refuse(check.code, undefined, { cap: String(settings.program.offlineRedeemCap), used: String(standing.usedToday) });
    const ctx = { ...writeContext(env, staff), offline: !online };
    const entry = ledgerEntry({ kind: 'redeem', points: -points, customerId: customer.id, ...(reward ? { rewardId: reward.id, note: reward.name } : {}) }, ctx);
    await env.db.loyaltyEntries.insert(forStorage(entry));
    return entry;
  },
});
