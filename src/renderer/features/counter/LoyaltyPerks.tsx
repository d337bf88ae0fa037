import { useTranslation } from 'react-i18next';
import type { Customer } from '../../../sync/model/customer.ts';
import type { LoyaltyEntry } from '../../../sync/model/loyalty-entry.ts';
import type { LedgerSummary } from '../../../sync/model/loyalty.ts';
import type { Reward } from '../../../sync/model/reward.ts';
import { perksFor, type Settings } from '../../../sync/model/settings.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { useNow, useSettings } from '../../lib/hooks.ts';
import { useLive } from '../../lib/useLive.ts';
import { offeredRewards } from './sale-rewards.ts';

/** The birthday reward when the customer may have it now (their birthday week, not yet had this year), else null. */
function birthdayReward(rewards: readonly Reward[], ctx: { customer: Customer; summary: LedgerSummary; entries: readonly LoyaltyEntry[]; now: number; settings: Settings }): Reward | null {
  const id = ctx.settings.program.birthdayRewardId;
  if (id === null || ctx.customer.birthday === null) return null;
  const offered = offeredRewards(rewards.filter((r) => r.id === id), {
    customer: ctx.customer, tier: ctx.summary.tier, entries: ctx.entries, now: new Date(ctx.now), timeZone: ctx.settings.timeZone, program: ctx.settings.program,
  });
  return offered.find((o) => o.block === null)?.reward ?? null;
}

/** What the customer's tier gives them (the programme's perks) and, in their birthday week, the birthday reward. */
export function LoyaltyPerks(props: { customer: Customer; summary: LedgerSummary; entries: LoyaltyEntry[] | null }) {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const now = useNow(60_000);
  const rewards = useLive(() => terminal.queries.rewards$(), [terminal], [] as Reward[]);
  const perks = perksFor(props.summary.tier, settings.program);
  const birthday = props.entries ? birthdayReward(rewards, { customer: props.customer, summary: props.summary, entries: props.entries, now, settings }) : null;
  if (perks.length === 0 && birthday === null) return null;
  return (
    <div className="loyalty-perks">
      {perks.length > 0 ? (
        <>
          <h4>{t('perksTitle', { tier: t(`common:tier.${props.summary.tier}`) })}</h4>
          <ul data-testid="tier-perks">
            {perks.map((perk) => (
              <li key={perk}>{perk}</li>
            ))}
          </ul>
        </>
      ) : null}
      {birthday ? (
        <p className="notice" role="status" data-testid="birthday-reward">
          {t('birthdayRewardAvailable', { reward: birthday.name })}
        </p>
      ) : null}
    </div>
  );
}
