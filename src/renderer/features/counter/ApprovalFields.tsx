import { useTranslation } from 'react-i18next';
import type { ApprovalInput } from '../../../sync/client/commands/approval.ts';
import type { Staff } from '../../../sync/model/staff.ts';
import { SelectField, TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useLive } from '../../lib/useLive.ts';

/**
 * A manager's PIN typed on the spot (commands/approval.ts): who approves — managers and owners who may work at
 * this store — and their PIN. The command checks it as a sign-in would, without signing anyone out.
 */
export function ApprovalFields({ value, onChange, why }: { value: ApprovalInput; onChange(value: ApprovalInput): void; why: string }) {
  const { t } = useTranslation('counter');
  const terminal = useTerminal();
  const staff = useLive(() => terminal.queries.signInStaff$(), [terminal], [] as Staff[]);
  const approvers = staff.filter((member) => member.role !== 'cashier' && member.active);
  const chosen = value.staffId || approvers[0]?.id || '';
  return (
    <fieldset className="approval" data-testid="approval">
      <legend>{t('approval.title')}</legend>
      <p className="muted">{why}</p>
      <SelectField
        label={t('approval.approver')}
        value={chosen}
        options={approvers.map((member) => ({ value: member.id, label: member.name }))}
        onChange={(event) => onChange({ ...value, staffId: event.target.value })}
      />
      <TextField
        label={t('approval.pin')}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        value={value.pin}
        maxLength={16}
        onChange={(event) => onChange({ staffId: chosen, pin: event.target.value })}
      />
    </fieldset>
  );
}
