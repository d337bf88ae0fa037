import { useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../../sync/client/status.ts';
import type { Customer } from '../../../sync/model/customer.ts';
import { editCustomer } from '../../../sync/model/document-builders.ts';
import { useSubject, useTerminal } from '../../db/hooks.ts';
import { zonedDate } from '../../../sync/model/dates.ts';
import { errorKey } from '../../lib/errors.ts';
import { CustomerFields, focusFirstError } from './CustomerFields.tsx';
import { changedFields, customerToForm, validateCustomerForm, type CustomerFormValues } from './customer-form.ts';
import type { LocalCustomer } from './lookup.ts';
import { useWriteContext } from './use-customer.ts';

/** Edits a customer in place (editCustomer: derived keys recomputed, business time stamped); only changed fields are written. */
export function EditCustomer({
  customer,
  status,
  onDone,
}: {
  customer: LocalCustomer;
  status: SyncStatus;
  onDone(): void;
}) {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const settings = useSubject(terminal.settings$);
  const region = settings.defaultRegion;
  const writeContext = useWriteContext(status);
  const [values, setValues] = useState<CustomerFormValues>(() => customerToForm(customer, region));
  const [showErrors, setShowErrors] = useState(false);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
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
    setSaving(true);
    setFailure(null);
    try {
      const current = { ...customer, _deleted: false } as Customer;
      const changes = changedFields(current, result.input);
      if (Object.keys(changes).length > 0) {
        const { _deleted, id: _id, ...edited } = editCustomer(current, changes, writeContext(), region);
        const doc = await terminal.db.customers.findOne(customer.id).exec();
        if (!doc) throw new Error('customer not found');
        await doc.incrementalPatch(edited);
      }
      onDone();
    } catch (caught) {
      setFailure(caught);
    } finally {
      setSaving(false);
    }
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
        errors={showErrors && !result.ok ? result.errors : {}}
        onChange={(patch) => setValues((v) => ({ ...v, ...patch }))}
      />
      {failure ? (
        <p className="alert alert-error" role="alert">
          {t(errorKey(failure))}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button-primary" disabled={saving}>
          {saving ? t('saving') : t('save')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common:cancel')}
        </button>
      </div>
    </form>
  );
}
