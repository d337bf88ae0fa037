import type { Customer } from '../model/customer.ts';
import { PHONE_SUFFIX_MAX_DIGITS, phoneQuery, rangeFor } from '../model/phone.ts';
import { foldName, toAsciiDigits } from '../model/text.ts';
import type { PatronDatabase } from './database.ts';
import { fromReplica } from './documents.ts';

// The counter's lookup as the cashier types, as one rule: `lookupPlan` turns the typed text into the index
// ranges to read, in the order their results are listed. Two executors run a plan — the in-memory index
// (lookup-index.ts, once filled) and the replica's own indexes (`lookupInReplica`, until then) — so both
// always answer alike.

/** A customer field the lookup reads through an index: the national-number prefix, the reversed digits, the folded name. */
export type LookupField = 'phoneKey' | 'phoneReversed' | 'nameKey';

/** One index range: every customer whose `field` starts with `key`, in key order. */
export interface LookupProbe {
  field: LookupField;
  key: string;
}

/**
 * The ranges to read for a typed text (docs/architecture.md#lookup). Digits search the national-number prefix or, for up to six
 * digits without the trunk prefix, the last digits ("last four?"). "Last four" can start with 0 (…0053),
 * which reads as the start of a national number: for 3–6 digits with a leading 0 both ranges are read,
 * prefix matches first. Anything else searches the folded name. No range for empty text.
 */
export function lookupPlan(typed: string, defaultRegion: string): LookupProbe[] {
  const phone = phoneQuery(typed, defaultRegion);
  if (phone.kind === 'none') {
    const key = foldName(typed);
    return key.length === 0 ? [] : [{ field: 'nameKey', key }];
  }
  const probes: LookupProbe[] = [{ field: phone.kind === 'prefix' ? 'phoneKey' : 'phoneReversed', key: phone.key }];
  const ascii = toAsciiDigits(typed);
  const digits = ascii.replace(/\D/g, '');
  if (phone.kind === 'prefix' && /^\s*0/.test(ascii) && digits.length >= 3 && digits.length <= PHONE_SUFFIX_MAX_DIGITS) {
    probes.push({ field: 'phoneReversed', key: [...digits].reverse().join('') });
  }
  return probes;
}

/** Runs a plan on the replica: each probe one range of an index, sorted by it and limited — never a scan. */
export async function lookupInReplica(db: PatronDatabase, plan: readonly LookupProbe[], limit: number): Promise<Customer[]> {
  const results: Customer[] = [];
  const seen = new Set<string>();
  for (const probe of plan) {
    if (results.length >= limit) break;
    const docs = await db.customers.find({ selector: { [probe.field]: rangeFor(probe.key) }, sort: [{ [probe.field]: 'asc' }], limit }).exec();
    for (const doc of docs) {
      if (results.length >= limit || seen.has(doc.id)) continue;
      seen.add(doc.id);
      results.push(fromReplica<Customer>(doc));
    }
  }
  return results;
}
