import { zonedDate } from '../../model/dates.ts';
import type { InboxItem } from '../../model/inbox.ts';
import { rewardUseProblem, type RewardUseVerdict } from '../../model/ledger-rules.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { lifetimeEarned, tierFor } from '../../model/loyalty.ts';
import type { Reward } from '../../model/reward.ts';
import type { Program } from '../../model/settings.ts';
import type { Queryable } from '../db/database.ts';
import type { PushContext } from './batch.ts';
import { groupLines } from './balances.ts';
import { finding } from './inbox-findings.ts';
import type { Doc } from './tables.ts';

// Rewards checked on the server (docs/loyalty.md#the-servers-checks-of-rewards): a redemption of a reward against
// the reward's terms at its time — active, dates, tier, birthday week — and the per-customer cap over the
// merge group's lines the server holds; a visit's applied rewards against the rewards (ledger-rules.ts
// visitRewardsProblem). Over a cap, a line written offline is kept and raised for the managers (tills that were
// apart could not see each other's redemptions, like an overdraft); one written online is refused.

/** What redemptions of rewards are checked against, read once per batch. */
export interface RewardUseState {
  /** The merge group's lines of each redeeming customer; accepted lines of the batch are added as decided. */
  groups: Map<string, LoyaltyEntry[]>;
  birthdays: Map<string, string | null>;
  timeZone: string;
  /** Lines kept over a cap (written offline), for an inbox item each. */
  overCap: LoyaltyEntry[];
}

/** Reads the groups, birthdays and time zone the batch's reward redemptions need (nothing when there are none). */
export async function readRewardUse(tx: Queryable, merchantId: string, docs: readonly Record<string, unknown>[]): Promise<RewardUseState> {
  const customers = [...new Set(docs.filter((d) => d.kind === 'redeem' && typeof d.rewardId === 'string' && typeof d.customerId === 'string').map((d) => d.customerId as string))];
  const state: RewardUseState = { groups: new Map(), birthdays: new Map(), timeZone: 'UTC', overCap: [] };
  if (customers.length === 0) return state;
  const { rows } = await tx.query<{ id: string; birthday: string | null; zone: string | null }>(
    `SELECT id, doc->>'birthday' AS birthday, NULL AS zone FROM customers WHERE merchant_id = $1 AND id = ANY($2::text[])
     UNION ALL SELECT id, NULL, doc->>'timeZone' FROM settings WHERE merchant_id = $1 AND id = $3`,
    [merchantId, customers, merchantId],
  );
  for (const row of rows) {
    if (row.zone !== null) state.timeZone = row.zone;
    else state.birthdays.set(row.id, row.birthday);
  }
  state.groups = await groupLines(tx, merchantId, customers);
  return state;
}

/** The verdict on a new redemption of `reward` under the merchant's current programme. */
export function rewardUseVerdict(entry: LoyaltyEntry, reward: Reward, state: RewardUseState, program: Program): RewardUseVerdict {
  const entries = state.groups.get(entry.customerId) ?? [];
  const dateOf = (instant: Date) => zonedDate(instant, state.timeZone);
  const at = new Date(entry.occurredAt);
  return rewardUseProblem(entry, reward, {
    tier: tierFor(lifetimeEarned(entries), program),
    today: dateOf(at),
    usage: { entries, now: at, dateOf, birthday: state.birthdays.get(entry.customerId) ?? null, birthdayRewardId: program.birthdayRewardId },
  });
}

/** Counts an accepted redemption in its group for the batch's later lines. */
export function countRedemption(entry: LoyaltyEntry, state: RewardUseState): void {
  state.groups.get(entry.customerId)?.push(entry);
}

/** Reads the rewards a batch of visits says it applied. */
export async function readVisitRewards(tx: Queryable, merchantId: string, docs: readonly Record<string, unknown>[]): Promise<Map<string, Reward>> {
  const ids = [
    ...new Set(docs.flatMap((d) => (Array.isArray(d.rewards) ? d.rewards : [])).map((a: unknown) => (a as { rewardId?: unknown }).rewardId).filter((id): id is string => typeof id === 'string' && id.length <= 64)),
  ];
  const rewards = new Map<string, Reward>();
  if (ids.length === 0) return rewards;
  const { rows } = await tx.query<{ id: string; doc: Doc }>(`SELECT id, doc FROM rewards WHERE merchant_id = $1 AND id = ANY($2::text[])`, [merchantId, ids]);
  for (const row of rows) rewards.set(row.id, row.doc as unknown as Reward);
  return rewards;
}

/** A `reward_cap` finding for each redemption kept over its reward's per-customer cap. */
export function rewardCapFindings(ctx: PushContext, entries: readonly LoyaltyEntry[], now: string): InboxItem[] {
  return entries.map((entry) =>
    finding(ctx.merchantId, now, 'reward_cap', entry.id, {
      customerId: entry.customerId,
      relatedId: entry.id,
      targetCollection: 'loyaltyEntries',
      code: 'REWARD_UNAVAILABLE',
      details: { rewardId: entry.rewardId ?? '', reward: entry.note, points: String(entry.points), offline: String(entry.offline), terminalId: entry.terminalId, ...(entry.visitId ? { visitId: entry.visitId } : {}) },
    }),
  );
}
