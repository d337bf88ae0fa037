import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StampCardProgress } from '../../../sync/model/stamp-card.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { formatNumber } from '../../lib/format.ts';
import { useLocale } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { useLive } from '../../lib/useLive.ts';

/**
 * The customer's stamp card (docs/loyalty.md#stamp-cards): "7 of 10" and a row of stamps, derived from the
 * group's stamp lines; a full card is redeemed here, offline too, and the stamps past it start the next card.
 * Nothing shows while the programme has no stamp card.
 */
export function StampCardPanel({ customerId, group, blocked }: { customerId: string; group: readonly string[]; blocked: boolean }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const terminal = useTerminal();
  const headingId = useId();
  const groupKey = group.join(' ');
  const card = useLive(() => terminal.queries.stampCard$(groupKey.split(' ')), [terminal, groupKey], null as StampCardProgress | null);
  const redeem = useCommand('redeemStampCard');
  // The confirmation lasts while the card stays as the redemption left it (the next stamp replaces it).
  const [redeemed, setRedeemed] = useState<{ reward: string; count: number } | null>(null);
  if (!card) return null;
  const n = (value: number) => formatNumber(value, locale);
  const submit = async () => {
    setRedeemed(null);
    const count = card.count;
    const result = await redeem.run({ customerId });
    if (result.ok) setRedeemed({ reward: result.value.note, count: count + (result.value.stamps ?? 0) });
  };
  return (
    <section className="panel stamp-card" aria-labelledby={headingId} data-testid="stamp-card" data-count={card.count} data-full={card.full}>
      <h3 id={headingId}>{t('stampCard.title')}</h3>
      <p className="stamp-progress" data-testid="stamp-progress">{t('stampCard.progress', { n: n(card.onCard), size: n(card.cardSize) })}</p>
      <ol className="stamp-row" aria-hidden="true">
        {Array.from({ length: card.cardSize }, (_, i) => (
          <li key={i} className={i < card.onCard ? 'stamp is-stamped' : 'stamp'} />
        ))}
      </ol>
      <p className="muted">{t('stampCard.reward', { reward: card.reward })}</p>
      {card.carried > 0 ? <p className="muted">{t('stampCard.carried', { n: n(card.carried) })}</p> : null}
      {card.count < 0 ? <p className="notice">{t('stampCard.owed', { n: n(-card.count) })}</p> : null}
      {redeem.error ? (
        <p className="alert alert-error" role="alert" data-testid="stamp-redeem-failure">
          {t(redeem.error.key, { count: n(Number(redeem.error.details?.count ?? 0)), size: n(Number(redeem.error.details?.size ?? 0)) })}
        </p>
      ) : null}
      {card.full ? (
        <button type="button" className="button-wide" data-testid="stamp-redeem" disabled={blocked || redeem.pending} onClick={() => void submit()}>
          {t('stampCard.redeem', { reward: card.reward })}
        </button>
      ) : null}
      {redeemed !== null && redeemed.count === card.count ? (
        <p className="recorded" role="status" data-testid="stamp-redeemed">
          {t('stampCard.redeemed', { reward: redeemed.reward })}
        </p>
      ) : null}
    </section>
  );
}
