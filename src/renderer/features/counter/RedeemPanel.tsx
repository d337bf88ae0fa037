import { useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { dataAgeHours } from '../../../sync/client/last-sync.ts';
import type { SyncStatus } from '../../../sync/client/status.ts';
import type { Customer } from '../../../sync/model/customer.ts';
import { zonedDate } from '../../../sync/model/dates.ts';
import type { LoyaltyEntry } from '../../../sync/model/loyalty-entry.ts';
import { checkRedeem, type LedgerSummary } from '../../../sync/model/loyalty.ts';
import { catalogFor, offlineRedeemedToday, rewardBlock } from '../../../sync/model/redemption.ts';
import type { Reward } from '../../../sync/model/reward.ts';
import { toAsciiDigits } from '../../../sync/model/text.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { TextField } from '../../components/Fields.tsx';
import { formatNumber } from '../../lib/format.ts';
import { useLocale, useNow, useSettings } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { useLive } from '../../lib/useLive.ts';
import { usePending } from './useCustomer.ts';

type Choice = { kind: 'reward'; rewardId: string } | { kind: 'points'; text: string };

/**
 * Redeems a reward from the catalog or a number of points. Online the ledger balance must cover it; offline
 * only within the program's cap per customer and day and while the replica is fresh enough (checkRedeem).
 */
export function RedeemPanel(props: {
  customer: Customer;
  summary: LedgerSummary | null;
  entries: LoyaltyEntry[] | null;
  status: SyncStatus;
  blocked: boolean;
}) {
  const { customer, summary, entries, status, blocked } = props;
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const locale = useLocale();
  const settings = useSettings(terminal);
  const program = settings.program;
  const redeem = useCommand('redeem');
  const pending = usePending();
  const now = useNow(60_000);
  const headingId = useId();
  const rewards = useLive(() => terminal.queries.rewards$(), [terminal], [] as Reward[]);
  const [choice, setChoice] = useState<Choice>({ kind: 'points', text: '' });
  const [done, setDone] = useState<number | null>(null);

  const today = zonedDate(new Date(now), settings.timeZone);
  // Money off comes off a sale: those rewards are redeemed in the visit form; here, things handed over.
  const catalog = useMemo(() => catalogFor(rewards, today).filter((r) => r.type === 'freeItem'), [rewards, today]);
  const online = status.connection === 'online';
  const balance = summary?.balance ?? 0;
  const tier = summary?.tier ?? 'bronze';
  // What this till redeemed today without the server's word yet (offline, or still on its way): the cap's count.
  const usedToday = entries
    ? offlineRedeemedToday(entries, terminal.identity.terminalId, new Date(now), settings.timeZone, (e) => pending.has(`loyaltyEntries:${e.id}`))
    : 0;

  const usage = entries
    ? { entries, now: new Date(now), dateOf: (d: Date) => zonedDate(d, settings.timeZone), birthday: customer.birthday, birthdayRewardId: program.birthdayRewardId }
    : undefined;
  const reward = choice.kind === 'reward' ? catalog.find((r) => r.id === choice.rewardId) : undefined;
  const chosenBlock = reward ? rewardBlock(reward, { tier, balance, today, ...(usage ? { usage } : {}) }) : null;
  const pointsText = choice.kind === 'points' ? toAsciiDigits(choice.text.trim()) : '';
  const points = reward ? reward.pointsCost : /^\d{1,9}$/.test(pointsText) ? Number(pointsText) : 0;
  const check =
    entries && points > 0
      ? checkRedeem(
          {
            entries,
            points,
            online,
            dataAgeHours: dataAgeHours(status.lastSyncAt, now),
            offlineRedeemedToday: usedToday,
            now: new Date(now),
          },
          program,
        )
      : null;
  const refusal = blocked
    ? 'counter:blockedNoRedeem'
    : check && !check.ok
      ? `common:errors.${check.code}`
      : chosenBlock !== null && chosenBlock !== 'points'
        ? `counter:rewardBlock.${chosenBlock}`
        : null;
  const typedInvalid = choice.kind === 'points' && choice.text.trim() !== '' && points <= 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!check?.ok || refusal || redeem.pending) return;
    // The command checks again against the replica and, above the offline cap, against the server itself.
    const result = await redeem.run(reward ? { customerId: customer.id, rewardId: reward.id } : { customerId: customer.id, points });
    if (!result.ok) return;
    setDone(points);
    setChoice({ kind: 'points', text: '' });
  };

  return (
    <section className="panel redeem-panel" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('redeemTitle')}</h3>
      {!online ? (
        <p className="notice">
          {t('offlineCap', {
            cap: formatNumber(program.offlineRedeemCap, locale),
            used: formatNumber(usedToday, locale),
          })}
        </p>
      ) : null}
      <form onSubmit={(event) => void submit(event)} noValidate className="redeem-form" data-testid="redeem-form">
        {catalog.length > 0 ? (
          <fieldset className="rewards">
            <legend>{t('rewards')}</legend>
            {catalog.map((r) => {
              const block = rewardBlock(r, { tier, balance, today, ...(usage ? { usage } : {}) });
              return (
                <label key={r.id} className={`reward${block ? ' is-blocked' : ''}`}>
                  <input
                    type="radio"
                    name="redeem-choice"
                    checked={choice.kind === 'reward' && choice.rewardId === r.id}
                    disabled={blocked || (block !== null && block !== 'points')}
                    onChange={() => {
                      setChoice({ kind: 'reward', rewardId: r.id });
                      setDone(null);
                    }}
                  />
                  <span className="reward-name">{r.name}</span>
                  <span className="reward-cost">{t('pointsCost', { n: formatNumber(r.pointsCost, locale) })}</span>
                  {block ? (
                    <span className="reward-block">
                      {t(`rewardBlock.${block}`, { tier: r.minTier ? t(`common:tier.${r.minTier}`) : '' })}
                    </span>
                  ) : null}
                </label>
              );
            })}
            <label className="reward">
              <input
                type="radio"
                name="redeem-choice"
                checked={choice.kind === 'points'}
                disabled={blocked}
                onChange={() => {
                  setChoice({ kind: 'points', text: '' });
                  setDone(null);
                }}
              />
              <span className="reward-name">{t('redeemPointsOption')}</span>
            </label>
          </fieldset>
        ) : null}
        {choice.kind === 'points' ? (
          <TextField
            label={t('redeemPoints')}
            inputMode="numeric"
            autoComplete="off"
            disabled={blocked}
            value={choice.text}
            error={typedInvalid ? t('validation.points') : null}
            hint={t('balanceHint', { n: formatNumber(balance, locale) })}
            onChange={(event) => {
              setChoice({ kind: 'points', text: event.target.value });
              setDone(null);
            }}
          />
        ) : null}
        {refusal && points > 0 ? (
          <p className="field-error" role="alert" data-testid="redeem-refusal">
            {t(refusal)}
          </p>
        ) : null}
        {redeem.error ? (
          <p className="alert alert-error" role="alert" data-testid="redeem-failure">
            {t(redeem.error.key, { cap: formatNumber(Number(redeem.error.details?.cap ?? 0), locale), used: formatNumber(Number(redeem.error.details?.used ?? 0), locale) })}
          </p>
        ) : null}
        <button type="submit" className="button-wide" disabled={blocked || redeem.pending || !check?.ok || refusal !== null}>
          {points > 0 ? t('redeemConfirm', { count: points, n: formatNumber(points, locale) }) : t('redeem')}
        </button>
      </form>
      {done !== null ? (
        <p className="recorded" role="status">
          {t('redeemed', { count: done, n: formatNumber(done, locale) })}
        </p>
      ) : null}
    </section>
  );
}
