import { combineLatest, firstValueFrom, map, timer, type Observable } from 'rxjs';
import { DAY_MS } from '../../model/dates.ts';
import { earnEntryId } from '../../model/ids.ts';
import { voidImpact, type VoidImpact } from '../../model/ledger-rules.ts';
import { activityLines, filterActivity, standingAt, type ActivityFilter, type ActivityLine, type LoyaltyStanding } from '../../model/loyalty-activity.ts';
import type { LoyaltyEntry } from '../../model/loyalty-entry.ts';
import { programKinds, stampCardProgress, type StampCardProgress } from '../../model/stamp-card.ts';
import type { Visit } from '../../model/visit.ts';
import { fromReplica } from '../documents.ts';
import { customerCardQueries, type CardSources } from './customer-card.ts';

// The customer's loyalty as the card shows it (docs/loyalty.md): the activity with running balance, the standing with
// derived expiry taken out, and what a void would do. Expiry depends on the clock: the live reads re-derive on
// every change and once a minute, so points leave the balance when they expire, not at the next write.

/** How often the live loyalty reads look at the clock again. */
const CLOCK_TICK_MS = 60_000;
const clock$ = () => timer(0, CLOCK_TICK_MS).pipe(map(() => Date.now()));

/** Which activity lines to show: kinds (all when empty) and the last `periodDays` days (all when null). */
export interface ActivityView {
  kinds: readonly LoyaltyEntry['kind'][];
  periodDays: number | null;
}

/** Loyalty reads of one customer's merge group. */
export function loyaltyQueries(sources: CardSources) {
  const card = customerCardQueries(sources);
  return {
    /** Every earn, redemption, expiry, adjustment and reversal, newest first, with the balance after each; filtered. */
    activity$(group: readonly string[], view: ActivityView): Observable<ActivityLine[]> {
      return combineLatest([card.entries$(group), sources.settings$, clock$()]).pipe(
        map(([entries, settings, now]) => {
          const filter: ActivityFilter = { kinds: view.kinds, from: view.periodDays === null ? null : new Date(now - view.periodDays * DAY_MS).toISOString() };
          return filterActivity(activityLines(entries, settings.program, new Date(now)), filter);
        }),
      );
    },
    /** The group's standing now: balance net of expired points, tier, and points expiring within 30 days. */
    standing$(group: readonly string[]): Observable<LoyaltyStanding> {
      return combineLatest([card.summary$(group), card.entries$(group), sources.settings$, clock$()]).pipe(
        map(([summary, entries, settings, now]) => standingAt(summary, entries, settings.program, new Date(now))),
      );
    },
    /** The group's stamp card ("7 of 10"), derived from its stamp lines; null when the programme has no stamp card. */
    stampCard$(group: readonly string[]): Observable<StampCardProgress | null> {
      return combineLatest([card.entries$(group), sources.settings$]).pipe(
        map(([entries, settings]) => {
          const stampCard = programKinds(settings.program).stampCard;
          return stampCard ? stampCardProgress(entries, stampCard) : null;
        }),
      );
    },
    /** What voiding (or refunding) a visit would do to its customer's balance at `now`; null for an unknown or voided visit. */
    async voidImpact(visitId: string, now: number): Promise<VoidImpact | null> {
      const doc = await sources.db.visits.findOne(visitId).exec();
      if (!doc) return null;
      const visit = fromReplica<Visit>(doc);
      if (visit.voided) return null;
      const earnDoc = await sources.db.loyaltyEntries.findOne(earnEntryId(visitId)).exec();
      const earned = earnDoc ? fromReplica<LoyaltyEntry>(earnDoc).points : visit.pointsEarned;
      const group = sources.merges.groupOf(sources.merges.rootOf(visit.customerId));
      const { balance } = await sources.ledger.groupStanding(group, new Date(now));
      const settings = await firstValueFrom(sources.settings$);
      return voidImpact(visit, earned, balance, new Date(now), settings.program);
    },
  };
}
