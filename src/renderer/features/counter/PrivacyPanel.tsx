import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ERASURE_REASON_MAX, type Erasure } from '../../../sync/model/privacy.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { downloadBlob } from '../../lib/download.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';

/** Saves bytes as a download. */
function download(fileName: string, bytes: Uint8Array, type: string): void {
  downloadBlob(fileName, new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
}

/**
 * A manager's privacy actions on the card (docs/privacy.md): the customer's data as one archive, and the
 * erasure — behind a confirmation that asks for the reason and says what stays.
 */
export function PrivacyPanel({ customerId }: { customerId: string }) {
  const { t } = useTranslation('counter');
  const exportData = useCommand('exportCustomerData');
  const erase = useCommand('eraseCustomerData');
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const headingId = useId();
  const reasonId = useId();

  const onExport = async () => {
    const result = await exportData.run({ customerId });
    if (result.ok) download(result.value.fileName, result.value.bytes, 'application/zip');
  };
  const onErase = async () => {
    // Once erased, the card's customer is gone and the card shows the erasure instead (ErasedNotice).
    await erase.run({ customerId, reason });
  };
  const reasonError = erase.error?.fields?.reason;

  return (
    <section className="panel privacy" aria-labelledby={headingId} data-testid="privacy-panel">
      <h3 id={headingId}>{t('privacy.title')}</h3>
      <div className="card-tools">
        <button type="button" onClick={() => void onExport()} disabled={exportData.pending}>
          {t('privacy.export')}
        </button>
        <button type="button" className="button-danger" aria-expanded={confirming} onClick={() => setConfirming((c) => !c)}>
          {t('privacy.erase')}
        </button>
      </div>
      {exportData.error ? <p role="alert">{t(exportData.error.key)}</p> : null}
      {confirming ? (
        <form
          className="erase-confirm"
          onSubmit={(event) => {
            event.preventDefault();
            void onErase();
          }}
        >
          <p role="note">{t('privacy.eraseWarning')}</p>
          <label htmlFor={reasonId}>{t('privacy.reason')}</label>
          <textarea
            id={reasonId}
            value={reason}
            maxLength={ERASURE_REASON_MAX}
            onChange={(event) => setReason(event.target.value)}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={reasonError ? `${reasonId}-error` : undefined}
          />
          {reasonError ? (
            <p id={`${reasonId}-error`} className="field-error">
              {t(reasonError)}
            </p>
          ) : null}
          <p className="hint">{t('privacy.reasonHint')}</p>
          <div className="card-tools">
            <button type="submit" className="button-danger" disabled={erase.pending}>
              {t('privacy.confirmErase')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t('common:cancel')}
            </button>
          </div>
          {erase.error && !reasonError ? <p role="alert">{t(erase.error.key)}</p> : null}
        </form>
      ) : null}
    </section>
  );
}

/** The erasure of a customer the replica's queries do not return (null while unknown or not erased). */
export function useErasure(id: string, gone: boolean): Erasure | null {
  const terminal = useTerminal();
  const [erasure, setErasure] = useState<Erasure | null>(null);
  useEffect(() => {
    let live = true;
    if (gone) void terminal.queries.erasureOf(id).then((found) => live && setErasure(found));
    else setErasure(null);
    return () => {
      live = false;
    };
  }, [terminal, id, gone]);
  return erasure;
}

/** What a card shows of an erased customer: that, when and why — nothing about the person. */
export function ErasedNotice({ erasure }: { erasure: Erasure }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const settings = useSettings(useTerminal());
  return (
    <p role="status" data-testid="customer-erased">
      {t('privacy.erased', { when: formatDateTime(erasure.at, locale, settings.timeZone) })} {t('privacy.erasedReason')} <bdi>{erasure.reason}</bdi>
    </p>
  );
}
