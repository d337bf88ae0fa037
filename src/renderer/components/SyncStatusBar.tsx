import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { initialSyncProgress } from '../../sync/client/progress.ts';
import type { SyncStatus } from '../../sync/client/status.ts';
import { useTerminal } from '../app/terminal-context.ts';
import { caughtUp$ } from '../lib/initial-sync.ts';
import { formatNumber, formatPercent, formatRelative } from '../lib/format.ts';
import { useLocale, useNow, useServiceWorker, useSyncStatus } from '../lib/hooks.ts';
import { useLive } from '../lib/useLive.ts';
import { getPlatform } from '../lib/platform.ts';

/**
 * Always visible: connection, writes waiting for the server, the last sync, and the states that need a
 * person (update needed, terminal revoked). A fresh terminal shows its initial sync as documents received
 * of the server's total and a percentage; the counter's lookup works as soon as the customers are in.
 */
export function SyncStatusBar() {
  const { t } = useTranslation('status');
  const terminal = useTerminal();
  const locale = useLocale();
  const status = useSyncStatus(terminal);
  // Re-render periodically so "last sync" ages; read the clock at render (a tick may be 15 s old), and never
  // say "in 5 seconds" for a stamp a moment ahead of this render.
  useNow(15_000);
  const now = Date.now();
  useServiceWorker();
  const done = useLive(() => caughtUp$(terminal), [terminal], new Set());
  const connection = status.connection;
  const syncing = !status.initialSyncDone && (connection === 'online' || connection === 'connecting');
  const customersReady = done.has('customers');

  return (
    <section
      className={`sync-bar sync-${connection}`}
      aria-label={t('label')}
      data-testid="sync-status"
      data-connection={connection}
      data-pending={status.pending}
      data-initial-sync={status.initialSyncDone ? 'done' : 'running'}
    >
      <p className="sync-item sync-connection" role="status" aria-live="polite">
        <span className="sync-dot" aria-hidden="true" />
        {t(`connection.${connection}`)}
      </p>
      <p className="sync-item" data-testid="sync-pending">
        {status.pending > 0
          ? t('pending', { count: status.pending, n: formatNumber(status.pending, locale) })
          : status.initialSyncDone
            ? t('allSaved')
            : t('firstSync')}
      </p>
      {status.setAside && status.setAside.length > 0 ? (
        <p className="sync-item" data-testid="sync-set-aside">
          {t('setAside', { count: status.setAside.length, n: formatNumber(status.setAside.length, locale) })}
        </p>
      ) : null}
      <p className="sync-item muted">
        {status.lastSyncAt
          ? t('lastSync', {
              when: formatRelative(status.lastSyncAt, Math.max(now, Date.parse(status.lastSyncAt)), locale),
            })
          : t('neverSynced')}
      </p>
      {syncing ? <InitialSyncProgress status={status} customersReady={customersReady} /> : null}
      {connection === 'server' && status.lastError ? (
        <p className="sync-item muted">
          {t(`common:errors.${status.lastError}`, { defaultValue: t('common:errors.unknown') })}
        </p>
      ) : null}
      {connection === 'update-needed' ? <UpdateNeeded /> : null}
      {connection === 'revoked' || connection === 'not-enrolled' ? <Revoked reason={connection} /> : null}
    </section>
  );
}

/**
 * The initial sync in documents: "N of M documents · P %" over a bar when the server's total is known, else
 * the count alone over an indeterminate bar — never a percentage of a total nobody knows.
 */
export function InitialSyncProgress({ status, customersReady }: { status: Pick<SyncStatus, 'received' | 'expected' | 'initialSyncDone'>; customersReady: boolean }) {
  const { t } = useTranslation('status');
  const locale = useLocale();
  const { received, total, fraction } = initialSyncProgress(status);
  const n = formatNumber(received, locale);
  return (
    <div className="sync-item sync-progress" data-testid="sync-progress">
      {total === null || fraction === null ? (
        <>
          <progress aria-label={t('initialSync')} />
          <span>{t('initialReceived', { count: received, n })}</span>
        </>
      ) : (
        <>
          {/* The bar shows the same whole percent as the text (at most 99 % until the sync is done). */}
          <progress value={Math.round(fraction * total)} max={total} aria-label={t('initialSync')} />
          <span>
            {t('initialProgress', { count: total, n, total: formatNumber(total, locale), percent: formatPercent(fraction, locale) })}
          </span>
        </>
      )}
      {customersReady ? <span className="badge badge-ok">{t('customersReady')}</span> : null}
    </div>
  );
}

function UpdateNeeded() {
  const { t } = useTranslation('status');
  return (
    <div className="sync-alert" role="alert">
      <p>{t('updateNeeded')}</p>
      <button type="button" onClick={() => location.reload()}>
        {t('reload')}
      </button>
    </div>
  );
}

function Revoked({ reason }: { reason: 'revoked' | 'not-enrolled' }) {
  const { t } = useTranslation('status');
  const [confirming, setConfirming] = useState(false);
  const reenrol = async () => {
    await getPlatform().clearDeviceCredential();
    location.reload();
  };
  return (
    <div className="sync-alert" role="alert">
      <p>{t(reason === 'revoked' ? 'revoked' : 'notEnrolled')}</p>
      {confirming ? (
        <>
          <p>{t('reenrolWarning')}</p>
          <button type="button" className="button-danger" onClick={() => void reenrol()}>
            {t('reenrolConfirm')}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t('common:cancel')}
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          {t('reenrol')}
        </button>
      )}
    </div>
  );
}
