import { useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { priorVisitsOf, type Customer } from '../../../sync/model/customer.ts';
import { zonedDate } from '../../../sync/model/dates.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { useSettings, useStaff } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { CustomerFields, focusFirstError } from './CustomerFields.tsx';
import { customerToForm, validateCustomerForm, type CustomerFormValues } from './customer-form.ts';

/**
 * Edits a customer in place (editCustomer: derived keys recomputed, business time stamped); only changed fields
 * are written. A manager's form also holds the visits before Patron; a cashier's leaves them out, so its save
 * keeps them as they are (the command and the server refuse a cashier's change).
 */
export function EditCustomer({ customer, onDone }: { customer: Customer; onDone(): void }) {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const settings = useSettings(terminal);
  const region = settings.defaultRegion;
  const edit = useCommand('editCustomer');
  const staff = useStaff(terminal);
  const isManager = staff?.role === 'manager' || staff?.role === 'owner';
  const [values, setValues] = useState<CustomerFormValues>(() => ({
    ...customerToForm(customer, region),
    ...(isManager ? { priorVisits: String(priorVisitsOf(customer)) } : {}),
  }));
  const [showErrors, setShowErrors] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const today = zonedDate(new Date(), settings.timeZone);
  const result = useMemo(() => validateCustomerForm(values, region, today), [values, region, today]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (!result.ok) {
      requestAnimationFrame(() => focusFirstError(formRef.current));
      return;
    }
    // Only the fields that changed are written (the command compares with the replica's newest state).
    const saved = await edit.run({ ...result.input, customerId: customer.id });
    if (saved.ok) onDone();
  };

  return (
    <form
      ref={formRef}
      className="edit-customer"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={t('editTitle')}
    >
      <CustomerFields
        idPrefix="edit"
        extended
        values={values}
        errors={showErrors && !result.ok ? result.errors : (edit.error?.fields ?? {})}
        onChange={(patch) => setValues((v) => ({ ...v, ...patch }))}
      />
      {edit.error ? (
        <p className="alert alert-error" role="alert">
          {t(edit.error.key)}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button-primary" disabled={edit.pending}>
          {edit.pending ? t('saving') : t('save')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common:cancel')}
        </button>
      </div>
    </form>
  );
}
