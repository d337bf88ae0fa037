import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '../../../sync/model/common.ts';
import { SelectField, TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useSettings } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { StoreChoice } from './StoreChoice.tsx';

/** The three roles as select options, in the UI's language. */
export function roleOptions(t: (key: string) => string): { value: Role; label: string }[] {
  return ROLES.map((role) => ({ value: role, label: t(`common:role.${role}`) }));
}

const EMPTY = { name: '', role: 'cashier' as Role, storeIds: [] as string[], pin: '', pinAgain: '' };

/** Adds a member: name, role, stores and a PIN typed twice (a new signing key is sealed under it on save). */
export function AddMemberForm() {
  const { t } = useTranslation('staff');
  const { stores } = useSettings(useTerminal());
  const add = useCommand('addStaffMember');
  const [form, setForm] = useState(EMPTY);
  const [added, setAdded] = useState<string | null>(null);
  const fields = add.error?.fields ?? {};
  const fieldError = (name: string) => (fields[name] ? t(fields[name]) : null);
  const set = (patch: Partial<typeof EMPTY>) => {
    setForm((f) => ({ ...f, ...patch }));
    setAdded(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await add.run(form);
    if (!result.ok) return;
    setAdded(result.value.name);
    setForm(EMPTY);
  };

  return (
    <form className="staff-form" data-testid="staff-add" onSubmit={(event) => void submit(event)} noValidate>
      <h2>{t('addTitle')}</h2>
      <TextField label={t('name')} value={form.name} onChange={(e) => set({ name: e.target.value })} error={fieldError('name')} required requiredMark autoComplete="off" />
      <SelectField label={t('role')} value={form.role} onChange={(e) => set({ role: e.target.value as Role })} options={roleOptions(t)} />
      <StoreChoice stores={stores} chosen={form.storeIds} onChange={(storeIds) => set({ storeIds })} error={fieldError('storeIds')} />
      <PinFields pin={form.pin} pinAgain={form.pinAgain} onChange={set} errors={{ pin: fieldError('pin'), pinAgain: fieldError('pinAgain') }} hint={t(form.role === 'cashier' ? 'pinHintCashier' : 'pinHintManager')} />
      {add.error && !add.error.fields ? (
        <p role="alert" className="field-error">
          {t(add.error.key)}
        </p>
      ) : null}
      {added ? (
        <p role="status" className="notice" data-testid="staff-added">
          {t('added', { name: added })}
        </p>
      ) : null}
      <button type="submit" className="button-primary" disabled={add.pending}>
        {add.pending ? t('saving') : t('add')}
      </button>
    </form>
  );
}

/** A new PIN and the same PIN again (digits only; Persian digits are accepted). */
export function PinFields(props: { pin: string; pinAgain: string; onChange(patch: { pin?: string; pinAgain?: string }): void; errors: { pin: string | null; pinAgain: string | null }; hint: string }) {
  const { t } = useTranslation('staff');
  return (
    <>
      <TextField label={t('pin')} hint={props.hint} type="password" inputMode="numeric" autoComplete="new-password" value={props.pin} onChange={(e) => props.onChange({ pin: e.target.value })} error={props.errors.pin} required requiredMark />
      <TextField label={t('pinAgain')} type="password" inputMode="numeric" autoComplete="new-password" value={props.pinAgain} onChange={(e) => props.onChange({ pinAgain: e.target.value })} error={props.errors.pinAgain} required requiredMark />
    </>
  );
}
