import { useTranslation } from 'react-i18next';
import { CONTACT_CHANNELS, CUSTOMER_SOURCES, NAME_MAX, NOTE_MAX } from '../../../sync/model/customer.ts';
import { tagKey, type TagDefinition } from '../../../sync/model/settings.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/Fields.tsx';
import { DateField } from '../../components/DateField.tsx';
import { TagChip, tagColour } from '../../components/TagChip.tsx';
import { useLocale, useSettings } from '../../lib/hooks.ts';
import type { CustomerField, CustomerFormErrors, CustomerFormValues } from './customer-form.ts';

/**
 * The catalogue's tags as toggles, then the customer's tags the catalogue does not list (still shown and
 * removable, never silently dropped).
 */
function TagPicker(props: { idPrefix: string; catalogue: readonly TagDefinition[]; selected: readonly string[]; error: string | null; onChange(tags: string[]): void }) {
  const { idPrefix, catalogue, selected, error, onChange } = props;
  const { t } = useTranslation('counter');
  const known = new Set(catalogue.map((tag) => tagKey(tag.name)));
  const names = [...catalogue.map((tag) => tag.name), ...selected.filter((tag) => !known.has(tagKey(tag)))];
  const isOn = (name: string) => selected.some((tag) => tagKey(tag) === tagKey(name));
  const toggle = (name: string) => onChange(isOn(name) ? selected.filter((tag) => tagKey(tag) !== tagKey(name)) : [...selected, name]);
  return (
    <fieldset className="field field-wide" aria-describedby={error ? `${idPrefix}-tags-error` : undefined}>
      <legend>{t('tags')}</legend>
      {names.length === 0 ? <p className="field-hint">{t('tagsEmptyCatalogue')}</p> : null}
      <div className="tag-picker">
        {names.map((name) => (
          <label key={name}>
            <input type="checkbox" checked={isOn(name)} onChange={() => toggle(name)} data-tag-toggle={name} />
            <TagChip name={name} colour={tagColour(catalogue, name)} />
          </label>
        ))}
      </div>
      {error ? (
        <p id={`${idPrefix}-tags-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/**
 * The fields of a customer, shared by sign-up and edit. Sign-up also takes the first note and the first
 * consent per channel; an edit (`extended`) adds the status, and leaves notes and consent to their own
 * commands on the card (each is a history, not a field to overwrite).
 */
export function CustomerFields(props: {
  values: CustomerFormValues;
  errors: CustomerFormErrors;
  onChange(patch: Partial<CustomerFormValues>): void;
  extended?: boolean;
  idPrefix: string;
}) {
  const { values, errors, onChange, extended, idPrefix } = props;
  const { t } = useTranslation('counter');
  const locale = useLocale();
  const catalogue = useSettings(useTerminal()).tagCatalogue;
  const err = (field: CustomerField) => (errors[field] ? t(errors[field]) : null);
  const dateLabels = { day: t('dateDay'), month: t('dateMonth'), year: t('dateYear'), none: t('dateMonthNone') };
  return (
    <div className="form-grid">
      <TextField
        id={`${idPrefix}-phone`}
        label={t('phone')}
        required
        requiredMark
        type="tel"
        inputMode="tel"
        autoComplete="off"
        dir="ltr"
        value={values.phone}
        error={err('phone')}
        hint={t('phoneHint')}
        onChange={(event) => onChange({ phone: event.target.value })}
      />
      <TextField
        id={`${idPrefix}-phone2`}
        label={t('phone2')}
        type="tel"
        inputMode="tel"
        autoComplete="off"
        dir="ltr"
        value={values.phone2}
        error={err('phone2')}
        onChange={(event) => onChange({ phone2: event.target.value })}
      />
      <TextField
        id={`${idPrefix}-name`}
        label={t('name')}
        required
        requiredMark
        maxLength={NAME_MAX + 20}
        autoComplete="off"
        value={values.name}
        error={err('name')}
        hint={t('nameHint')}
        onChange={(event) => onChange({ name: event.target.value })}
      />
      <TextField
        id={`${idPrefix}-email`}
        label={t('email')}
        type="email"
        dir="ltr"
        autoComplete="off"
        value={values.email}
        error={err('email')}
        onChange={(event) => onChange({ email: event.target.value })}
      />
      <DateField
        label={t('birthday')}
        value={values.birthday}
        locale={locale}
        error={err('birthday')}
        labels={dateLabels}
        onChange={(birthday) => onChange({ birthday })}
      />
      <DateField
        label={t('anniversary')}
        value={values.anniversary}
        locale={locale}
        error={err('anniversary')}
        labels={dateLabels}
        onChange={(anniversary) => onChange({ anniversary })}
      />
      <TextField
        id={`${idPrefix}-company`}
        label={t('company')}
        maxLength={120}
        autoComplete="off"
        value={values.company}
        error={err('company')}
        onChange={(event) => onChange({ company: event.target.value })}
      />
      <TextField
        id={`${idPrefix}-address`}
        label={t('address')}
        maxLength={320}
        autoComplete="off"
        value={values.address}
        error={err('address')}
        onChange={(event) => onChange({ address: event.target.value })}
      />
      <SelectField
        id={`${idPrefix}-source`}
        label={t('source')}
        value={values.source}
        error={err('source')}
        options={[{ value: '', label: t('none') }, ...CUSTOMER_SOURCES.map((value) => ({ value, label: t(`sources.${value}`) }))]}
        onChange={(event) => onChange({ source: event.target.value as CustomerFormValues['source'] })}
      />
      <SelectField
        id={`${idPrefix}-channel`}
        label={t('preferredChannel')}
        value={values.preferredChannel}
        error={err('preferredChannel')}
        options={[{ value: '', label: t('none') }, ...CONTACT_CHANNELS.map((value) => ({ value, label: t(`channels.${value}`) }))]}
        onChange={(event) => onChange({ preferredChannel: event.target.value as CustomerFormValues['preferredChannel'] })}
      />
      <TextField
        id={`${idPrefix}-favorites`}
        label={t('favorites')}
        hint={t('listHint')}
        value={values.favorites}
        error={err('favorites')}
        onChange={(event) => onChange({ favorites: event.target.value })}
      />
      <TextField
        id={`${idPrefix}-allergies`}
        label={t('allergies')}
        hint={t('listHint')}
        value={values.allergies}
        error={err('allergies')}
        onChange={(event) => onChange({ allergies: event.target.value })}
      />
      <SelectField
        id={`${idPrefix}-time`}
        label={t('preferredTime')}
        value={values.preferredTime}
        options={[
          { value: '', label: t('none') },
          { value: 'morning', label: t('common:preferredTime.morning') },
          { value: 'afternoon', label: t('common:preferredTime.afternoon') },
          { value: 'evening', label: t('common:preferredTime.evening') },
        ]}
        onChange={(event) => onChange({ preferredTime: event.target.value as CustomerFormValues['preferredTime'] })}
      />
      <TagPicker idPrefix={idPrefix} catalogue={catalogue} selected={values.tags} error={err('tags')} onChange={(tags) => onChange({ tags })} />
      {extended ? (
        <>
          <SelectField
            id={`${idPrefix}-status`}
            label={t('status')}
            value={values.status}
            options={(['active', 'inactive', 'blocked'] as const).map((s) => ({
              value: s,
              label: t(`common:customerStatus.${s}`),
            }))}
            onChange={(event) => onChange({ status: event.target.value as CustomerFormValues['status'] })}
          />
          {values.priorVisits !== undefined ? (
            <TextField
              id={`${idPrefix}-prior-visits`}
              label={t('priorVisits')}
              hint={t('priorVisitsHint')}
              inputMode="numeric"
              maxLength={12}
              autoComplete="off"
              value={values.priorVisits}
              error={err('priorVisits')}
              onChange={(event) => onChange({ priorVisits: event.target.value })}
            />
          ) : null}
        </>
      ) : (
        <>
          <TextAreaField
            id={`${idPrefix}-notes`}
            label={t('notes')}
            className="field-wide"
            rows={2}
            maxLength={NOTE_MAX}
            value={values.notes}
            error={err('notes')}
            onChange={(event) => onChange({ notes: event.target.value })}
          />
          <CheckboxField
            id={`${idPrefix}-consent-email`}
            label={t('consentEmail')}
            className="field-wide"
            checked={values.consentEmail}
            onChange={(event) => onChange({ consentEmail: event.target.checked })}
          />
          <CheckboxField
            id={`${idPrefix}-consent-sms`}
            label={t('consentSms')}
            hint={t('marketingConsentHint')}
            className="field-wide"
            checked={values.consentSms}
            onChange={(event) => onChange({ consentSms: event.target.checked })}
          />
        </>
      )}
    </div>
  );
}

/** Moves focus to the first field with an error, in form order (after a refused submit). */
export function focusFirstError(form: HTMLFormElement | null): void {
  form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
