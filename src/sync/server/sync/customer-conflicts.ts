import type { Customer } from '../../model/customer.ts';
import type { InboxItem } from '../../model/inbox.ts';
import type { BatchWrites } from './batch.ts';
import { finding } from './inbox-findings.ts';

/**
 * A `conflict` finding for every losing value a terminal's three-way merge recorded on a customer since the
 * stored state (the client merges; the server only raises what was lost for the managers).
 */
export function recordedConflictFindings(merchantId: string, written: BatchWrites['written'], now: string): InboxItem[] {
  const findings: InboxItem[] = [];
  for (const { doc, previous } of written) {
    const customer = doc as unknown as Customer;
    const before = new Set(((previous as unknown as Customer | undefined)?.conflicts ?? []).map((c) => JSON.stringify(c)));
    for (const conflict of customer.conflicts) {
      if (before.has(JSON.stringify(conflict))) continue;
      findings.push(finding(merchantId, now, 'conflict', `${customer.id}:${conflict.field}:${conflict.at}:${conflict.lost}`, {
        customerId: customer.id,
        relatedId: customer.id,
        targetCollection: 'customers',
        code: 'CONFLICT',
        details: { field: conflict.field, lost: conflict.lost, kept: conflict.kept, at: conflict.at },
      }));
    }
  }
  return findings;
}
