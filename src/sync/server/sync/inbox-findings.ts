import { v5 as uuidv5 } from 'uuid';
import { PATRON_ID_NAMESPACE } from '../../model/ids.ts';
import type { InboxItem, InboxKind } from '../../model/inbox.ts';
import type { Queryable } from '../db/database.ts';
import type { PushContext } from './batch.ts';
import { writeServerDocs } from './server-writes.ts';
import type { Doc } from './tables.ts';

/** Deterministic id of a server finding, so a replayed batch finds the same item instead of a second one. */
export function findingId(kind: InboxKind, key: string): string {
  return uuidv5(`${kind}:${key}`, PATRON_ID_NAMESPACE);
}

/** The fields that say what a finding is about. */
export type FindingFields = Pick<InboxItem, 'customerId' | 'relatedId' | 'targetCollection' | 'code' | 'details'>;

/** A new open inbox item for the managers; `key` makes its id (findingId), so a replay raises no second one. */
export function finding(merchantId: string, now: string, kind: InboxKind, key: string, fields: FindingFields): InboxItem {
  return {
    id: findingId(kind, key),
    merchantId,
    updatedAt: now,
    _deleted: false,
    kind,
    status: 'open',
    createdAt: now,
    resolvedAt: null,
    resolvedBy: null,
    ...fields,
    details: Object.fromEntries(Object.entries(fields.details).map(([k, v]) => [k, v.slice(0, 4000)])),
  };
}

/** Stores the findings not raised before (an existing id is left as it is); returns how many are new. */
export function raiseFindings(tx: Queryable, ctx: PushContext, items: readonly InboxItem[]): Promise<number> {
  return writeServerDocs(tx, 'inbox', ctx.merchantId, items as unknown as Doc[], { onlyNew: true, reserveVersions: !ctx.brokenClockForTests });
}
