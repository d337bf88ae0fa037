import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerFilter } from '../../../sync/model/customer-filter.ts';
import type { CustomerGroup } from '../../../sync/model/customer-group.ts';
import { SelectField, TextField } from '../../components/Fields.tsx';
import { useTerminal } from '../../app/terminal-context.ts';
import { useCommand } from '../../lib/useCommand.ts';
import { useLive } from '../../lib/useLive.ts';

// Saved groups (docs/directory.md §3): apply one to the list; managers save the current filter as a group,
// rename the applied group, give it the current filter, or delete it. Every terminal of the merchant sees them.

/** The saved groups bar of the customers list. */
export function GroupsBar(props: { filter: CustomerFilter; groupId: string | null; canEdit: boolean; onApply(group: CustomerGroup | null): void }) {
  const { filter, groupId, canEdit, onApply } = props;
  const { t } = useTranslation('customers');
  const terminal = useTerminal();
  const groups = useLive(() => terminal.queries.customerGroups$(), [terminal], [] as CustomerGroup[]);
  const applied = groups.find((g) => g.id === groupId) ?? null;
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; key: string; name?: string } | null>(null);
  const save = useCommand('saveGroup');
  const remove = useCommand('removeGroup');
  useEffect(() => setName(applied?.name ?? ''), [applied?.name]);

  async function saveAsNew() {
    const result = await save.run({ name, filter });
    if (result.ok) onApply(result.value);
    setMessage(result.ok ? { ok: true, key: 'groups.saved', name: result.value.name } : { ok: false, key: result.error.fields?.name ?? result.error.key });
  }
  async function update(patch: { name: string; filter?: CustomerFilter }) {
    if (!applied) return;
    const result = await save.run({ id: applied.id, ...patch });
    setMessage(result.ok ? { ok: true, key: 'groups.updated', name: result.value.name } : { ok: false, key: result.error.fields?.name ?? result.error.key });
  }
  async function drop() {
    if (!applied) return;
    const result = await remove.run({ id: applied.id });
    if (result.ok) onApply(null);
    setMessage(result.ok ? { ok: true, key: 'groups.deleted', name: applied.name } : { ok: false, key: result.error.key });
  }

  return (
    <section className="groups-bar" aria-label={t('groups.title')} data-testid="groups-bar">
      <SelectField
        label={t('groups.title')}
        value={groupId ?? ''}
        options={[{ value: '', label: t('groups.none') }, ...groups.map((g) => ({ value: g.id, label: g.name }))]}
        onChange={(e) => onApply(groups.find((g) => g.id === e.target.value) ?? null)}
        data-testid="group-select"
      />
      {canEdit ? (
        <>
          <TextField label={t('groups.name')} value={name} maxLength={60} onChange={(e) => setName(e.target.value)} data-testid="group-name" />
          <div className="groups-actions">
            <button type="button" disabled={save.pending} onClick={() => void saveAsNew()}>
              {t('groups.saveNew')}
            </button>
            {applied ? (
              <>
                <button type="button" disabled={save.pending} onClick={() => void update({ name })}>
                  {t('groups.rename')}
                </button>
                <button type="button" disabled={save.pending} onClick={() => void update({ name: applied.name, filter })}>
                  {t('groups.replaceFilter')}
                </button>
                <button type="button" className="danger" disabled={remove.pending} onClick={() => void drop()}>
                  {t('groups.delete')}
                </button>
              </>
            ) : null}
          </div>
        </>
      ) : null}
      {message ? (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'notice' : 'field-error'} data-testid="group-message">
          {t(message.key, { name: message.name })}
        </p>
      ) : null}
    </section>
  );
}
