import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../../sync/client/status.ts';
import { voidVisit } from '../../../sync/model/document-builders.ts';
import { earnEntryId } from '../../../sync/model/ids.ts';
import type { LoyaltyEntry } from '../../../sync/model/loyalty-entry.ts';
import { formatMoney } from '../../../sync/model/money.ts';
import type { Visit } from '../../../sync/model/visit.ts';
import { TextField } from '../../components/Fields.tsx';
import { useSubject, useTerminal } from '../../db/hooks.ts';
import { errorKey } from '../../lib/errors.ts';
import { useLocale } from '../../lib/hooks.ts';
import { formatDateTime, formatNumber } from '../../lib/intl.ts';
import { useWriteContext, type LocalVisit } from './use-customer.ts';

const SHOWN = 5;

/** The customer's last visits, newest first, with their points; a visit can be voided with a reason. */
export function VisitHistory({
  visits,
  pending,
  status,
}: {
  visits: LocalVisit[] | null;
  pending: ReadonlySet<string>;
  status: SyncStatus;
}) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const terminal = useTerminal();
  const settings = useSubject(terminal.settings$);
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
                <VoidForm visit={visit} status={status} onDone={() => setVoiding(null)} />
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

/** Voids one visit: the flag on the visit and a reversal of its earning (deterministic id, so never twice). */
function VoidForm({ visit, status, onDone }: { visit: LocalVisit; status: SyncStatus; onDone(): void }) {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const writeContext = useWriteContext(status);
  const [reason, setReason] = useState('');
  const [showError, setShowError] = useState(false);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const reasonError =
    showError && reason.trim() === ''
      ? t('validation.required')
      : showError && reason.length > 500
        ? t('validation.tooLong')
        : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShowError(true);
    if (reason.trim() === '' || reason.length > 500 || saving) return;
    setSaving(true);
    try {
      const ctx = writeContext();
      const [visitDoc, earnDoc] = await Promise.all([
        terminal.db.visits.findOne(visit.id).exec(),
        terminal.db.loyaltyEntries.findOne(earnEntryId(visit.id)).exec(),
      ]);
      if (!visitDoc) throw new Error('visit not found');
      const earn = earnDoc
        ? ({ ...(earnDoc.toJSON() as Omit<LoyaltyEntry, '_deleted'>), _deleted: false } as LoyaltyEntry)
        : null;
      const { visit: voided, reversal } = voidVisit(
        { ...(visitDoc.toJSON() as Omit<Visit, '_deleted'>), _deleted: false },
        earn,
        reason.trim(),
        ctx,
      );
      await visitDoc.incrementalPatch({
        voided: voided.voided,
        voidedAt: voided.voidedAt,
        voidedBy: voided.voidedBy,
        voidReason: voided.voidReason,
        updatedAt: voided.updatedAt,
      });
      if (reversal) {
        const { _deleted, ...doc } = reversal;
        // The reversal id is derived from the earning: if another terminal voided it first, it exists already.
        const existing = await terminal.db.loyaltyEntries.findOne(doc.id).exec();
        if (!existing) await terminal.db.loyaltyEntries.insert(doc);
      }
      onDone();
    } catch (caught) {
      setFailure(caught);
    } finally {
      setSaving(false);
    }
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
      {failure ? (
        <p className="alert alert-error" role="alert">
          {t(errorKey(failure))}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button-danger" disabled={saving}>
          {t('voidConfirm')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common:cancel')}
        </button>
      </div>
    </form>
  );
}
