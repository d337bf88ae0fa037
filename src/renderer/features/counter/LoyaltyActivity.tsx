import { useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActivityView } from '../../../sync/client/queries/loyalty.ts';
import type { ActivityLine } from '../../../sync/model/loyalty-activity.ts';
import { POINT_KINDS, type LoyaltyKind } from '../../../sync/model/loyalty-entry.ts';
import { SelectField, TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { useLive } from '../../lib/useLive.ts';
import { AdjustForm } from './AdjustForm.tsx';

const PERIODS = ['all', '30', '90', '365'] as const;
type Period = (typeof PERIODS)[number];
const SHOWN = 10;

/**
 * The customer's loyalty activity (docs/loyalty.md): every earn, redemption, expiry, adjustment and reversal with
 * date, store, staff and reason, newest first, with the balance after each; filtered by kind and period. A
 * redemption can be undone here, and points adjusted by hand with a reason.
 */
export function LoyaltyActivity({ group, customerId }: { group: readonly string[]; customerId: string }) {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const locale = useLocale();
  const settings = useSettings(terminal);
  const headingId = useId();
  const [kind, setKind] = useState<LoyaltyKind | 'all'>('all');
  const [period, setPeriod] = useState<Period>('all');
  const [all, setAll] = useState(false);
  const [adjusting, setAdjusting] = useState(false);
  const key = group.join(' ');
  const view = useMemo<ActivityView>(() => ({ kinds: kind === 'all' ? [] : [kind], periodDays: period === 'all' ? null : Number(period) }), [kind, period]);
  const lines = useLive<ActivityLine[] | null>(() => terminal.queries.activity$(key.split(' '), view), [terminal, key, view], null);
  const staffNames = useLive(() => terminal.queries.staffNames$(), [terminal], new Map<string, string>());
  const storeName = (id: string | null) => settings.stores.find((s) => s.id === id)?.name ?? null;
  const shown = lines ? (all ? lines : lines.slice(0, SHOWN)) : [];

  return (
    <section className="panel activity" aria-labelledby={headingId} data-testid="loyalty-activity">
      <div className="panel-heading">
        <h3 id={headingId}>{t('activity.title')}</h3>
        <button type="button" className="button-link" onClick={() => setAdjusting((a) => !a)} aria-expanded={adjusting}>
          {t('activity.adjust')}
        </button>
      </div>
      {adjusting ? <AdjustForm customerId={customerId} onDone={() => setAdjusting(false)} /> : null}
      <div className="activity-filters">
        <SelectField
          label={t('activity.kindFilter')}
          value={kind}
          options={[{ value: 'all', label: t('activity.allKinds') }, ...POINT_KINDS.map((k) => ({ value: k, label: t(`activity.kind.${k}`) }))]}
          onChange={(event) => setKind(event.target.value as LoyaltyKind | 'all')}
        />
        <SelectField
          label={t('activity.periodFilter')}
          value={period}
          options={PERIODS.map((p) => ({ value: p, label: p === 'all' ? t('activity.allTime') : t('activity.lastDays', { n: formatNumber(Number(p), locale) }) }))}
          onChange={(event) => setPeriod(event.target.value as Period)}
        />
      </div>
      {lines === null ? <p role="status">{t('common:loading')}</p> : null}
      {lines?.length === 0 ? <p className="muted">{t('activity.none')}</p> : null}
      <ol className="activity-lines">
        {shown.map((line) => (
          <li key={line.id} className={`activity-line activity-${line.kind}`} data-testid="activity-line" data-kind={line.kind} data-points={line.points}>
            <div className="activity-main">
              <span className="activity-date">{formatDateTime(line.occurredAt, locale, settings.timeZone)}</span>
              <strong>{t(`activity.kind.${line.kind}`)}</strong>
              <span className="activity-points">{formatNumber(line.points, locale, { signDisplay: 'exceptZero' })}</span>
              <span className="muted">{t('activity.balanceAfter', { n: formatNumber(line.balance, locale) })}</span>
            </div>
            <p className="muted activity-who">
              {line.derived
                ? t('activity.expiredByProgramme')
                : t('activity.who', { store: storeName(line.storeId) ?? t('none'), staff: (line.staffId && staffNames.get(line.staffId)) ?? t('none') })}
              {line.note ? <> · <bdi>{line.note}</bdi></> : null}
            </p>
            {line.kind === 'redeem' ? <UndoRedemption line={line} /> : null}
          </li>
        ))}
      </ol>
      {lines && lines.length > SHOWN ? (
        <button type="button" className="button-link" onClick={() => setAll((a) => !a)} aria-expanded={all}>
          {all ? t('showFewer') : t('showAll', { n: formatNumber(lines.length, locale) })}
        </button>
      ) : null}
    </section>
  );
}

/** Undo of a redemption (undoRedemption): once, for its amount, with a reason. */
function UndoRedemption({ line }: { line: ActivityLine }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const undo = useCommand('undoRedemption');
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  if (line.reversed > 0) return <span className="badge badge-muted">{t('activity.undone')}</span>;
  if (!open)
    return (
      <button type="button" className="button-link" onClick={() => setOpen(true)}>
        {t('activity.undo')}
      </button>
    );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (reason.trim() === '' || undo.pending) return;
    const result = await undo.run({ entryId: line.id, reason });
    if (result.ok) setOpen(false);
  };
  return (
    <form className="undo-form" onSubmit={(event) => void submit(event)} noValidate>
      <TextField label={t('activity.reason')} value={reason} required requiredMark maxLength={500} autoFocus error={touched && reason.trim() === '' ? t('common:fields.REQUIRED') : null} onChange={(event) => setReason(event.target.value)} />
      {undo.error ? (
        <p className="alert alert-error" role="alert">
          {t(undo.error.key)}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" disabled={undo.pending}>
          {t('activity.undoConfirm', { n: formatNumber(-line.points, locale) })}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t('common:cancel')}
        </button>
      </div>
    </form>
  );
}
