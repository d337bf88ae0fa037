import { useTranslation } from 'react-i18next';
import { NAME_MAX } from '../../../sync/model/customer.ts';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/Fields.tsx';
import { DateField } from '../../components/DateField.tsx';
import { useLocale } from '../../lib/hooks.ts';
import type { CustomerField, CustomerFormErrors, CustomerFormValues } from './customer-form.ts';

/** The fields of a customer, shared by sign-up and edit; `extended` adds tags and status (edit). */
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
      {extended ? (
        <>
          <TextField
            id={`${idPrefix}-tags`}
            label={t('tags')}
            hint={t('listHint')}
            value={values.tags}
            error={err('tags')}
            onChange={(event) => onChange({ tags: event.target.value })}
          />
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
        </>
      ) : null}
      <TextAreaField
        id={`${idPrefix}-notes`}
        label={t('notes')}
        className="field-wide"
        rows={2}
        maxLength={4000}
        value={values.notes}
        error={err('notes')}
        onChange={(event) => onChange({ notes: event.target.value })}
      />
      <CheckboxField
        id={`${idPrefix}-consent`}
        label={t('marketingConsent')}
        hint={t('marketingConsentHint')}
        className="field-wide"
        checked={values.marketingConsent}
        onChange={(event) => onChange({ marketingConsent: event.target.checked })}
      />
    </div>
  );
}

/** Moves focus to the first field with an error, in form order (after a refused submit). */
export function focusFirstError(form: HTMLFormElement | null): void {
  form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
