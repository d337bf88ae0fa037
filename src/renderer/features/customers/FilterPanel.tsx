import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TIERS } from '../../../sync/model/common.ts';
import { CustomerFilterSchema, EMPTY_FILTER, type CustomerFilter } from '../../../sync/model/customer-filter.ts';
import { minorToShown, moneyUnit, parseMoneyIn } from '../../../sync/model/money.ts';
import { SEGMENTS } from '../../../sync/model/segments.ts';
import { toAsciiDigits } from '../../../sync/model/text.ts';
import { DateField } from '../../components/DateField.tsx';
import { SelectField, TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import { currencyLabel, gregorianMonthName } from '../../lib/format.ts';

// The list's filter, field by field. Number and amount fields keep what was typed; the filter changes only
// when every field reads as a valid filter (a reversed range is shown on its upper field, in the UI language).

type NumberField = 'visitsMin' | 'visitsMax' | 'spendMin' | 'spendMax' | 'pointsMin' | 'pointsMax';
const NUMBER_FIELDS: readonly NumberField[] = ['visitsMin', 'visitsMax', 'spendMin', 'spendMax', 'pointsMin', 'pointsMax'];
type DateKey = 'lastVisitFrom' | 'lastVisitTo' | 'signedUpFrom' | 'signedUpTo';
type Drafts = Record<NumberField, string> & { tags: string };

function draftsOf(filter: CustomerFilter, shown: (minor: number) => string): Drafts {
  const text = (field: NumberField) => {
    const value = filter[field];
    if (value === null) return '';
    return field.startsWith('spend') ? shown(value) : String(value);
  };
  return { ...(Object.fromEntries(NUMBER_FIELDS.map((f) => [f, text(f)])) as Record<NumberField, string>), tags: filter.tags.join(', ') };
}

/** The filter the drafts describe, or the field keys that do not read. */
function readDrafts(base: CustomerFilter, drafts: Drafts, money: (text: string) => number): { filter: CustomerFilter } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const next: Record<string, unknown> = { ...base, tags: drafts.tags.split(/[,،]/).map((t) => t.trim()).filter(Boolean) };
  for (const field of NUMBER_FIELDS) {
    const text = toAsciiDigits(drafts[field]).trim();
    if (text === '') next[field] = null;
    else {
      try {
        next[field] = field.startsWith('spend') ? money(text) : Number(text.replace(/[,٬\s]/g, ''));
      } catch {
        next[field] = Number.NaN;
      }
    }
  }
  const parsed = CustomerFilterSchema.safeParse(next);
  if (parsed.success) return { filter: parsed.data };
  for (const issue of parsed.error.issues) errors[String(issue.path[0])] = issue.message === 'RANGE_ORDER' ? 'common:fields.RANGE_ORDER' : 'common:fields.INVALID';
  return { errors };
}

/** The filter fields of the customers list. */
export function FilterPanel({ filter, onChange }: { filter: CustomerFilter; onChange(filter: CustomerFilter): void }) {
  const { t } = useTranslation('customers');
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const locale = useLocale();
  const unit = moneyUnit(settings);
  const [drafts, setDrafts] = useState<Drafts>(() => draftsOf(filter, (m) => minorToShown(m, unit)));
  const [errors, setErrors] = useState<Record<string, string>>({});
  // A filter applied from elsewhere (a saved group, "clear") replaces what was typed.
  useEffect(() => {
    setDrafts(draftsOf(filter, (m) => minorToShown(m, unit)));
    setErrors({});
  }, [filter]);

  const type = (patch: Partial<Drafts>) => {
    const next = { ...drafts, ...patch };
    setDrafts(next);
    const read = readDrafts(filter, next, (text) => parseMoneyIn(text, unit));
    if ('filter' in read) {
      setErrors({});
      if (JSON.stringify(read.filter) !== JSON.stringify(filter)) onChange(read.filter);
    } else setErrors(read.errors);
  };
  const set = (patch: Partial<CustomerFilter>) => onChange({ ...filter, ...patch });
  const error = (field: string) => (errors[field] ? t(errors[field]) : null);
  const any = t('filterAll');
  const dateLabels = { day: t('counter:dateDay'), month: t('counter:dateMonth'), year: t('counter:dateYear'), none: t('counter:dateMonthNone') };
  const date = (key: DateKey) => (
    <DateField label={t(`filter.${key}`)} value={filter[key] ?? ''} locale={locale} labels={dateLabels} error={error(key)} onChange={(value) => set({ [key]: value || null })} />
  );
  const number = (field: NumberField, label: string) => (
    <TextField label={label} inputMode="numeric" value={drafts[field]} error={error(field)} onChange={(e) => type({ [field]: e.target.value })} data-testid={`filter-${field}`} />
  );
  const months = Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), label: gregorianMonthName(i + 1, locale) }));
  const select = <K extends 'segment' | 'tier' | 'status' | 'storeId'>(key: K, options: { value: string; label: string }[]) => (
    <SelectField label={t(`filter.${key}`)} value={filter[key] ?? ''} options={[{ value: '', label: any }, ...options]} onChange={(e) => set({ [key]: e.target.value || null })} data-testid={`filter-${key}`} />
  );

  return (
    <fieldset className="filter-panel" data-testid="filter-panel">
      <legend className="visually-hidden">{t('filter.legend')}</legend>
      {date('lastVisitFrom')}
      {date('lastVisitTo')}
      {number('visitsMin', t('filter.visitsMin'))}
      {number('visitsMax', t('filter.visitsMax'))}
      {number('spendMin', t('filter.spendMin', { unit: currencyLabel(unit, locale) }))}
      {number('spendMax', t('filter.spendMax', { unit: currencyLabel(unit, locale) }))}
      {number('pointsMin', t('filter.pointsMin'))}
      {number('pointsMax', t('filter.pointsMax'))}
      {date('signedUpFrom')}
      {date('signedUpTo')}
      <TextField label={t('filter.tags')} hint={t('filter.tagsHint')} value={drafts.tags} onChange={(e) => type({ tags: e.target.value })} data-testid="filter-tags" />
      <SelectField label={t('filter.birthdayMonth')} value={filter.birthdayMonth === null ? '' : String(filter.birthdayMonth)} options={[{ value: '', label: any }, ...months]} onChange={(e) => set({ birthdayMonth: e.target.value ? Number(e.target.value) : null })} />
      <SelectField
        label={t('filter.consent')}
        value={filter.consent}
        options={(['any', 'yes', 'no'] as const).map((c) => ({ value: c, label: t(`filter.consent_${c}`) }))}
        onChange={(e) => set({ consent: e.target.value as CustomerFilter['consent'] })}
      />
      {select('storeId', settings.stores.map((s) => ({ value: s.id, label: s.name })))}
      {select('segment', SEGMENTS.map((s) => ({ value: s, label: t(`common:segment.${s}`) })))}
      {select('tier', TIERS.map((tier) => ({ value: tier, label: t(`common:tier.${tier}`) })))}
      {select('status', (['active', 'inactive', 'blocked'] as const).map((s) => ({ value: s, label: t(`common:customerStatus.${s}`) })))}
      <button type="button" className="filter-clear" onClick={() => onChange(EMPTY_FILTER)}>
        {t('filter.clear')}
      </button>
    </fieldset>
  );
}
