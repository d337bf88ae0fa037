import { memo, useCallback, useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { TierBadge } from '../../components/TierBadge.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLocale } from '../../lib/hooks.ts';
import { useLive } from '../../lib/useLive.ts';
import { caughtUp$, customersSyncedBefore } from '../../lib/initial-sync.ts';
import { formatNumber, formatPhoneNumber } from '../../lib/format.ts';
import type { Locale } from '../../../sync/model/settings.ts';
import type { Customer } from '../../../sync/model/customer.ts';
import { moveHighlight } from './lookup-input.ts';
import { ResultSegment } from './ResultSegment.tsx';
import { useGroup, useGroupSummary } from './useCustomer.ts';
import { useCustomerLookup } from './useCustomerLookup.ts';
import { CameraScan, useCameraAvailable } from './CameraScan.tsx';

const LISTBOX_ID = 'lookup-results';

/** Pause in typing before the results read their ledgers (tiers): keystrokes keep the main thread and the database. */
const TIER_DELAY_MS = 300;

/** What the counter may do to the lookup from outside (the typed text lives in the panel, not the page). */
export interface LookupHandle {
  clear(): void;
}

/**
 * The one lookup field of the counter: phone prefix, last digits or name, results on every keystroke.
 * Keyboard: ↑/↓ move through the results, Enter opens the highlighted one (or signs up when there is none),
 * Esc clears. The field is a combobox whose options stay in the field's focus (aria-activedescendant).
 * The typed text is the panel's own state, so a keystroke re-renders the panel only, not an open card.
 */
export function LookupPanel(props: {
  onOpen(customerId: string): void;
  /** Sign up someone new, starting from the typed text. */
  onSignUp(typed: string): void;
  inputRef: Ref<HTMLInputElement>;
  handle?: Ref<LookupHandle>;
  openId: string | null;
}) {
  const { onOpen, onSignUp, inputRef, handle, openId } = props;
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const locale = useLocale();
  const [typed, setTyped] = useState('');
  const { results: customers, total, more, codeHolder, pending, region } = useCustomerLookup(typed);
  const [highlight, setHighlight] = useState(0);
  // Typing resets the highlight in the same commit as the text (no second render per key).
  const type = useCallback((text: string) => {
    setTyped(text);
    setHighlight(0);
  }, []);
  useImperativeHandle(handle, () => ({ clear: () => type('') }), [type]);
  const customersReady =
    useLive(() => caughtUp$(terminal), [terminal], new Set()).has('customers') ||
    customersSyncedBefore(terminal.identity.terminalId);
  const listRef = useRef<HTMLUListElement>(null);
  const searching = typed.trim() !== '';
  const active = customers[highlight] ? highlight : customers.length > 0 ? 0 : -1;
  // Keep the highlighted result visible when the arrows move past the scrolled part of the list (only then:
  // typing never scrolls, and a layout read per keystroke would cost a frame).
  const [arrowMoves, setArrowMoves] = useState(0);
  useEffect(() => {
    if (arrowMoves === 0) return;
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [arrowMoves]);
  // Tiers load once typing pauses; a result that showed its tier keeps it (ResultTier).
  const [settled, setSettled] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSettled(typed), TIER_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  const loadTiers = settled === typed;
  // A complete member code (typed, or by a scanner) opens its customer at once: no other code starts with it.
  const opened = useRef<string | null>(null);
  useEffect(() => {
    if (codeHolder !== null && opened.current !== codeHolder) onOpen(codeHolder);
    opened.current = codeHolder;
  }, [codeHolder, onOpen]);

  // A member card read by the camera is typed into the field: the lookup opens its holder as above.
  const cameraAvailable = useCameraAvailable();
  const [scanning, setScanning] = useState(false);
  const inputElement = useRef<HTMLInputElement | null>(null);
  const closeCamera = useCallback(() => {
    setScanning(false);
    inputElement.current?.focus();
  }, []);
  const scanned = useCallback(
    (code: string) => {
      closeCamera();
      type(code);
    },
    [closeCamera, type],
  );
  const setInput = useCallback(
    (element: HTMLInputElement | null) => {
      inputElement.current = element;
      if (typeof inputRef === 'function') inputRef(element);
      else if (inputRef) inputRef.current = element;
    },
    [inputRef],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setHighlight(moveHighlight(active, customers.length, event.key));
      setArrowMoves((n) => n + 1);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const chosen = customers[active];
      if (chosen) onOpen(chosen.id);
      else if (searching && !pending) onSignUp(typed);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      type('');
    }
  };

  return (
    <div className="lookup">
      <label htmlFor="lookup-input" className="lookup-label">
        {t('lookupLabel')}
      </label>
      <div className="lookup-field">
      <input
        id="lookup-input"
        ref={setInput}
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
        onChange={(event) => type(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {cameraAvailable ? (
        <button type="button" className="lookup-camera" data-testid="camera-button" aria-label={t('cameraScan')} title={t('cameraScan')} aria-expanded={scanning} onClick={() => setScanning(true)}>
          <CameraIcon />
        </button>
      ) : null}
      </div>
      {scanning ? <CameraScan onCode={scanned} onClose={closeCamera} /> : null}
      <p id="lookup-hint" className="field-hint">
        {t('lookupHint')}
      </p>
      {!customersReady ? <p className="notice">{t('customersSyncing')}</p> : null}
      <p className="lookup-count" role="status" aria-live="polite" data-testid="lookup-count">
        {searching && !pending ? resultCount(t, locale, customers.length, total, more) : ''}
      </p>
      <ul ref={listRef} id={LISTBOX_ID} role="listbox" aria-label={t('resultsLabel')} className="lookup-results">
        {customers.map((customer, index) => (
          <LookupResult
            key={customer.id}
            customer={customer}
            index={index}
            region={region}
            locale={locale}
            t={t}
            highlighted={index === active}
            open={customer.id === openId}
            loadTier={loadTiers}
            onPick={onOpen}
            onHover={setHighlight}
          />
        ))}
      </ul>
      {searching && !pending && customers.length === 0 ? (
        <div className="lookup-empty">
          <p>{t('noMatch')}</p>
          <button type="button" className="button-primary" onClick={() => onSignUp(typed)}>
            {t('signUpNew')}
          </button>
        </div>
      ) : null}
      {searching && customers.length > 0 ? (
        <button type="button" className="button-link" onClick={() => onSignUp(typed)}>
          {t('signUpOther')}
        </button>
      ) : null}
    </div>
  );
}

/** A camera outline (decorative: the button's name says what it does). */
function CameraIcon() {
  return (
    <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round">
      <path d="M3 8h4l2-3h6l2 3h4v11H3z" />
      <circle cx="12" cy="13" r="3.5" />
    </svg>
  );
}

/** "3 customers found", or "20 of 200+, keep typing" when more match than are shown. */
function resultCount(t: TFunction<'counter'>, locale: Locale, shown: number, total: number, more: boolean): string {
  if (!more && total <= shown) return t('resultCount', { count: shown, n: formatNumber(shown, locale) });
  const all = formatNumber(total, locale);
  return t('resultCountPartial', { shown: formatNumber(shown, locale), total: more ? t('atLeast', { n: all }) : all });
}

/** One result row; `t` and `locale` come from the panel (no i18n hook per row), callbacks are stable. */
const LookupResult = memo(function LookupResult(props: {
  customer: Customer;
  index: number;
  region: string;
  locale: Locale;
  t: TFunction<'counter'>;
  highlighted: boolean;
  open: boolean;
  loadTier: boolean;
  onPick(customerId: string): void;
  onHover(index: number): void;
}) {
  const { customer, index, region, locale, t, highlighted, onPick, onHover } = props;
  return (
    <li
      id={`lookup-option-${customer.id}`}
      role="option"
      aria-selected={highlighted}
      className={`lookup-result${highlighted ? ' is-highlighted' : ''}${props.open ? ' is-open' : ''}`}
      data-testid="lookup-result"
      data-customer-id={customer.id}
      onClick={() => onPick(customer.id)}
      onMouseMove={() => onHover(index)}
    >
      <span className="lookup-result-name">{customer.name}</span>
      <bdi className="lookup-result-phone" dir="ltr">
        {formatPhoneNumber(customer.phone, locale, region)}
      </bdi>
      <ResultTier customerId={customer.id} load={props.loadTier} t={t} />
      <ResultSegment customerId={customer.id} load={props.loadTier} />
      {customer.status !== 'active' ? (
        <span className={`badge badge-${customer.status}`}>{t(`common:customerStatus.${customer.status}`)}</span>
      ) : null}
    </li>
  );
});

/**
 * The tier of a result, read (per customer, once) only after typing pauses — never at typing speed. Once
 * started it stays, so the next keystrokes do not blank it.
 */
function ResultTier({ customerId, load, t }: { customerId: string; load: boolean; t: TFunction<'counter'> }) {
  const [started, setStarted] = useState(load);
  if (load && !started) setStarted(true);
  return started ? <LoadedTier customerId={customerId} t={t} /> : null;
}

function LoadedTier({ customerId, t }: { customerId: string; t: TFunction<'counter'> }) {
  const summary = useGroupSummary(useGroup(customerId));
  // Nothing until the tier is known: an empty pill would read as a tier without a name.
  return summary ? <TierBadge tier={summary.tier} label={t(`common:tier.${summary.tier}`)} /> : null;
}
