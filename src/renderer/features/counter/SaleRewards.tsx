import { useTranslation } from 'react-i18next';
import type { Locale } from '../../../sync/model/settings.ts';
import { TextField } from '../../components/Fields.tsx';
import { formatNumber } from '../../lib/format.ts';
import { typedPoints, type ChosenReward, type OfferedReward } from './sale-rewards.ts';

/**
 * The rewards a cashier may redeem on the sale: a tick for each one on offer (those that cannot be had now say
 * why), and for a points-to-money reward the points the customer spends, up to `maxPoints`.
 */
export function SaleRewards(props: {
  offered: readonly OfferedReward[];
  chosen: readonly ChosenReward[];
  maxPoints: (rewardId: string) => number;
  disabled: boolean;
  locale: Locale;
  onChange: (chosen: ChosenReward[]) => void;
}) {
  const { t } = useTranslation('counter');
  const { offered, chosen, locale } = props;
  if (offered.length === 0) return null;
  const toggle = (rewardId: string, on: boolean) =>
    props.onChange(on ? [...chosen, { rewardId, points: '' }] : chosen.filter((c) => c.rewardId !== rewardId));
  return (
    <fieldset className="rewards sale-rewards" data-testid="sale-rewards">
      <legend>{t('saleRewards.title')}</legend>
      {offered.map(({ reward, block }) => {
        const picked = chosen.find((c) => c.rewardId === reward.id);
        const max = props.maxPoints(reward.id);
        const typed = picked ? picked.points : '';
        return (
          <div key={reward.id} className={`reward${block ? ' is-blocked' : ''}`}>
            <label>
              <input type="checkbox" checked={picked !== undefined} disabled={props.disabled || block !== null} onChange={(e) => toggle(reward.id, e.target.checked)} />
              <span className="reward-name">{reward.name}</span>{' '}
              <span className="reward-cost">
                {reward.type === 'pointsToMoney' ? t('saleRewards.rate', { n: formatNumber(reward.pointsCost, locale) }) : t('pointsCost', { n: formatNumber(reward.pointsCost, locale) })}
              </span>
              {block ? <span className="reward-block"> {t(`rewardBlock.${block}`, { tier: reward.minTier ? t(`common:tier.${reward.minTier}`) : '' })}</span> : null}
            </label>
            {picked && reward.type === 'pointsToMoney' ? (
              <TextField
                label={t('saleRewards.points', { reward: reward.name })}
                inputMode="numeric"
                autoComplete="off"
                value={typed}
                hint={t('saleRewards.pointsHint', { n: formatNumber(max, locale) })}
                error={typed.trim() !== '' && (typedPoints(typed) === undefined || typedPoints(typed)! > max) ? t('saleRewards.pointsInvalid', { n: formatNumber(max, locale) }) : null}
                onChange={(e) => props.onChange(chosen.map((c) => (c.rewardId === reward.id ? { ...c, points: e.target.value } : c)))}
              />
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}
