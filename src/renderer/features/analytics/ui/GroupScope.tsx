import { useTranslation } from 'react-i18next';
import type { CustomerGroup } from '../../../../sync/model/customer-group.ts';
import type { Snapshot } from '../compute/schema.ts';

// A saved group on the dashboard: the picker, and the line that says whom the figures shown are about. It
// names the group of the answer on screen (its question), not the picker's choice: while the group's answer is
// on its way the figures of the previous question are still shown, and must not pass for the group's.

/** The group picker. */
export function GroupPicker({ groups, groupId, onChange }: { groups: readonly CustomerGroup[]; groupId: string | null; onChange(id: string | null): void }) {
  const { t } = useTranslation('analytics');
  return (
    <label>
      {t('group.label')}
      <select value={groupId ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)} data-testid="analytics-group">
        <option value="">{t('group.all')}</option>
        {groups.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Whom the figures on screen are about, and whether the chosen group's customers are still being selected. */
export function GroupScope({ snapshot, groups, selecting }: { snapshot: Snapshot | null; groups: readonly CustomerGroup[]; selecting: boolean }) {
  const { t } = useTranslation('analytics');
  const shown = snapshot?.query.group ?? null;
  const name = shown === null ? null : (groups.find((g) => g.id === shown.id)?.name ?? t('group.removed'));
  return (
    <>
      {snapshot && (
        <p className="analytics-scope" data-testid="analytics-scope" data-group={shown?.id ?? ''}>
          {name === null ? t('group.scopeAll') : t('group.scope', { name })}
        </p>
      )}
      {selecting && (
        <p role="status" data-testid="analytics-group-selecting">
          {t('group.selecting')}
        </p>
      )}
    </>
  );
}
