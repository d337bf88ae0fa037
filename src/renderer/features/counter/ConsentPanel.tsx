import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CONSENT_CHANNELS, type ConsentChannel, type ConsentEntry, type Customer } from '../../../sync/model/customer.ts';
import { consentState } from '../../../sync/model/customer-profile.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { SelectField } from '../../components/Fields.tsx';
import { formatDateTime, isolate } from '../../lib/format.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';

/** Sources a person records a decision from at the counter (migration and import are not typed in). */
const COUNTER_SOURCES = ['counter', 'customer-request'] as const;

/**
 * Marketing consent per channel: the current state derived from the history (latest decision), a button that
 * records the opposite decision through `recordConsent`, and the whole history with who, when and where.
 */
export function ConsentPanel({ customer, history, staffNames }: { customer: Customer; history: readonly ConsentEntry[]; staffNames: ReadonlyMap<string, string> }) {
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const settings = useSettings(useTerminal());
  const record = useCommand('recordConsent');
  const [source, setSource] = useState<(typeof COUNTER_SOURCES)[number]>('counter');

  const change = (channel: ConsentChannel, granted: boolean) => void record.run({ customerId: customer.id, channel, granted, source });

  return (
    <section className="panel consent" aria-labelledby="consent-heading" data-testid="consent-panel">
      <h3 id="consent-heading">{t('consentTitle')}</h3>
      <div className="consent-channels">
        {CONSENT_CHANNELS.map((channel) => {
          const { granted } = consentState(history, channel);
          return (
            <p key={channel} data-testid={`consent-${channel}`} data-granted={granted}>
              <span className={`badge ${granted ? 'badge-ok' : 'badge-muted'}`}>
                {t(`consentState.${channel}.${granted ? 'granted' : 'none'}`)}
              </span>{' '}
              <button type="button" disabled={record.pending} onClick={() => change(channel, !granted)} data-testid={`consent-${channel}-toggle`}>
                {granted ? t('consentWithdraw') : t('consentGrant')}
              </button>
            </p>
          );
        })}
        <SelectField
          id="consent-source"
          label={t('consentSource')}
          value={source}
          options={COUNTER_SOURCES.map((value) => ({ value, label: t(`consentSources.${value}`) }))}
          onChange={(event) => setSource(event.target.value as (typeof COUNTER_SOURCES)[number])}
        />
      </div>
      {record.error ? (
        <p className="alert alert-error" role="alert">
          {t(record.error.key)}
        </p>
      ) : null}
      {history.length > 0 ? (
        <details className="consent-history">
          <summary>{t('consentHistory', { count: history.length })}</summary>
          <ol className="timeline">
            {[...history].reverse().map((entry) => (
              <li key={entry.id} data-testid="consent-entry">
                {t('consentEntry', {
                  decision: t(`consentDecision.${entry.channel}.${entry.state}`),
                  source: t(`consentSources.${entry.source}`),
                  staff: isolate(staffNames.get(entry.by) ?? t('unknownStaff')),
                  date: formatDateTime(entry.at, locale, settings.timeZone),
                })}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </section>
  );
}
