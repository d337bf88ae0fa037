import type { ExistingCustomers } from '../../model/import-dedupe.ts';
import type { LookupIndex } from '../lookup-index.ts';

/** An E.164 number's digits reversed: the lookup index's `phoneReversed` key (phone.ts phoneKeys), without parsing it. */
const reversedDigits = (e164: string) => [...e164.slice(1)].reverse().join('');

/**
 * The replica's live customers by the keys an import matches on (member code, phone, second phone, e-mail),
 * from the lookup index's sorted arrays (a binary search each, never a scan per row). A phone is found by its
 * reversed digits, which an E.164 number gives as it is, so no row's number is parsed again. Resolves once the
 * index has filled.
 */
export async function existingCustomers(index: LookupIndex): Promise<ExistingCustomers> {
  await index.ready;
  const live = (found: { id: string; mergedInto: string | null }[]) => found.find((c) => c.mergedInto === null)?.id ?? null;
  return {
    byMemberCode: (code) => live(index.exact('memberCode', code)),
    byEmail: (email) => live(index.exact('email', email)),
    byPhone: (e164) => live(index.exact('phoneReversed', reversedDigits(e164)).filter((c) => c.phone === e164)),
    // The phone index holds both phones' keys.
    bySecondPhone: (e164) => live(index.exact('phoneReversed', reversedDigits(e164)).filter((c) => c.phone2 === e164)),
  };
}
