import type { PatronDatabase } from '../../../sync/client/database.ts';
import type { InboxItem, InboxStatus } from '../../../sync/model/inbox.ts';
import { InboxActionError, statusPatch, type Actor } from './actions.ts';

/**
 * Sets an item's status on the local replica as `actor`; replication pushes it like any other write. The
 * patch is built inside `incrementalModify`, from the replica's newest state rather than the rendered one: if
 * another manager's resolution was pulled in the meantime, it stands and nothing is pushed (a second
 * "resolved" on top of it is not a resolution, and the server would refuse it).
 */
export async function setItemStatus(db: Pick<PatronDatabase, 'inbox'>, id: string, status: InboxStatus, actor: Actor): Promise<void> {
  const doc = await db.inbox.findOne(id).exec();
  if (!doc) throw new InboxActionError('NOT_FOUND');
  await doc.incrementalModify((current) => {
    // RxDB hands the modifier its meta keys set to undefined; the item's schema is strict about keys.
    const { _meta, _rev, _attachments, ...data } = current as typeof current & Record<'_meta' | '_rev' | '_attachments', unknown>;
    const patch = statusPatch({ ...data, _deleted: false } satisfies InboxItem, status, actor);
    return patch ? { ...current, ...patch } : current;
  });
}
