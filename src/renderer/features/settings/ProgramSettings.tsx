import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TIERS } from '../../../sync/model/common.ts';
import type { MoneyUnit } from '../../../sync/model/money.ts';
import type { CurrencyDisplay, Program, SegmentRules } from '../../../sync/model/settings.ts';
import { currencyLabel, localizeFigures } from '../../lib/format.ts';
import { useLocale } from '../../lib/hooks.ts';
import type { Reward } from '../../../sync/model/reward.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLive } from '../../lib/useLive.ts';
import { Field, useErrorText } from './Field.tsx';
import { parseProgramForm, parseSegmentsForm, programToForm, segmentsToForm, type FieldError, type FieldErrors, type Parsed, type ProgramForm, type SegmentsForm } from './validation.ts';

/** Save outcome shown under a form: saved, or the i18n key of why not. */
export type SaveResult = { ok: true } | { ok: false; key: string };

/**
 * A settings form's state: the text fields made from `value` (replaced when a change replicated from another
 * terminal arrives), their errors, and a save that parses the fields and writes nothing when they are invalid.
 */
export function useSettingsForm<T, F>(value: T, unit: MoneyUnit, toForm: (value: T, unit: MoneyUnit) => F, parse: (form: F, unit: MoneyUnit) => Parsed<T>, onSave: (value: T) => Promise<SaveResult>) {
  const locale = useLocale();
  // Figures in the UI's digits and separators (Persian in Persian); the parsers read them back.
  const [form, setForm] = useState<F>(() => localizeFigures(toForm(value, unit), locale));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [result, setResult] = useState<SaveResult | null>(null);
  const key = JSON.stringify(value);
  const unitKey = `${unit.currency}:${unit.display}`;
  // `key` stands for `value` (a new object on every read of the settings document); amounts follow the unit.
  useEffect(() => setForm(localizeFigures(toForm(value, unit), locale)), [key, unitKey, locale]);
  const save = async () => {
    setResult(null);
    const parsed = parse(form, unit);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      setResult({ ok: false, key: 'settings:saveErrors.INVALID' });
      return;
    }
    setErrors({});
    setResult(await onSave(parsed.value));
  };
  return { form, setForm, errors, result, save };
}

export function Outcome({ result }: { result: SaveResult | null }) {
  const { t } = useTranslation('settings');
  if (!result) return null;
  return result.ok ? <p role="status">{t('saved')}</p> : <p role="alert">{t(result.key)}</p>;
}

/** A tier's perks, one per line, with its error. */
function PerksField(props: { label: string; hint: string; value: string; error: FieldError | undefined; onChange: (value: string) => void }) {
  const id = useId();
  const errorText = useErrorText()(props.error);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <textarea id={id} rows={3} value={props.value} onChange={(e) => props.onChange(e.target.value)} aria-invalid={errorText ? true : undefined} aria-describedby={`${id}-hint${errorText ? ` ${id}-error` : ''}`} />
      <span id={`${id}-hint`} className="hint">{props.hint}</span>
      {errorText && <span id={`${id}-error`} className="field-error">{errorText}</span>}
    </div>
  );
}

/**
 * The loyalty program: earning rate, per-visit bonus, tiers and their perks, expiry, offline cap, adjustment
 * limits, void age, and the birthday reward.
 */
export function ProgramSettings({ program, unit, onSave }: { program: Program; unit: MoneyUnit; onSave: (program: Program) => Promise<SaveResult> }) {
  const { t } = useTranslation('settings');
  const locale = useLocale();
  const terminal = useTerminal();
  const rewards = useLive(() => terminal.queries.rewards$(), [terminal], [] as Reward[]);
  const { form, setForm, errors, result, save } = useSettingsForm(program, unit, programToForm, parseProgramForm, onSave);
  const set = (patch: Partial<ProgramForm>) => setForm({ ...form, ...patch });
  const intField = (key: Exclude<keyof ProgramForm, 'tiers' | 'birthdayRewardId'>, hint?: string) => (
    <Field key={key} name={key} label={t(`program.${key}`)} hint={hint} inputMode="numeric" value={form[key]} error={errors[key]} onChange={(v) => set({ [key]: v })} />
  );
  return (
    <form className="settings-form" aria-labelledby="program-title" onSubmit={(e) => { e.preventDefault(); void save(); }} noValidate>
      <h2 id="program-title">{t('program.title')}</h2>
      <fieldset>
        <legend>{t('program.earning')}</legend>
        {intField('earnPoints')}
        {intField('earnPer', t('program.earnPerHint', { currency: currencyLabel(unit, locale) }))}
        {intField('visitBonus')}
      </fieldset>
      <fieldset>
        <legend>{t('program.tiers')}</legend>
        <table className="tiers-table">
          <thead>
            <tr>
              <th scope="col">{t('program.tier')}</th>
              <th scope="col">{t('program.threshold')}</th>
              <th scope="col">{t('program.multiplier')}</th>
              <th scope="col">{t('program.perks')}</th>
            </tr>
          </thead>
          <tbody>
            {TIERS.map((tier, i) => (
              <tr key={tier}>
                <th scope="row">{t(`tier.${tier}`)}</th>
                <td>
                  <Field label={t('program.thresholdOf', { tier: t(`tier.${tier}`) })} inputMode="numeric" value={form.tiers[i]!.threshold} error={errors[`tiers.${i}.threshold`]}
                    onChange={(v) => set({ tiers: form.tiers.map((row, j) => (j === i ? { ...row, threshold: v } : row)) })} />
                </td>
                <td>
                  <Field label={t('program.multiplierOf', { tier: t(`tier.${tier}`) })} inputMode="decimal" value={form.tiers[i]!.multiplier} error={errors[`tiers.${i}.multiplier`]}
                    onChange={(v) => set({ tiers: form.tiers.map((row, j) => (j === i ? { ...row, multiplier: v } : row)) })} />
                </td>
                <td>
                  <PerksField label={t('program.perksOf', { tier: t(`tier.${tier}`) })} hint={t('program.perksHint')} value={form.tiers[i]!.perks} error={errors[`tiers.${i}.perks`]}
                    onChange={(v) => set({ tiers: form.tiers.map((row, j) => (j === i ? { ...row, perks: v } : row)) })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {errors.tiers && <p className="field-error">{t(`errors.${errors.tiers.code}`)}</p>}
      </fieldset>
      <fieldset>
        <legend>{t('program.limits')}</legend>
        {intField('expiryDays', t('program.expiryHint'))}
        {intField('offlineRedeemCap')}
        {intField('offlineMaxDataAgeHours')}
        {intField('cashierAdjustLimit')}
        {intField('managerAdjustLimit', t('program.managerAdjustHint'))}
        {intField('voidApprovalAgeDays')}
      </fieldset>
      <fieldset>
        <legend>{t('program.birthday')}</legend>
        <div className="field">
          <label htmlFor="birthday-reward">{t('program.birthdayReward')}</label>
          <select id="birthday-reward" name="birthdayRewardId" value={form.birthdayRewardId} aria-describedby="birthday-reward-hint" onChange={(e) => set({ birthdayRewardId: e.target.value })}>
            <option value="">{t('program.noBirthdayReward')}</option>
            {rewards.map((r) => (
              <option key={r.id} value={r.id}>{r.name}</option>
            ))}
          </select>
          <span id="birthday-reward-hint" className="hint">{t('program.birthdayHint')}</span>
        </div>
      </fieldset>
      <button type="submit">{t('save')}</button>
      <Outcome result={result} />
    </form>
  );
}

/** Segment thresholds (new / regular / VIP / at-risk / churned). */
export function SegmentSettings({ rules, unit, onSave }: { rules: SegmentRules; unit: MoneyUnit; onSave: (rules: SegmentRules) => Promise<SaveResult> }) {
  const { t } = useTranslation('settings');
  const { form, setForm, errors, result, save } = useSettingsForm(rules, unit, segmentsToForm, parseSegmentsForm, onSave);
  return (
    <form className="settings-form" aria-labelledby="segments-title" onSubmit={(e) => { e.preventDefault(); void save(); }} noValidate>
      <h2 id="segments-title">{t('segments.title')}</h2>
      <p className="hint">{t('segments.intro')}</p>
      {(Object.keys(form) as (keyof SegmentsForm)[]).map((key) => (
        <Field key={key} name={key} label={t(`segments.${key}`)} inputMode="numeric" value={form[key]} error={errors[key]} onChange={(v) => setForm({ ...form, [key]: v })} />
      ))}
      <button type="submit">{t('save')}</button>
      <Outcome result={result} />
    </form>
  );
}

/**
 * How amounts are shown and typed (Iranian rial only): toman or rial. Amounts stay stored in rial, so switching
 * rewrites nothing; every terminal shows the new unit once the setting reaches it.
 */
export function CurrencyDisplaySettings({ display, onSave }: { display: CurrencyDisplay; onSave: (display: CurrencyDisplay) => Promise<SaveResult> }) {
  const { t } = useTranslation('settings');
  const [value, setValue] = useState<CurrencyDisplay>(display);
  const [result, setResult] = useState<SaveResult | null>(null);
  useEffect(() => setValue(display), [display]);
  const save = async () => {
    setResult(null);
    setResult(await onSave(value));
  };
  return (
    <form className="settings-form" aria-labelledby="display-title" data-testid="currency-display" onSubmit={(e) => { e.preventDefault(); void save(); }} noValidate>
      <h2 id="display-title">{t('display.title')}</h2>
      <div className="field">
        <label htmlFor="currency-display">{t('display.label')}</label>
        <select id="currency-display" name="currencyDisplay" value={value} aria-describedby="currency-display-hint" onChange={(e) => setValue(e.target.value === 'toman' ? 'toman' : 'rial')}>
          <option value="rial">{t('display.rial')}</option>
          <option value="toman">{t('display.toman')}</option>
        </select>
        <span id="currency-display-hint" className="hint">{t('display.hint')}</span>
      </div>
      <button type="submit">{t('save')}</button>
      <Outcome result={result} />
    </form>
  );
}
