import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

/** Namespace for Patron's deterministic ids (a fixed random UUID; never change it). */
export const PATRON_ID_NAMESPACE = '6f1c3b5e-2d47-4a8e-9a61-0c8f4e7b2d19';

/** A new time-ordered document id (UUIDv7). */
export function newId(): string {
  return uuidv7();
}

/**
 * The id of a visit's earning entry: UUIDv5 of `visitId:earn`, so a retried or duplicated earning
 * collides on its key instead of crediting twice (docs/architecture.md#deterministic-ids).
 */
export function earnEntryId(visitId: string): string {
  return uuidv5(`${visitId}:earn`, PATRON_ID_NAMESPACE);
}

/**
 * The id of an expiry entry: one per customer and cut-off day, so two terminals (or a retried job)
 * expiring the same points collide instead of expiring them twice.
 */
export function expireEntryId(customerId: string, cutoffDay: string): string {
  return uuidv5(`${customerId}:expire:${cutoffDay}`, PATRON_ID_NAMESPACE);
}

/** The id of the reversal of entry `entryId` (a visit void): deterministic for the same reason. */
export function reversalEntryId(entryId: string): string {
  return uuidv5(`${entryId}:reversal`, PATRON_ID_NAMESPACE);
}

/**
 * The id of a visit's stamp line: UUIDv5 of `visitId:stamp`, so a retried or duplicated visit stamps the card
 * once (docs/loyalty.md#stamp-cards); its void's reversal is `reversalEntryId(stampEntryId(visitId))`.
 */
export function stampEntryId(visitId: string): string {
  return uuidv5(`${visitId}:stamp`, PATRON_ID_NAMESPACE);
}

/** The id of the customer an import creates from line `line`: a retried batch collides instead of doubling. */
export function importedCustomerId(importId: string, line: number): string {
  return uuidv5(`${importId}:line:${line}`, PATRON_ID_NAMESPACE);
}

/** The id of a customer's opening-balance line (one per customer an import creates). */
export function openingEntryId(customerId: string): string {
  return uuidv5(`${customerId}:opening`, PATRON_ID_NAMESPACE);
}

/**
 * The id of the redemption of a reward on a visit: recording the visit again after a crash writes the same line,
 * and a reward counts at most once per visit.
 */
export function redeemEntryId(visitId: string, rewardId: string): string {
  return uuidv5(`${visitId}:redeem:${rewardId}`, PATRON_ID_NAMESPACE);
}
