import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../../sync/model/money.ts';
import type { Visit } from '../../../sync/model/visit.ts';
import type { ApprovalInput } from '../../../sync/client/commands/approval.ts';
import { isRefund, REFUND_MARK, type VoidImpact } from '../../../sync/model/ledger-rules.ts';
import { CheckboxField, TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { ApprovalFields } from './ApprovalFields.tsx';

const SHOWN = 5;

/** The customer's last visits, newest first, with their points; a visit can be voided with a reason. */
export function VisitHistory({ visits, pending }: { visits: Visit[] | null; pending: ReadonlySet<string> }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const [all, setAll] = useState(false);
  const [voiding, setVoiding] = useState<string | null>(null);
  const headingId = useId();
  const shown = visits ? (all ? visits : visits.slice(0, SHOWN)) : [];

  return (
    <section className="panel history" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('lastVisits')}</h3>
      {visits === null ? <p role="status">{t('common:loading')}</p> : null}
      {visits?.length === 0 ? <p className="muted">{t('noVisits')}</p> : null}
      <ol className="visits">
        {shown.map((visit) => (
          <li key={visit.id} className={`visit${visit.voided ? ' is-voided' : ''}`} data-testid="visit-row">
            <div className="visit-main">
              <span className="visit-date">{formatDateTime(visit.occurredAt, locale, settings.timeZone)}</span>
              <strong className="visit-amount">{formatMoney(visit.total, visit.currency, locale)}</strong>
              <span className="visit-points">
                {t('visitPoints', { n: formatNumber(visit.pointsEarned, locale, { signDisplay: 'exceptZero' }) })}
              </span>
              <span className="muted">{t(`common:payment.${visit.paymentMethod}`)}</span>
              {pending.has(`visits:${visit.id}`) ? <span className="badge badge-pending">{t('notSynced')}</span> : null}
              {visit.voided ? <span className="badge badge-blocked">{isRefund(visit) ? t('refunded') : t('voided')}</span> : null}
            </div>
            {visit.items.length > 0 ? (
              <p className="visit-items muted">
                {visit.items
                  .map((item) => t('itemLine', { name: item.name, n: formatNumber(item.quantity, locale) }))
                  .join(t('listSeparator'))}
              </p>
            ) : null}
            {visit.voided && visit.voidReason ? (
              <p className="muted">{t('voidReasonShown', { reason: isRefund(visit) ? visit.voidReason.slice(REFUND_MARK.length) : visit.voidReason })}</p>
            ) : null}
            {!visit.voided ? (
              voiding === visit.id ? (
                <VoidForm visit={visit} onDone={() => setVoiding(null)} />
              ) : (
                <button type="button" className="button-link" onClick={() => setVoiding(visit.id)}>
                  {t('void')}
                </button>
              )
            ) : null}
          </li>
        ))}
      </ol>
      {visits && visits.length > SHOWN ? (
        <button type="button" className="button-link" onClick={() => setAll((a) => !a)} aria-expanded={all}>
          {all ? t('showFewer') : t('showAll', { n: formatNumber(visits.length, locale) })}
        </button>
      ) : null}
    </section>
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
