import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Customer } from '../../../sync/model/customer.ts';
import { newId } from '../../../sync/model/ids.ts';
import { moneyUnit } from '../../../sync/model/money.ts';
import type { LedgerSummary } from '../../../sync/model/loyalty.ts';
import type { LoyaltyEntry } from '../../../sync/model/loyalty-entry.ts';
import type { Reward } from '../../../sync/model/reward.ts';
import type { Visit } from '../../../sync/model/visit.ts';
import { SelectField, TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLatestRef, useLocale, useNow, useSettings } from '../../lib/hooks.ts';
import { useLive } from '../../lib/useLive.ts';
import { currencyLabel, formatAmount, formatNumber } from '../../lib/format.ts';
import { getPlatform } from '../../lib/platform.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { buildReceipt } from './receipt.ts';
import { offeredRewards, pointsLimit, previewSale, typedPoints, type ChosenReward } from './sale-rewards.ts';
import { SaleRewards } from './SaleRewards.tsx';
import { emptyVisitForm, parseVisitForm, PAYMENT_METHODS, previewPoints, previewStamps, type VisitFormValues } from './visit-form.ts';

let lineCounter = 0;

/**
 * Records a visit: an amount or item lines, a discount, rewards redeemed on the sale and the payment method; each
 * reward's discount, the new total and the points it earns are shown before the cashier confirms. The visit, its
 * earning and its redemptions are written to the local replica together (the server gets them when reachable).
 */
export function VisitForm(props: {
  customer: Customer;
  summary: LedgerSummary | null;
  entries: LoyaltyEntry[] | null;
  blocked: boolean;
  autoFocus?: boolean;
}) {
  const { customer, summary, blocked } = props;
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const locale = useLocale();
  const settings = useSettings(terminal);
  const record = useCommand('recordVisit');
  const [values, setValues] = useState<VisitFormValues>(emptyVisitForm);
  const [chosen, setChosen] = useState<ChosenReward[]>([]);
  const rewards = useLive(() => terminal.queries.rewards$(), [terminal], [] as Reward[]);
  const now = useNow(60_000);
  // The visit's id, kept while the form is unchanged: submitting it again completes that visit, never a second.
  const [visitId, setVisitId] = useState(newId);
  const [showErrors, setShowErrors] = useState(false);
  const [printFailed, setPrintFailed] = useState(false);
  const [recorded, setRecorded] = useState<Visit | null>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  const headingId = useId();
  const summaryRef = useLatestRef(summary);
  // Opened from the lookup with Enter: the cashier's next keys are the amount.
  useEffect(() => {
    if (props.autoFocus) amountRef.current?.focus();
  }, [props.autoFocus]);

  const unit = useMemo(() => moneyUnit(settings), [settings]);
  const parsed = useMemo(() => parseVisitForm(values, unit), [values, unit]);
  const tier = summary?.tier ?? 'bronze';
  const offered = useMemo(
    // The clock read afresh with every new ledger line: a redemption just made counts against its cap at once.
    () => offeredRewards(rewards, { customer, tier, entries: props.entries ?? [], now: new Date(Math.max(now, Date.now())), timeZone: settings.timeZone, program: settings.program }),
    [rewards, customer, tier, props.entries, now, settings],
  );
  const sale = parsed.ok ? { subtotal: parsed.subtotal, discount: parsed.discount, items: parsed.input.items } : null;
  const preview = sale ? previewSale(sale, chosen, rewards) : null;
  const total = preview?.applied.ok ? preview.applied.total : parsed.ok ? parsed.total : 0;
  const pointsUsed = preview?.points ?? 0;
  const balance = summary?.balance ?? 0;
  const rewardProblem = !preview ? null : !preview.applied.ok ? `saleRewards.refusal.${preview.applied.reason}` : pointsUsed > balance ? 'saleRewards.notEnough' : null;
  const maxPoints = (rewardId: string) => {
    const reward = rewards.find((r) => r.id === rewardId);
    if (!reward || !sale) return 0;
    const before = previewSale(sale, chosen.slice(0, chosen.findIndex((c) => c.rewardId === rewardId)), rewards);
    const spent = before?.points ?? 0;
    return pointsLimit(reward, before?.applied.ok ? before.applied.total : sale.subtotal - sale.discount, balance - spent);
  };
  const points = parsed.ok ? previewPoints(total, tier, settings.program, blocked) : 0;
  const nameOf = (rewardId: string) => rewards.find((r) => r.id === rewardId)?.name ?? '';
  const stamps = previewStamps(parsed, settings.program, blocked);
  const money = (minor: number) => formatAmount(minor, unit, locale);
  const error = (key: string) => (showErrors && !parsed.ok && parsed.errors[key] ? t(parsed.errors[key]) : null);

  const set = (patch: Partial<VisitFormValues>) => {
    setValues((v) => ({ ...v, ...patch }));
    setVisitId(newId());
    setRecorded(null);
  };
  const choose = (next: ChosenReward[]) => {
    setChosen(next);
    setVisitId(newId());
    setRecorded(null);
  };
  const setLine = (index: number, patch: Partial<VisitFormValues['items'][number]>) =>
    set({ items: values.items.map((line, i) => (i === index ? { ...line, ...patch } : line)) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (!parsed.ok || record.pending || rewardProblem) return;
    // The points are the command's: the group's tier as the replica has it at the moment of the write. The
    // command applies the rewards again with the same model functions (and checks them against the ledger).
    const saleRewards = chosen.map((c) => {
      const typed = typedPoints(c.points);
      return { rewardId: c.rewardId, ...(typed !== undefined ? { points: typed } : {}) };
    });
    const result = await record.run({ id: visitId, customerId: customer.id, ...parsed.input, rewards: saleRewards });
    if (!result.ok) return;
    setRecorded(result.value);
    setValues(emptyVisitForm());
    setChosen([]);
    setVisitId(newId());
    setShowErrors(false);
  };

  const print = async () => {
    if (!recorded) return;
    const staff = terminal.session.current();
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
      setPrintFailed(!result.printed);
    } catch {
      setPrintFailed(true);
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
            label={t('amount', { currency: currencyLabel(unit, locale) })}
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
        <SaleRewards offered={offered} chosen={chosen} maxPoints={maxPoints} disabled={blocked} locale={locale} onChange={choose} />
        <TextField
          label={t('visitNotes')}
          value={values.notes}
          maxLength={1000}
          error={error('notes')}
          onChange={(event) => set({ notes: event.target.value })}
        />

        <div className="visit-total" aria-live="polite">
          {preview?.applied.ok ? (
            <ul className="reward-lines" data-testid="reward-lines">
              {preview.applied.lines.map((line) => (
                <li key={line.rewardId}>
                  {t('saleRewards.line', { reward: nameOf(line.rewardId), amount: money(line.discount), n: formatNumber(line.points, locale), count: line.points })}
                </li>
              ))}
            </ul>
          ) : null}
          {rewardProblem ? (
            <p className="field-error" role="alert" data-testid="reward-problem">
              {t(rewardProblem, { n: formatNumber(pointsUsed, locale), reward: preview && !preview.applied.ok ? nameOf(preview.applied.rewardId) : '' })}
            </p>
          ) : null}
          <p>
            <span className="muted">{t('total')}</span>
            <strong data-testid="visit-total" data-total={total}>{money(total)}</strong>
          </p>
          <p className="earn-preview" data-testid="earn-preview" data-points={summary ? points : undefined}>
            {blocked
              ? t('blockedNoPoints')
              : summary
                ? t('earns', { count: points, n: formatNumber(points, locale) })
                : t('common:loading')}
          </p>
          {stamps !== null ? (
            <p className="earn-preview" data-testid="stamp-preview" data-stamps={stamps}>
              {t('stampCard.earns', { count: stamps, n: formatNumber(stamps, locale) })}
            </p>
          ) : null}
        </div>
        {record.error || printFailed ? (
          <p className="alert alert-error" role="alert">
            {record.error ? t(record.error.key, { cap: formatNumber(Number(record.error.details?.cap ?? 0), locale), used: formatNumber(Number(record.error.details?.used ?? 0), locale) }) : t('printFailed')}
          </p>
        ) : null}
        <button type="submit" className="button-primary button-wide" disabled={record.pending || summary === null || rewardProblem !== null}>
          {record.pending ? t('saving') : t('recordVisit')}
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
          {recorded.rewards ? (
            <p data-testid="visit-recorded-rewards">
              {t('saleRewards.recorded', { rewards: recorded.rewards.map((r) => nameOf(r.rewardId)).join(t('listSeparator')), amount: money(recorded.rewards.reduce((sum, r) => sum + r.discount, 0)) })}
            </p>
          ) : null}
          <button type="button" onClick={() => void print()}>
            {t('printReceipt')}
          </button>
        </div>
      ) : null}
    </section>
  );
}
