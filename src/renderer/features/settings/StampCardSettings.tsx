import { useTranslation } from 'react-i18next';
import type { MoneyUnit } from '../../../sync/model/money.ts';
import { currencyLabel } from '../../lib/format.ts';
import { useLocale } from '../../lib/hooks.ts';
import { Field, useErrorText } from './Field.tsx';
import { Outcome, useSettingsForm, type SaveResult } from './ProgramSettings.tsx';
import { parseStampCardForm, stampCardToForm, type ProgramKindsValue, type ProgramMode, type StampCardForm } from './stamp-validation.ts';

const MODES: readonly ProgramMode[] = ['points', 'stamps', 'both'];

/** What the programme runs — points, a stamp card, or both — and the stamp card itself (docs/loyalty.md#stamp-cards). */
export function StampCardSettings({ kinds, unit, onSave }: { kinds: ProgramKindsValue; unit: MoneyUnit; onSave: (kinds: ProgramKindsValue) => Promise<SaveResult> }) {
  const { t } = useTranslation('settings');
  const locale = useLocale();
  const errorText = useErrorText();
  const { form, setForm, errors, result, save } = useSettingsForm(kinds, unit, stampCardToForm, parseStampCardForm, onSave);
  const set = (patch: Partial<StampCardForm>) => setForm({ ...form, ...patch });
  const stamps = form.mode !== 'points';
  return (
    <form className="settings-form" aria-labelledby="stamps-title" data-testid="stamp-card-settings" onSubmit={(e) => { e.preventDefault(); void save(); }} noValidate>
      <h2 id="stamps-title">{t('stamps.title')}</h2>
      <div className="field">
        <label htmlFor="program-mode">{t('stamps.mode')}</label>
        <select id="program-mode" name="mode" value={form.mode} onChange={(e) => set({ mode: e.target.value as ProgramMode })}>
          {MODES.map((mode) => <option key={mode} value={mode}>{t(`stamps.modes.${mode}`)}</option>)}
        </select>
      </div>
      {stamps && (
        <fieldset>
          <legend>{t('stamps.card')}</legend>
          <div className="field">
            <label htmlFor="stamp-per">{t('stamps.per')}</label>
            <select id="stamp-per" name="per" value={form.per} onChange={(e) => set({ per: e.target.value === 'item' ? 'item' : 'visit' })}>
              <option value="visit">{t('stamps.perVisit')}</option>
              <option value="item">{t('stamps.perItem')}</option>
            </select>
          </div>
          <Field name="stamps" label={t('stamps.stamps')} inputMode="numeric" value={form.stamps} error={errors.stamps} onChange={(v) => set({ stamps: v })} />
          {form.per === 'item' && (
            <Field name="items" label={t('stamps.items')} hint={t('stamps.itemsHint')} value={form.items} error={errors.items} onChange={(v) => set({ items: v })} />
          )}
          <Field name="minTotal" label={t('stamps.minTotal')} hint={t('stamps.minTotalHint', { currency: currencyLabel(unit, locale) })} inputMode="numeric" value={form.minTotal} error={errors.minTotal} onChange={(v) => set({ minTotal: v })} />
          <Field name="cardSize" label={t('stamps.cardSize')} inputMode="numeric" value={form.cardSize} error={errors.cardSize} onChange={(v) => set({ cardSize: v })} />
          <Field name="reward" label={t('stamps.reward')} hint={t('stamps.rewardHint')} value={form.reward} error={errors.reward} onChange={(v) => set({ reward: v })} />
        </fieldset>
      )}
      {errors.earnsPoints && <p className="field-error">{errorText(errors.earnsPoints)}</p>}
      <button type="submit">{t('save')}</button>
      <Outcome result={result} />
    </form>
  );
}
