import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../../sync/client/status.ts';
import type { LedgerSummary } from '../../../sync/model/loyalty.ts';
import { newVisit } from '../../../sync/model/document-builders.ts';
import { formatMoney } from '../../../sync/model/money.ts';
import { SelectField, TextField } from '../../components/Fields.tsx';
import { useSubject, useTerminal } from '../../db/hooks.ts';
import { errorKey } from '../../lib/errors.ts';
import { useLatestRef, useLocale } from '../../lib/hooks.ts';
import { currencyLabel, formatNumber } from '../../lib/intl.ts';
import { getPlatform } from '../../lib/platform.ts';
import type { LocalCustomer } from './lookup.ts';
import { buildReceipt } from './receipt.ts';
import { useWriteContext, type LocalVisit } from './use-customer.ts';
import { emptyVisitForm, parseVisitForm, PAYMENT_METHODS, previewPoints, type VisitFormValues } from './visit-form.ts';

let lineCounter = 0;

/**
 * Records a visit: an amount or item lines, a discount and the payment method; the points it earns are
 * shown before the cashier confirms. The visit and its earning entry are written to the local replica (the
 * server gets them when it is reachable).
 */
export function VisitForm(props: {
  customer: LocalCustomer;
  group: readonly string[];
  summary: LedgerSummary | null;
  status: SyncStatus;
  blocked: boolean;
  autoFocus?: boolean;
}) {
  const { customer, summary, blocked } = props;
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const locale = useLocale();
  const settings = useSubject(terminal.settings$);
  const writeContext = useWriteContext(props.status);
  const [values, setValues] = useState<VisitFormValues>(emptyVisitForm);
  const [showErrors, setShowErrors] = useState(false);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [recorded, setRecorded] = useState<LocalVisit | null>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  const headingId = useId();
  const summaryRef = useLatestRef(summary);
  // Opened from the lookup with Enter: the cashier's next keys are the amount.
  useEffect(() => {
    if (props.autoFocus) amountRef.current?.focus();
  }, [props.autoFocus]);

  const parsed = useMemo(() => parseVisitForm(values, settings.currency), [values, settings.currency]);
  const tier = summary?.tier ?? 'bronze';
  const points = parsed.ok ? previewPoints(parsed.total, tier, settings.program, blocked) : 0;
  const money = (minor: number) => formatMoney(minor, settings.currency, locale);
  const error = (key: string) => (showErrors && !parsed.ok && parsed.errors[key] ? t(parsed.errors[key]) : null);

  const set = (patch: Partial<VisitFormValues>) => {
    setValues((v) => ({ ...v, ...patch }));
    setRecorded(null);
  };
  const setLine = (index: number, patch: Partial<VisitFormValues['items'][number]>) =>
    set({ items: values.items.map((line, i) => (i === index ? { ...line, ...patch } : line)) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (!parsed.ok || saving) return;
    setSaving(true);
    setFailure(null);
    try {
      const ctx = writeContext();
      // The tier at the moment of the write, from the loaded ledger (the preview may be a render behind).
      const current = await terminal.ledger.groupSummary(props.group);
      const earned = previewPoints(parsed.total, current.tier, settings.program, blocked);
      const { visit, earn } = newVisit(
        { customerId: customer.id, currency: settings.currency, ...parsed.input },
        earned,
        ctx,
      );
      const { _deleted: _v, ...visitDoc } = visit;
      await terminal.db.visits.insert(visitDoc);
      if (earn) {
        const { _deleted: _e, ...earnDoc } = earn;
        await terminal.db.loyaltyEntries.insert(earnDoc);
      }
      setRecorded(visitDoc);
      setValues(emptyVisitForm());
      setShowErrors(false);
    } catch (caught) {
      setFailure(caught);
    } finally {
      setSaving(false);
    }
  };

  const print = async () => {
    if (!recorded) return;
    const staff = terminal.staff$.getValue();
    const receipt = buildReceipt({
      visit: recorded,
      settings,
      customer: { name: customer.name, phone: customer.phone },
      staffName: staff?.name ?? '',
      locale,
      pointsBalance: summaryRef.current?.balance ?? null,
    });
    try {
      const result = await getPlatform().printReceipt(receipt);
      if (!result.printed) setFailure(new Error(result.reason));
    } catch (caught) {
      setFailure(caught);
    }
  };

  return (
    <section className="panel visit-panel" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('visitTitle')}</h3>
      <form className="visit-form" data-testid="visit-form" onSubmit={(event) => void submit(event)} noValidate>
        {values.items.length === 0 ? (
          <TextField
            inputRef={amountRef}
            id="visit-amount"
            label={t('amount', { currency: currencyLabel(settings.currency, locale) })}
            inputMode="decimal"
            autoComplete="off"
            value={values.amount}
            error={error('amount')}
            hint={parsed.ok && parsed.subtotal > 0 ? money(parsed.subtotal) : undefined}
            onChange={(event) => set({ amount: event.target.value })}
          />
        ) : null}
        {values.items.length > 0 ? (
          <fieldset className="items">
            <legend>{t('items')}</legend>
            {values.items.map((line, index) => (
              <div className="item-line" key={line.key}>
                <TextField
                  label={t('itemName')}
                  value={line.name}
                  error={error(`items.${index}.name`)}
                  onChange={(event) => setLine(index, { name: event.target.value })}
                />
                <TextField
                  label={t('quantity')}
                  className="field-narrow"
                  inputMode="numeric"
                  value={line.quantity}
                  error={error(`items.${index}.quantity`)}
                  onChange={(event) => setLine(index, { quantity: event.target.value })}
                />
                <TextField
                  label={t('unitPrice')}
                  inputMode="decimal"
                  value={line.unitPrice}
                  error={error(`items.${index}.unitPrice`)}
                  onChange={(event) => setLine(index, { unitPrice: event.target.value })}
                />
                <button
                  type="button"
                  className="button-link"
                  onClick={() => set({ items: values.items.filter((_, i) => i !== index) })}
                >
                  {t('removeItem')}
                </button>
              </div>
            ))}
          </fieldset>
        ) : null}
        <button
          type="button"
          className="button-link"
          onClick={() =>
            set({ items: [...values.items, { key: `line-${++lineCounter}`, name: '', quantity: '1', unitPrice: '' }] })
          }
        >
          {t('addItem')}
        </button>
        <div className="form-row">
          <TextField
            label={t('discount')}
            inputMode="decimal"
            autoComplete="off"
            value={values.discount}
            error={error('discount')}
            onChange={(event) => set({ discount: event.target.value })}
          />
          <SelectField
            label={t('paymentMethod')}
            value={values.paymentMethod}
            options={PAYMENT_METHODS.map((m) => ({ value: m, label: t(`common:payment.${m}`) }))}
            onChange={(event) => set({ paymentMethod: event.target.value as VisitFormValues['paymentMethod'] })}
          />
        </div>
        <TextField
          label={t('visitNotes')}
          value={values.notes}
          maxLength={1000}
          error={error('notes')}
          onChange={(event) => set({ notes: event.target.value })}
        />

        <div className="visit-total" aria-live="polite">
          <p>
            <span className="muted">{t('total')}</span>
            <strong>{parsed.ok ? money(parsed.total) : money(0)}</strong>
          </p>
          <p className="earn-preview" data-testid="earn-preview" data-points={summary ? points : undefined}>
            {blocked
              ? t('blockedNoPoints')
              : summary
                ? t('earns', { count: points, n: formatNumber(points, locale) })
                : t('common:loading')}
          </p>
        </div>
        {failure ? (
          <p className="alert alert-error" role="alert">
            {t(errorKey(failure))}
          </p>
        ) : null}
        <button type="submit" className="button-primary button-wide" disabled={saving || summary === null}>
          {saving ? t('saving') : t('recordVisit')}
        </button>
      </form>
      {recorded ? (
        <div className="recorded" role="status" data-testid="visit-recorded">
          <p>
            {t('visitRecorded', {
              total: money(recorded.total),
              n: formatNumber(recorded.pointsEarned, locale),
              count: recorded.pointsEarned,
            })}
          </p>
          <button type="button" onClick={() => void print()}>
            {t('printReceipt')}
          </button>
        </div>
      ) : null}
    </section>
  );
}
