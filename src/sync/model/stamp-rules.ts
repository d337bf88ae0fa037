import { reversalEntryId, stampEntryId } from './ids.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import type { Program } from './settings.ts';
import { programKinds, stampsForVisit } from './stamp-card.ts';
import type { Visit } from './visit.ts';

// The rules every stamp line is checked against, for the terminal's commands and the server's push alike
// (docs/loyalty.md#stamp-cards), like ledger-rules.ts for points: a visit's stamps against the programmes the
// merchant has had, a redemption against the card size, a void's reversal against the stamps it takes back.
// Each check answers null (allowed) or a short reason for the quarantine (never personal data).

/** The most stamps `visit` earns under any of `programs` (0 when none had a stamp card it qualifies for). */
export function maxStampsForVisit(visit: Pick<Visit, 'items' | 'total'>, programs: readonly Program[]): number {
  return Math.max(0, ...programs.map((program) => stampsForVisit(visit, programKinds(program).stampCard)));
}

/**
 * Why a visit's stamp line is refused, or null (`visit` null: not known yet, the caller holds the line until it
 * is). It names its visit, has the id derived from it (so a visit stamps once), is on the visit's customer, and
 * gives no more stamps than a programme the merchant has had allows for the visit.
 */
export function stampProblem(entry: LoyaltyEntry, visit: Pick<Visit, 'customerId' | 'items' | 'total'> | null, programs: readonly Program[]): string | null {
  if (entry.visitId === null) return 'a stamp line names its visit';
  if (entry.id !== stampEntryId(entry.visitId)) return "a visit's stamps have the id derived from the visit";
  if (visit === null) return null;
  if (visit.customerId !== entry.customerId) return 'stamps are written on the customer of their visit';
  if ((entry.stamps ?? 0) > maxStampsForVisit(visit, programs)) return 'more stamps than the programme gives for the visit';
  return null;
}

/**
 * Why a card's redemption is refused, or null: it takes exactly one card (the card size of a programme the
 * merchant has had) and names no visit or reward. Whether the card was full is the overdraft check's business:
 * two offline tills may both redeem the same full card, and both handed the reward over.
 */
export function stampRedemptionProblem(entry: LoyaltyEntry, programs: readonly Program[]): string | null {
  if (entry.visitId !== null || entry.rewardId !== null || entry.reversesId !== null) return 'a card redemption names no visit, reward or line';
  const sizes = programs.map((program) => programKinds(program).stampCard?.cardSize).filter((size) => size !== undefined);
  return sizes.includes(-(entry.stamps ?? 0)) ? null : 'a card redemption takes exactly one full card';
}

/**
 * Why a void's stamp reversal is refused, or null. It names its visit's stamp line (`target`, null when not
 * known) by the derived ids, so a visit's stamps are taken back at most once, is on that line's customer, and
 * takes back at most the line's stamps.
 */
export function stampReversalProblem(entry: LoyaltyEntry, target: Pick<LoyaltyEntry, 'customerId' | 'kind' | 'stamps'> | null): string | null {
  if (entry.visitId === null || entry.reversesId !== stampEntryId(entry.visitId)) return "a stamp reversal names its visit's stamp line";
  if (entry.id !== reversalEntryId(entry.reversesId)) return 'a reversal has the id derived from the line it reverses';
  if (target === null || target.kind !== 'stamp') return 'a stamp reversal names an existing stamp line';
  if (target.customerId !== entry.customerId) return "a stamp reversal is on its stamp line's customer";
  return -(entry.stamps ?? 0) <= (target.stamps ?? 0) ? null : 'a reversal takes back at most the stamps of its line';
}
