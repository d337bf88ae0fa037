import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../../sync/model/common.ts';
import type { Store } from '../../../sync/model/settings.ts';
import type { Staff } from '../../../sync/model/staff.ts';
import { SelectField } from '../../components/Fields.tsx';
import { useLocale } from '../../lib/hooks.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { PinFields, roleOptions } from './AddMemberForm.tsx';
import { StoreChoice, storeNames } from './StoreChoice.tsx';

type Editing = 'none' | 'access' | 'pin';

/** One member: role, stores and status, with changing their access, (de)activating them and a new PIN. */
export function MemberRow({ member, stores }: { member: Staff; stores: readonly Store[] }) {
  const { t } = useTranslation('staff');
  const locale = useLocale();
  const update = useCommand('updateStaffMember');
  const [editing, setEditing] = useState<Editing>('none');
  const open = (next: Editing) => {
    update.reset();
    setEditing((current) => (current === next ? 'none' : next));
  };
  const toggleActive = () => {
    setEditing('none');
    void update.run({ id: member.id, active: !member.active });
  };
  return (
    <li className={`staff-member${member.active ? '' : ' is-inactive'}`} data-testid="staff-member" data-staff-id={member.id} data-active={member.active}>
      <div className="staff-member-line">
        <span className="staff-member-name">{member.name}</span>
        <span>{t(`common:role.${member.role}`)}</span>
        <span>{storeNames(stores, member.storeIds, t('everyStore'), locale)}</span>
        <span className={`badge badge-${member.active ? 'active' : 'inactive'}`}>{t(member.active ? 'active' : 'inactive')}</span>
      </div>
      <div className="staff-member-actions">
        <button type="button" className="button-link" aria-expanded={editing === 'access'} onClick={() => open('access')}>
          {t('editAccess')}
        </button>
        <button type="button" className="button-link" aria-expanded={editing === 'pin'} onClick={() => open('pin')}>
          {t('resetPin')}
        </button>
        <button type="button" onClick={toggleActive} disabled={update.pending}>
          {t(member.active ? 'deactivate' : 'reactivate')}
        </button>
      </div>
      {editing === 'none' && update.error ? (
        <p role="alert" className="field-error">
          {t(update.error.key)}
        </p>
      ) : null}
      {editing === 'access' ? <AccessForm member={member} stores={stores} done={() => setEditing('none')} /> : null}
      {editing === 'pin' ? <PinForm member={member} done={() => setEditing('none')} /> : null}
    </li>
  );
}

function AccessForm({ member, stores, done }: { member: Staff; stores: readonly Store[]; done(): void }) {
  const { t } = useTranslation('staff');
  const update = useCommand('updateStaffMember');
  const [role, setRole] = useState<Role>(member.role);
  const [storeIds, setStoreIds] = useState<string[]>(member.storeIds);
  const [pins, setPins] = useState({ pin: '', pinAgain: '' });
  // A cashier's PIN may have four digits: made a manager or an owner, they get a new one with the change.
  const promoted = member.role === 'cashier' && role !== 'cashier';
  const fields = update.error?.fields ?? {};
  const save = async () => {
    if ((await update.run({ id: member.id, role, storeIds, ...(promoted ? pins : {}) })).ok) done();
  };
  return (
    <div className="staff-edit">
      <SelectField label={t('role')} value={role} onChange={(e) => setRole(e.target.value as Role)} options={roleOptions(t)} />
      <StoreChoice stores={stores} chosen={storeIds} onChange={setStoreIds} error={fields.storeIds ? t(fields.storeIds) : null} />
      {promoted ? (
        <PinFields
          pin={pins.pin}
          pinAgain={pins.pinAgain}
          onChange={(patch) => setPins((p) => ({ ...p, ...patch }))}
          errors={{ pin: fields.pin ? t(fields.pin) : null, pinAgain: fields.pinAgain ? t(fields.pinAgain) : null }}
          hint={t('pinHintPromoted')}
        />
      ) : null}
      <Outcome error={update.error && !update.error.fields ? t(update.error.key) : null} />
      <button type="button" className="button-primary" onClick={() => void save()} disabled={update.pending}>
        {t('save')}
      </button>
    </div>
  );
}

function PinForm({ member, done }: { member: Staff; done(): void }) {
  const { t } = useTranslation('staff');
  const reset = useCommand('resetStaffPin');
  const [pins, setPins] = useState({ pin: '', pinAgain: '' });
  const fields = reset.error?.fields ?? {};
  const save = async () => {
    if ((await reset.run({ id: member.id, ...pins })).ok) done();
  };
  return (
    <div className="staff-edit">
      <PinFields
        pin={pins.pin}
        pinAgain={pins.pinAgain}
        onChange={(patch) => setPins((p) => ({ ...p, ...patch }))}
        errors={{ pin: fields.pin ? t(fields.pin) : null, pinAgain: fields.pinAgain ? t(fields.pinAgain) : null }}
        hint={t(member.role === 'cashier' ? 'pinHintCashier' : 'pinHintManager')}
      />
      <Outcome error={reset.error && !reset.error.fields ? t(reset.error.key) : null} />
      <button type="button" className="button-primary" onClick={() => void save()} disabled={reset.pending}>
        {reset.pending ? t('saving') : t('savePin')}
      </button>
    </div>
  );
}

function Outcome({ error }: { error: string | null }) {
  return error ? (
    <p role="alert" className="field-error">
      {error}
    </p>
  ) : null;
}
