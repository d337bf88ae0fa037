import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney } from '../../../sync/model/money.ts';
import type { Visit } from '../../../sync/model/visit.ts';
import { TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useCommand } from '../../lib/useCommand.ts';

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
              {visit.voided ? <span className="badge badge-blocked">{t('voided')}</span> : null}
            </div>
            {visit.items.length > 0 ? (
              <p className="visit-items muted">
                {visit.items
                  .map((item) => t('itemLine', { name: item.name, n: formatNumber(item.quantity, locale) }))
                  .join(t('listSeparator'))}
              </p>
            ) : null}
            {visit.voided && visit.voidReason ? (
              <p className="muted">{t('voidReasonShown', { reason: visit.voidReason })}</p>
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

/** Voids one visit (the terminal's voidVisit command: the flag and the reversal of its earning, never twice). */
function VoidForm({ visit, onDone }: { visit: Visit; onDone(): void }) {
  const { t } = useTranslation('counter');
  const voidVisit = useCommand('voidVisit');
  const [reason, setReason] = useState('');
  const [showError, setShowError] = useState(false);
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
    const result = await voidVisit.run({ visitId: visit.id, reason });
    if (result.ok) onDone();
  };

  return (
    <form className="void-form" onSubmit={(event) => void submit(event)} noValidate>
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
      {voidVisit.error ? (
        <p className="alert alert-error" role="alert">
          {t(voidVisit.error.key)}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button-danger" disabled={voidVisit.pending}>
          {t('voidConfirm')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common:cancel')}
        </button>
      </div>
    </form>
  );
}
