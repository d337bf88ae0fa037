import { useEffect, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { TierBadge } from '../../components/TierBadge.tsx';
import { useTerminal } from '../../db/hooks.ts';
import { useLive, useLocale } from '../../lib/hooks.ts';
import { caughtUp$, customersSyncedBefore } from '../../lib/initial-sync.ts';
import { formatNumber, formatPhoneCached } from '../../lib/intl.ts';
import { moveHighlight, type LocalCustomer } from './lookup.ts';
import { useGroup, useGroupSummary } from './use-customer.ts';
import { useResolvedLookup } from './use-lookup.ts';

const LISTBOX_ID = 'lookup-results';

/**
 * The one lookup field of the counter: phone prefix, last digits or name, results on every keystroke.
 * Keyboard: ↑/↓ move through the results, Enter opens the highlighted one (or signs up when there is none),
 * Esc clears. The field is a combobox whose options stay in the field's focus (aria-activedescendant).
 */
export function LookupPanel(props: {
  typed: string;
  onTyped(text: string): void;
  onOpen(customerId: string): void;
  onSignUp(): void;
  inputRef: Ref<HTMLInputElement>;
  openId: string | null;
}) {
  const { typed, onTyped, onOpen, onSignUp, inputRef, openId } = props;
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const locale = useLocale();
  const { customers, pending, region } = useResolvedLookup(typed);
  const [highlight, setHighlight] = useState(0);
  const customersReady =
    useLive(() => caughtUp$(terminal), [terminal], new Set()).has('customers') ||
    customersSyncedBefore(terminal.credential.terminalId);
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(() => setHighlight(0), [typed]);
  const searching = typed.trim() !== '';
  const active = customers[highlight] ? highlight : customers.length > 0 ? 0 : -1;
  // Keep the highlighted result visible when the arrows move past the scrolled part of the list.
  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setHighlight(moveHighlight(active, customers.length, event.key));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const chosen = customers[active];
      if (chosen) onOpen(chosen.id);
      else if (searching && !pending) onSignUp();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      onTyped('');
    }
  };

  return (
    <div className="lookup">
      <label htmlFor="lookup-input" className="lookup-label">
        {t('lookupLabel')}
      </label>
      <input
        id="lookup-input"
        ref={inputRef}
        className="lookup-input"
        data-testid="lookup-input"
        type="text"
        role="combobox"
        autoFocus
        autoComplete="off"
        spellCheck={false}
        enterKeyHint="search"
        aria-autocomplete="list"
        aria-expanded={customers.length > 0}
        aria-controls={LISTBOX_ID}
        aria-activedescendant={active >= 0 && customers[active] ? `lookup-option-${customers[active].id}` : undefined}
        aria-describedby="lookup-hint"
        value={typed}
        onChange={(event) => onTyped(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <p id="lookup-hint" className="field-hint">
        {t('lookupHint')}
      </p>
      {!customersReady ? <p className="notice">{t('customersSyncing')}</p> : null}
      <p className="lookup-count" role="status" aria-live="polite" data-testid="lookup-count">
        {searching && !pending
          ? t('resultCount', { count: customers.length, n: formatNumber(customers.length, locale) })
          : ''}
      </p>
      <ul ref={listRef} id={LISTBOX_ID} role="listbox" aria-label={t('resultsLabel')} className="lookup-results">
        {customers.map((customer, index) => (
          <LookupResult
            key={customer.id}
            customer={customer}
            region={region}
            highlighted={index === active}
            open={customer.id === openId}
            onPick={() => onOpen(customer.id)}
            onHover={() => setHighlight(index)}
          />
        ))}
      </ul>
      {searching && !pending && customers.length === 0 ? (
        <div className="lookup-empty">
          <p>{t('noMatch')}</p>
          <button type="button" className="button-primary" onClick={onSignUp}>
            {t('signUpNew')}
          </button>
        </div>
      ) : null}
      {searching && customers.length > 0 ? (
        <button type="button" className="button-link" onClick={onSignUp}>
          {t('signUpOther')}
        </button>
      ) : null}
    </div>
  );
}

function LookupResult(props: {
  customer: LocalCustomer;
  region: string;
  highlighted: boolean;
  open: boolean;
  onPick(): void;
  onHover(): void;
}) {
  const { customer, region, highlighted } = props;
  const { t } = useTranslation('counter');
  const locale = useLocale();
  return (
    <li
      id={`lookup-option-${customer.id}`}
      role="option"
      aria-selected={highlighted}
      className={`lookup-result${highlighted ? ' is-highlighted' : ''}${props.open ? ' is-open' : ''}`}
      data-testid="lookup-result"
      data-customer-id={customer.id}
      onClick={props.onPick}
      onMouseMove={props.onHover}
    >
      <span className="lookup-result-name">{customer.name}</span>
      <bdi className="lookup-result-phone" dir="ltr">
        {formatPhoneCached(customer.phone, locale, region)}
      </bdi>
      <ResultTier customerId={customer.id} />
      {customer.status !== 'active' ? (
        <span className={`badge badge-${customer.status}`}>{t(`common:customerStatus.${customer.status}`)}</span>
      ) : null}
    </li>
  );
}

/** Pause before a result reads its ledger: while the cashier is still typing, keystrokes keep the database. */
const TIER_DELAY_MS = 120;

/** The tier of a result, filled in shortly after the results render (the ledger is read per customer, once). */
function ResultTier({ customerId }: { customerId: string }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setReady(true), TIER_DELAY_MS);
    return () => clearTimeout(timer);
  }, []);
  return ready ? <LoadedTier customerId={customerId} /> : <span className="tier tier-pending" />;
}

function LoadedTier({ customerId }: { customerId: string }) {
  const { t } = useTranslation('counter');
  const summary = useGroupSummary(useGroup(customerId));
  return summary ? (
    <TierBadge tier={summary.tier} label={t(`common:tier.${summary.tier}`)} />
  ) : (
    <span className="tier tier-pending" />
  );
}
