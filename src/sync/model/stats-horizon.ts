import { DAY_MS } from './dates.ts';
import type { LoyaltyEntry } from './loyalty-entry.ts';
import type { Settings } from './settings.ts';
import type { Visit } from './visit.ts';

/**
 * The first instant, at or after `from` (ms), at which a merge group's statistics (`statsOf`) can read
 * differently with no document changed; Infinity when never. Only two statistics move with time: the segment
 * (segments.ts: days since the last and the first visit against the at-risk, churned and new lines, and which
 * visits are inside the frequency window) and the points net of expiry (loyalty-expiry.ts: a line counts once
 * its instant has passed, an earned lot expires a fixed time after it). Each of those comparisons flips at one
 * of the instants gathered here, so statistics derived at `from` hold until the returned instant.
 */
export function statsHorizon(visits: readonly Visit[], entries: readonly LoyaltyEntry[], settings: Pick<Settings, 'program' | 'segments'>, from: number): number {
  let horizon = Number.POSITIVE_INFINITY;
  const consider = (at: number) => {
    if (at >= from && at < horizon) horizon = at;
  };
  const rules = settings.segments;
  let [first, last] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const visit of visits) {
    if (visit.voided || visit._deleted) continue;
    const at = Date.parse(visit.occurredAt);
    first = Math.min(first, at);
    last = Math.max(last, at);
    consider(at + rules.windowDays * DAY_MS);
  }
  if (last !== Number.NEGATIVE_INFINITY) {
    consider(last + rules.atRiskDays * DAY_MS);
    consider(last + rules.churnedDays * DAY_MS);
    consider(first + rules.newDays * DAY_MS);
  }
  const expiryDays = settings.program.expiryDays;
  if (expiryDays === null) return horizon;
  for (const entry of entries) {
    if (entry._deleted) continue;
    const at = Date.parse(entry.occurredAt);
    consider(at);
    if (entry.points > 0) consider(at + expiryDays * DAY_MS);
  }
  return horizon;
}
