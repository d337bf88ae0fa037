import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import type { Refusal } from './rules.ts';
import type { Doc } from './tables.ts';

/** Who is pushing: taken from the verified access token, never from the request body. */
export interface PushContext {
  merchantId: string;
  terminalId: string;
  /** The store the terminal is enrolled at (the token's). */
  storeId: string;
  /** Only the tests' deliberately broken server: no clock row lock, no version reservation (app.ts). */
  brokenClockForTests?: boolean;
}

/** What a push batch wrote and refused: the input of the server's consequences (consequences.ts). */
export interface BatchWrites {
  written: { doc: Doc; previous: Doc | undefined; inserted: boolean }[];
  rejected: { id: string | null; refusal: Refusal; doc: Record<string, unknown> }[];
  /** Earns acknowledged but held until their visit arrives (ledger-checks.ts), never in a balance meanwhile. */
  held: Doc[];
  /** Live, unmerged customers stored before the batch with a phone the batch carries (customers only). */
  samePhone: Doc[];
  /** Redemptions written offline and kept above their reward's per-customer cap (reward-checks.ts). */
  overCap: LoyaltyEntry[];
}
