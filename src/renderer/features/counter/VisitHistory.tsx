import { Fragment, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { cardHistory } from '../../../sync/model/card-history.ts';
import type { LoyaltyEntry } from '../../../sync/model/loyalty-entry.ts';
import type { Visit } from '../../../sync/model/visit.ts';
import type { CurrencyDisplay } from '../../../sync/model/settings.ts';
import type { ApprovalInput } from '../../../sync/client/commands/approval.ts';
import { isRefund, REFUND_MARK, type VoidImpact } from '../../../sync/model/ledger-rules.ts';
import { CheckboxField, TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { formatAmount, formatDateTime, formatNumber } from '../../lib/format.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { ApprovalFields } from './ApprovalFields.tsx';

const SHOWN = 5;

/**
 * The customer's history, newest first: visits with their points (a voided one struck through) and
 * redemptions. A visit's points show once its ledger line is here — a second terminal may receive the
 * visit before the line, and the history must never promise points the balance does not hold yet.
 */
export function VisitHistory({ visits, entries, pending }: { visits: Visit[] | null; entries: LoyaltyEntry[] | null; pending: ReadonlySet<string> }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const [all, setAll] = useState(false);
  const [voiding, setVoiding] = useState<string | null>(null);
  const headingId = useId();
  const rows = visits && entries ? cardHistory(visits, entries) : null;
  const shown = rows ? (all ? rows : rows.slice(0, SHOWN)) : [];

  return (
    <section className="panel history" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('lastVisits')}</h3>
      {rows === null ? <p role="status">{t('common:loading')}</p> : null}
      {rows?.length === 0 ? <p className="muted">{t('noVisits')}</p> : null}
      <ol className="visits">
        {shown.map((row) =>
          row.kind === 'redeem' ? (
            <RedemptionRow key={row.entry.id} entry={row.entry} unsynced={pending.has(`loyaltyEntries:${row.entry.id}`)} timeZone={settings.timeZone} />
          ) : (
            <li key={row.visit.id} className={`visit${row.visit.voided ? ' is-voided' : ''}`} data-testid="visit-row" data-voided={row.visit.voided}>
              <VisitLine visit={row.visit} pointsArrived={row.pointsArrived} unsynced={pending.has(`visits:${row.visit.id}`)} timeZone={settings.timeZone} display={settings.currencyDisplay} />
              {!row.visit.voided ? (
                voiding === row.visit.id ? (
                  <VoidForm visit={row.visit} onDone={() => setVoiding(null)} />
                ) : (
                  <button type="button" className="button-link" onClick={() => setVoiding(row.visit.id)}>
                    {t('void')}
                  </button>
                )
              ) : null}
            </li>
          ),
        )}
      </ol>
      {rows && rows.length > SHOWN ? (
        <button type="button" className="button-link" onClick={() => setAll((a) => !a)} aria-expanded={all}>
          {all ? t('showFewer') : t('showAll', { n: formatNumber(rows.length, locale) })}
        </button>
      ) : null}
    </section>
  );
}

/** A visit's line: when, how much, its points (once its ledger line is here), how paid, and its items. */
function VisitLine({ visit, pointsArrived, unsynced, timeZone, display }: { visit: Visit; pointsArrived: boolean; unsynced: boolean; timeZone: string; display: CurrencyDisplay }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  return (
    <>
      <div className="visit-main">
        <span className="visit-date figure">{formatDateTime(visit.occurredAt, locale, timeZone)}</span>
        <strong className="visit-amount figure">{formatAmount(visit.total, { currency: visit.currency, display }, locale)}</strong>
        {pointsArrived ? (
          <span className="visit-points figure" data-testid="visit-points">
            {t('visitPoints', { n: formatNumber(visit.pointsEarned, locale, { signDisplay: 'exceptZero' }) })}
          </span>
        ) : (
          <span className="visit-points muted" data-testid="visit-points-arriving">
            {t('pointsArriving')}
          </span>
        )}
        <span className="muted">{t(`common:payment.${visit.paymentMethod}`)}</span>
        {unsynced ? <span className="badge badge-pending">{t('notSynced')}</span> : null}
        {visit.voided ? <span className="badge badge-blocked">{isRefund(visit) ? t('refunded') : t('voided')}</span> : null}
      </div>
      {visit.items.length > 0 ? (
        <p className="visit-items muted">
          {visit.items.map((item, i) => (
            <Fragment key={i}>
              {i > 0 ? t('listSeparator') : null}
              <bdi>{t('itemLine', { name: item.name, n: formatNumber(item.quantity, locale) })}</bdi>
            </Fragment>
          ))}
        </p>
      ) : null}
      {visit.voided && visit.voidReason ? (
        <p className="muted">{t('voidReasonShown', { reason: isRefund(visit) ? visit.voidReason.slice(REFUND_MARK.length) : visit.voidReason })}</p>
      ) : null}
    </>
  );
}

/** A redemption in the history: when, how many points, and the reward. */
function RedemptionRow({ entry, unsynced, timeZone }: { entry: LoyaltyEntry; unsynced: boolean; timeZone: string }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  return (
    <li className="visit redemption" data-testid="redemption-row">
      <div className="visit-main">
        <span className="visit-date figure">{formatDateTime(entry.occurredAt, locale, timeZone)}</span>
        <strong className="visit-points figure">{t('redeemedLine', { n: formatNumber(-entry.points, locale) })}</strong>
        {entry.note ? <bdi className="muted">{entry.note}</bdi> : null}
        {unsynced ? <span className="badge badge-pending">{t('notSynced')}</span> : null}
      </div>
    </li>
  );
}

/** What voiding a visit would do, read when the form opens (the voidImpact query). */
function useVoidImpact(visitId: string): VoidImpact | null {
  const terminal = useTerminal();
  const [impact, setImpact] = useState<VoidImpact | null>(null);
  useEffect(() => {
    let live = true;
    void terminal.queries.voidImpact(visitId, Date.now()).then((value) => live && setImpact(value));
    return () => {
      live = false;
    };
  }, [terminal, visitId]);
  return impact;
}

/**
 * Voids or refunds one visit (the voidVisit command: the flag and the reversal of its earning, never twice).
 * The points impact is shown before confirming; a negative result or an old visit needs a manager's PIN.
 */
function VoidForm({ visit, onDone }: { visit: Visit; onDone(): void }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const voidVisit = useCommand('voidVisit');
  const impact = useVoidImpact(visit.id);
  const [reason, setReason] = useState('');
  const [refund, setRefund] = useState(false);
  const [approval, setApproval] = useState<ApprovalInput>({ staffId: '', pin: '' });
  const [showError, setShowError] = useState(false);
  const needsApproval = impact?.approval ?? null;
  const reasonError =
    showError && reason.trim() === ''
      ? t('common:fields.REQUIRED')
      : showError && reason.length > 500
        ? t('common:fields.TOO_LONG')
        : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShowError(true);
    if (reason.trim() === '' || reason.length > 500 || voidVisit.pending) return;
    const result = await voidVisit.run({ visitId: visit.id, reason, refund, ...(needsApproval ? { approval } : {}) });
    if (result.ok) onDone();
  };
  const n = (value: number) => formatNumber(value, locale, { signDisplay: 'exceptZero' });

  return (
    <form className="void-form" data-testid="void-form" onSubmit={(event) => void submit(event)} noValidate>
      {impact ? (
        <p className={impact.balanceAfter < 0 ? 'alert alert-warning' : 'muted'} data-testid="void-impact" data-after={impact.balanceAfter}>
          {t('voidImpact', { points: n(impact.points), before: formatNumber(impact.balanceBefore, locale), after: formatNumber(impact.balanceAfter, locale) })}
        </p>
      ) : null}
      <CheckboxField label={t('refundInstead')} checked={refund} onChange={(event) => setRefund(event.target.checked)} />
      <TextField
        label={t('voidReason')}
        value={reason}
        required
        requiredMark
        maxLength={500}
        error={reasonError}
        autoFocus
        onChange={(event) => setReason(event.target.value)}
      />
      {needsApproval ? <ApprovalFields value={approval} onChange={setApproval} why={t(`approval.voidWhy.${needsApproval}`)} /> : null}
      {voidVisit.error ? (
        <p className="alert alert-error" role="alert">
          {t(voidVisit.error.key)}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button-danger" disabled={voidVisit.pending || impact === null}>
          {refund ? t('refundConfirm') : t('voidConfirm')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common:cancel')}
        </button>
      </div>
    </form>
  );
}
