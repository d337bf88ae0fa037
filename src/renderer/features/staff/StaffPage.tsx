import { useTranslation } from 'react-i18next';
import type { Staff } from '../../../sync/model/staff.ts';
import { useTerminal } from '../../app/terminal-context.ts';
import { useSettings, useStaff } from '../../lib/hooks.ts';
import { useLive } from '../../lib/useLive.ts';
import { AddMemberForm } from './AddMemberForm.tsx';
import { MemberRow } from './MemberRow.tsx';
import './staff.css';

/**
 * The staff screen (owners): adding a member, changing their role and stores, deactivating them and setting
 * a new PIN — the terminal's addStaffMember, updateStaffMember and resetStaffPin commands. Replication carries
 * the change to every terminal, and the server checks again that an owner made it.
 */
export function StaffPage() {
  const { t } = useTranslation('staff');
  const terminal = useTerminal();
  const staff = useStaff(terminal);
  const { stores } = useSettings(terminal);
  const members = useLive(() => terminal.queries.allStaff$(), [terminal], null as Staff[] | null);
  return (
    <section className="staff" data-testid="staff-page" aria-labelledby="staff-title">
      <h1 id="staff-title">{t('title')}</h1>
      {staff?.role !== 'owner' ? (
        <p role="alert">{t('ownersOnly')}</p>
      ) : (
        <>
          <p className="hint">{t('intro')}</p>
          <AddMemberForm />
          <h2>{t('listTitle')}</h2>
          {members === null ? <p role="status">{t('common:loading')}</p> : null}
          <ul className="staff-list">
            {members?.map((member) => <MemberRow key={member.id} member={member} stores={stores} />)}
          </ul>
        </>
      )}
    </section>
  );
}
