import type { Customer } from '../model/customer.ts';
import { memberCodeQuery } from '../model/member-code.ts';
import { PHONE_SUFFIX_MAX_DIGITS, phoneQuery, rangeFor, trunkPrefix } from '../model/phone.ts';
import { foldName, toAsciiDigits } from '../model/text.ts';
import type { PatronDatabase } from './database.ts';
import { fromReplica } from './documents.ts';

// The counter's lookup as the cashier types, as one rule: `lookupPlan` turns the typed text into the index
// ranges to read, in the order their results are listed. Two executors run a plan — the in-memory index
// (lookup-index.ts, once filled) and the replica's own indexes (`lookupInReplica`, until then) — so both
// always answer alike.

/**
 * What the lookup reads: the national-number prefix, the reversed digits, the folded name from its start, the
 * member code and the e-mail (in memory only: the replica has no index for them), and `text` — any word of
 * the name with typos and inner parts, in memory (text-search.ts); the replica reads it as a `nameKey` range.
 */
export type LookupField = 'phoneKey' | 'phoneReversed' | 'nameKey' | 'memberCode' | 'email' | 'text';

/** One probe: every customer whose `field` starts with `key` (in key order), or, for `text`, matches it (best first). */
export interface LookupProbe {
  field: LookupField;
  key: string;
}

/** Longest "last digits" read as a suffix too when typed without the trunk prefix (the last 7, 8 … digits). */
const SUFFIX_WITHOUT_TRUNK_MAX_DIGITS = 10;

/** The phone ranges for digits: as phoneQuery reads them, plus the other reading of short and long numbers. */
function phoneProbes(typed: string, defaultRegion: string): LookupProbe[] {
  const phone = phoneQuery(typed, defaultRegion);
  if (phone.kind === 'none') return [];
  const probes: LookupProbe[] = [{ field: phone.kind === 'prefix' ? 'phoneKey' : 'phoneReversed', key: phone.key }];
  const ascii = toAsciiDigits(typed);
  const digits = ascii.replace(/\D/g, '');
  const reversed = [...digits].reverse().join('');
  const international = /^\s*(\+|00)/.test(ascii);
  if (phone.kind === 'prefix' && /^\s*0/.test(ascii) && digits.length >= 3 && digits.length <= PHONE_SUFFIX_MAX_DIGITS) {
    probes.push({ field: 'phoneReversed', key: reversed });
  } else if (phone.kind === 'suffix' && digits.length >= 3) {
    // "912442": the start of a number typed without its 0, after the numbers ending so.
    probes.push({ field: 'phoneKey', key: trunkPrefix(defaultRegion) + digits });
  } else if (phone.kind === 'prefix' && !/^\s*0/.test(ascii) && !international && digits.length <= SUFFIX_WITHOUT_TRUNK_MAX_DIGITS) {
    // "4421234": the last seven digits, after the numbers starting so (read as 04421234…).
    probes.push({ field: 'phoneReversed', key: reversed });
  }
  return probes;
}

/**
 * The probes for a typed text (docs/architecture.md#phone-and-text), in the order their results are listed. A member code (`7-00425`)
 * first. Digits search the national-number prefix or, for up to six digits without the trunk prefix, the last
 * digits ("last four?"); each reading is followed by the other one where both make sense: 3–6 digits with a
 * leading 0 may be the last digits (…0053), 3–6 digits without it the start of a number typed without its 0
 * (912442…), and 7–10 digits without it the last digits too. Anything else is a name (any word, typos
 * allowed) and an e-mail prefix — the e-mail first when the text has an @. No probe for empty text.
 */
export function lookupPlan(typed: string, defaultRegion: string): LookupProbe[] {
  const code = memberCodeQuery(typed);
  const probes: LookupProbe[] = code !== null && code.length >= 3 ? [{ field: 'memberCode', key: code }] : [];
  const phone = phoneProbes(typed, defaultRegion);
  if (phone.length > 0) return [...probes, ...phone];
  if (code !== null) return probes;
  const key = foldName(typed);
  if (key.length === 0) return probes;
  const email = typed.trim().toLowerCase();
  const text: LookupProbe = { field: 'text', key };
  // An e-mail has no spaces; a name with spaces is no e-mail.
  if (/\s/.test(email)) return [...probes, text];
  return email.includes('@') ? [...probes, { field: 'email', key: email }, text] : [...probes, text, { field: 'email', key: email }];
}

/** Runs a plan on the replica: each probe one range of an index, sorted by it and limited — never a scan. */
export async function lookupInReplica(db: PatronDatabase, plan: readonly LookupProbe[], limit: number): Promise<Customer[]> {
  const results: Customer[] = [];
  const seen = new Set<string>();
  for (const probe of plan) {
    if (results.length >= limit) break;
    // The replica has no member-code or e-mail index (they wait for the in-memory index); text is a name prefix.
    if (probe.field === 'memberCode' || probe.field === 'email') continue;
    const field = probe.field === 'text' ? 'nameKey' : probe.field;
    const docs = await db.customers.find({ selector: { [field]: rangeFor(probe.key) }, sort: [{ [field]: 'asc' }], limit }).exec();
    for (const doc of docs) {
      if (results.length >= limit || seen.has(doc.id)) continue;
      seen.add(doc.id);
      results.push(fromReplica<Customer>(doc));
    }
  }
  return results;
}
