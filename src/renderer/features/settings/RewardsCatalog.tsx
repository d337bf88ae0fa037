import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TIERS } from '../../../sync/model/common.ts';
import { CAP_PERIODS, REWARD_TYPES, type Reward } from '../../../sync/model/reward.ts';
import type { MoneyUnit } from '../../../sync/model/money.ts';
import type { Locale } from '../../../sync/model/settings.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { currencyLabel, formatAmount, formatDay, formatNumber, localizeFigures } from '../../lib/format.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { useLive } from '../../lib/useLive.ts';
import { Field, useErrorText } from './Field.tsx';
import type { SaveResult } from './ProgramSettings.tsx';
import { EMPTY_REWARD_FORM, parseRewardForm, rewardToForm, type FieldErrors, type RewardForm } from './validation.ts';

/**
 * The rewards catalog: list, add, edit, remove — the terminal's saveReward and removeReward commands. A reward's
 * type decides which of item, percentage or amount it needs; a cap limits it per customer and period.
 */
export function RewardsCatalog({ unit, locale }: { unit: MoneyUnit; locale: Locale }) {
  const { t } = useTranslation('settings');
  const terminal = useTerminal();
  const errorText = useErrorText();
  const rewards = useLive(() => terminal.queries.rewards$(), [terminal], [] as Reward[]);
  const saveReward = useCommand('saveReward');
  const removeReward = useCommand('removeReward');
  const [editing, setEditing] = useState<Reward | 'new' | null>(null);
  const [form, setForm] = useState<RewardForm>(EMPTY_REWARD_FORM);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [result, setResult] = useState<SaveResult | null>(null);

  const start = (reward: Reward | 'new') => {
    setEditing(reward);
    setForm(reward === 'new' ? EMPTY_REWARD_FORM : localizeFigures(rewardToForm(reward, unit), locale));
    setErrors({});
    setResult(null);
  };
  const save = async () => {
    const parsed = parseRewardForm(form, unit, editing === 'new' || editing === null ? undefined : editing.id);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      setResult({ ok: false, key: 'settings:saveErrors.INVALID' });
      return;
    }
    const saved = await saveReward.run(parsed.value);
    if (saved.ok) setEditing(null);
    setResult(saved.ok ? { ok: true } : { ok: false, key: saved.error.key });
  };
  const remove = async (reward: Reward) => {
    if (!globalThis.confirm(t('rewards.confirmRemove', { name: reward.name }))) return;
    const removed = await removeReward.run({ id: reward.id });
    setResult(removed.ok ? null : { ok: false, key: removed.error.key });
  };
  const set = (patch: Partial<RewardForm>) => setForm({ ...form, ...patch });
  const rewardValueText = (r: Reward) => {
    if (r.type === 'percentOff') return t('rewards.percentValue', { n: formatNumber(r.percent, locale) });
    if (r.type === 'pointsToMoney') return t('rewards.rateValue', { points: formatNumber(r.pointsCost, locale), amount: formatAmount(r.value, unit, locale) });
    if (r.type === 'freeItem') return r.itemName;
    return formatAmount(r.value, unit, locale);
  };

  return (
    <section aria-labelledby="rewards-title" className="settings-form">
      <h2 id="rewards-title">{t('rewards.title')}</h2>
      <table className="rewards-table">
        <caption className="visually-hidden">{t('rewards.title')}</caption>
        <thead>
          <tr>
            {['name', 'type', 'pointsCost', 'value', 'stock', 'minTier', 'validity', 'cap', 'active', 'actions'].map((c) => (
              <th key={c} scope="col">{t(`rewards.${c}`)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rewards.length === 0 && (
            <tr>
              <td colSpan={10}>{t('rewards.empty')}</td>
            </tr>
          )}
          {rewards.map((r) => (
            <tr key={r.id}>
              <td>{r.name}</td>
              <td>{t(`rewards.types.${r.type}`)}</td>
              <td>{formatNumber(r.pointsCost, locale)}</td>
              <td>{rewardValueText(r)}</td>
              <td>{r.stock === null ? t('rewards.unlimited') : formatNumber(r.stock, locale)}</td>
              <td>{r.minTier ? t(`tier.${r.minTier}`) : t('rewards.anyTier')}</td>
              <td className="figure">{r.validFrom === null && r.validUntil === null ? t('rewards.always') : [r.validFrom ? formatDay(r.validFrom, locale) : '…', r.validUntil ? formatDay(r.validUntil, locale) : '…'].join(' – ')}</td>
              <td>{r.cap === null ? t('rewards.noCap') : t(`rewards.capOf.${r.cap.period}`, { count: r.cap.count, n: formatNumber(r.cap.count, locale) })}</td>
              <td>{r.active ? t('rewards.yes') : t('rewards.no')}</td>
              <td>
                <button type="button" onClick={() => start(r)} aria-label={t('rewards.editNamed', { name: r.name })}>{t('rewards.edit')}</button>{' '}
                <button type="button" onClick={() => void remove(r)} aria-label={t('rewards.removeNamed', { name: r.name })}>{t('rewards.remove')}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing === null ? (
        <button type="button" onClick={() => start('new')}>{t('rewards.add')}</button>
      ) : (
        <form aria-label={editing === 'new' ? t('rewards.add') : t('rewards.editNamed', { name: editing.name })} onSubmit={(e) => { e.preventDefault(); void save(); }} noValidate>
          <Field label={t('rewards.name')} value={form.name} error={errors.name} onChange={(v) => set({ name: v })} />
          <Field label={t('rewards.description')} value={form.description} error={errors.description} onChange={(v) => set({ description: v })} />
          <div className="field">
            <label>
              {t('rewards.type')}
              <select name="type" value={form.type} onChange={(e) => set({ type: e.target.value as RewardForm['type'] })}>
                {REWARD_TYPES.map((type) => (
                  <option key={type} value={type}>{t(`rewards.types.${type}`)}</option>
                ))}
              </select>
            </label>
          </div>
          <Field name="pointsCost" label={t(form.type === 'pointsToMoney' ? 'rewards.ratePoints' : 'rewards.pointsCost')} inputMode="numeric" value={form.pointsCost} error={errors.pointsCost} onChange={(v) => set({ pointsCost: v })} />
          {form.type === 'freeItem' && <Field name="itemName" label={t('rewards.itemName')} hint={t('rewards.itemNameHint')} value={form.itemName} error={errors.itemName} onChange={(v) => set({ itemName: v })} />}
          {form.type === 'percentOff' ? (
            <Field name="percent" label={t('rewards.percent')} inputMode="numeric" value={form.percent} error={errors.percent} onChange={(v) => set({ percent: v })} />
          ) : (
            <Field name="value" label={t(`rewards.valueOf.${form.type}`)} hint={t('rewards.valueHint', { currency: currencyLabel(unit, locale) })} inputMode="decimal" value={form.value} error={errors.value} onChange={(v) => set({ value: v })} />
          )}
          <Field label={t('rewards.stock')} hint={t('rewards.stockHint')} inputMode="numeric" value={form.stock} error={errors.stock} onChange={(v) => set({ stock: v })} />
          <div className="field">
            <label>
              {t('rewards.minTier')}
              <select value={form.minTier} onChange={(e) => set({ minTier: e.target.value as RewardForm['minTier'] })}>
                <option value="">{t('rewards.anyTier')}</option>
                {TIERS.map((tier) => (
                  <option key={tier} value={tier}>{t(`tier.${tier}`)}</option>
                ))}
              </select>
            </label>
          </div>
          <Field label={t('rewards.validFrom')} type="date" value={form.validFrom} error={errors.validFrom} onChange={(v) => set({ validFrom: v })} />
          <Field label={t('rewards.validUntil')} type="date" value={form.validUntil} error={errors.validUntil} onChange={(v) => set({ validUntil: v })} />
          <Field name="capCount" label={t('rewards.capCount')} hint={t('rewards.capHint')} inputMode="numeric" value={form.capCount} error={errors.capCount} onChange={(v) => set({ capCount: v })} />
          <div className="field">
            <label>
              {t('rewards.capPeriod')}
              <select name="capPeriod" value={form.capPeriod} onChange={(e) => set({ capPeriod: e.target.value as RewardForm['capPeriod'] })}>
                {CAP_PERIODS.map((period) => (
                  <option key={period} value={period}>{t(`rewards.periods.${period}`)}</option>
                ))}
              </select>
            </label>
          </div>
          <div className="field">
            <label>
              <input type="checkbox" checked={form.active} onChange={(e) => set({ active: e.target.checked })} /> {t('rewards.active')}
            </label>
          </div>
          {Object.entries(errors).filter(([k]) => !['name', 'description', 'pointsCost', 'value', 'itemName', 'percent', 'capCount', 'cap.count', 'stock', 'validFrom', 'validUntil'].includes(k)).map(([k, e]) => (
            <p key={k} className="field-error">{errorText(e)}</p>
          ))}
          <button type="submit">{t('save')}</button> <button type="button" onClick={() => setEditing(null)}>{t('cancel')}</button>
        </form>
      )}
      {result && (result.ok ? <p role="status">{t('saved')}</p> : <p role="alert">{t(result.key)}</p>)}
    </section>
  );
}
