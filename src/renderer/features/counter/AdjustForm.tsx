import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApprovalInput } from '../../../sync/client/commands/approval.ts';
import { toAsciiDigits } from '../../../sync/model/text.ts';
import { TextField } from '../../components/Fields.tsx';
import { useCommand } from '../../lib/useCommand.ts';
import { ApprovalFields } from './ApprovalFields.tsx';

/**
 * A manual adjustment (adjustPoints): signed points and a required reason. Above the signed-in member's limit
 * the command asks for a manager's PIN, and the form shows the approval fields on the spot.
 */
export function AdjustForm({ customerId, onDone }: { customerId: string; onDone(): void }) {
  const { t } = useTranslation('counter');
  const adjust = useCommand('adjustPoints');
  const [pointsText, setPointsText] = useState('');
  const [reason, setReason] = useState('');
  const [approval, setApproval] = useState<ApprovalInput | null>(null);
  const [touched, setTouched] = useState(false);
  const text = toAsciiDigits(pointsText.trim()).replace(/^[−–]/, '-');
  const points = /^[+-]?\d{1,9}$/.test(text) ? Number(text) : 0;
  const pointsError = touched && points === 0 ? t('common:fields.REQUIRED') : null;
  const reasonError = touched && reason.trim() === '' ? t('common:fields.REQUIRED') : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (points === 0 || reason.trim() === '' || adjust.pending) return;
    const result = await adjust.run({ customerId, points, reason, ...(approval ? { approval } : {}) });
    if (result.ok) onDone();
    else if (result.error.code === 'APPROVAL_REQUIRED' && !approval) setApproval({ staffId: '', pin: '' });
  };

  return (
    <form className="adjust-form" data-testid="adjust-form" onSubmit={(event) => void submit(event)} noValidate>
      <TextField label={t('activity.adjustPoints')} hint={t('activity.adjustHint')} value={pointsText} inputMode="numeric" required requiredMark error={pointsError} autoFocus onChange={(event) => setPointsText(event.target.value)} />
      <TextField label={t('activity.reason')} value={reason} required requiredMark maxLength={500} error={reasonError} onChange={(event) => setReason(event.target.value)} />
      {approval ? <ApprovalFields value={approval} onChange={setApproval} why={t('approval.adjustWhy')} /> : null}
      {adjust.error && !(adjust.error.code === 'APPROVAL_REQUIRED' && approval) ? (
        <p className="alert alert-error" role="alert">
          {t(adjust.error.key)}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" disabled={adjust.pending}>
          {approval ? t('approval.confirm') : t('activity.adjustConfirm')}
        </button>
        <button type="button" onClick={onDone}>
          {t('common:cancel')}
        </button>
      </div>
    </form>
  );
}
