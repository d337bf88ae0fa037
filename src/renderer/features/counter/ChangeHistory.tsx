import { useInfiniteQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChangeEntry, ChangeHistoryPage } from '../../../sync/client/queries/change-history.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { formatDateTime, formatList } from '../../lib/format.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';

/** Bookkeeping and derived fields: who and when are shown on the line itself, derived keys follow their field. */
const UNLISTED = new Set(['id', 'merchantId', 'updatedAt', 'updatedBy', 'createdAt', 'phoneKey', 'phoneReversed', 'nameKey', 'storeId', 'voidedAt', 'voidedBy', 'resolvedAt', 'resolvedBy']);
/** A device time further than this from the server's is shown: the write was made offline (or the clock is off). */
const OFFLINE_GAP_MS = 60_000;

/**
 * The customer's change history for managers: every write the server accepted or refused about them, who
 * made it on which terminal and when, and the fields it changed. Read from the server on demand (only the
 * server keeps the trail); offline it says so.
 */
export function ChangeHistory({ customerId }: { customerId: string }) {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const [open, setOpen] = useState(false);
  const headingId = useId();
  const history = useInfiniteQuery({
    queryKey: ['change-history', terminal.identity.terminalId, customerId],
    queryFn: ({ pageParam }: { pageParam: string | null }) => terminal.queries.changeHistory(customerId, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last: ChangeHistoryPage) => (last.status === 'ok' && last.before !== null ? last.before : undefined),
    enabled: open,
    staleTime: 0,
    retry: false,
  });
  const pages = history.data?.pages ?? [];
  const entries = pages.flatMap((page) => (page.status === 'ok' ? page.entries : []));
  const problem = pages.find((page) => page.status !== 'ok');

  return (
    <section className="panel change-history" aria-labelledby={headingId} data-testid="change-history">
      <h3 id={headingId}>
        <button type="button" className="button-link" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          {t('history.title')}
        </button>
      </h3>
      {open ? (
        <>
          {history.isPending ? <p role="status">{t('common:loading')}</p> : null}
          {problem?.status === 'needs-server' ? <p role="status">{t('history.needsServer')}</p> : null}
          {problem?.status === 'failed' ? <p role="alert">{t('history.failed', { code: problem.code })}</p> : null}
          {problem ? (
            <button type="button" className="button-link" onClick={() => void history.refetch()}>
              {t('history.retry')}
            </button>
          ) : null}
          {!history.isPending && !problem && entries.length === 0 ? <p className="muted">{t('history.empty')}</p> : null}
          <ol className="change-list">
            {entries.map((entry) => (
              <ChangeLine key={entry.id} entry={entry} />
            ))}
          </ol>
          {history.hasNextPage ? (
            <button type="button" className="button-link" disabled={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
              {t('history.older')}
            </button>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** One write: what, by whom on which terminal, when (and the device's time when it differs), which fields. */
function ChangeLine({ entry }: { entry: ChangeEntry }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const { timeZone } = useSettings(useTerminal());
  const created = entry.fields.includes('id');
  const fields = created ? [] : entry.fields.filter((f) => !UNLISTED.has(f)).map((f) => t(`history.field.${f}`, { defaultValue: f }));
  const device = entry.businessTime !== null && Number.isFinite(Date.parse(entry.businessTime)) ? entry.businessTime : null;
  const offline = device !== null && Math.abs(Date.parse(device) - Date.parse(entry.serverTime)) > OFFLINE_GAP_MS;
  // A server-made change may carry a staff member's line (an earn released when its visit arrived): name both.
  const who = entry.actor === 'staff' ? (entry.staffName ?? t('history.unknownStaff')) : entry.staffName ? t('history.systemFor', { who: entry.staffName }) : t('history.system');
  return (
    <li className={`change${entry.outcome === 'refused' ? ' is-refused' : ''}`} data-testid="change-entry" data-outcome={entry.outcome}>
      <div className="change-main">
        <span className="figure">{formatDateTime(entry.serverTime, locale, timeZone)}</span>
        <strong>{t(created ? `history.created.${entry.collection}` : `history.changed.${entry.collection}`)}</strong>
        {entry.outcome === 'refused' ? <span className="badge badge-blocked">{t('history.refused', { code: entry.refusalCode ?? '' })}</span> : null}
      </div>
      <div className="change-who muted">
        {entry.terminalName ? t('history.byOn', { who, terminal: entry.terminalName }) : t('history.by', { who })}
        {offline ? <span> · {t('history.deviceTime', { time: formatDateTime(device, locale, timeZone) })}</span> : null}
      </div>
      {fields.length > 0 ? <div className="change-fields">{t('history.fields', { fields: formatList(fields, locale) })}</div> : null}
    </li>
  );
}
