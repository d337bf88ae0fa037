import { map, type Observable } from 'rxjs';
import type { Reward } from '../../model/reward.ts';
import { mayWorkAt, type Staff } from '../../model/staff.ts';
import type { PatronDatabase } from '../database.ts';
import { fromReplica } from '../documents.ts';

/** Live reads of the rewards catalog and of who may sign in here. */
export function catalogQueries(sources: { db: PatronDatabase; storeId: string }) {
  const { db } = sources;
  return {
    /** The rewards catalog, cheapest first. */
    rewards$(): Observable<Reward[]> {
      return db.rewards.find().$.pipe(
        map((docs) => docs.map((d) => fromReplica<Reward>(d)).sort((a, b) => a.pointsCost - b.pointsCost || a.name.localeCompare(b.name))),
      );
    },
    /** Every member of the merchant (the owner's staff screen): active ones first, then by name. */
    allStaff$(): Observable<Staff[]> {
      return db.staff.find().$.pipe(
        map((docs) =>
          docs
            .map((d) => fromReplica<Staff>(d))
            .sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name)),
        ),
      );
    },
    /** Staff who may sign in at this terminal's store, by name. */
    signInStaff$(): Observable<Staff[]> {
      return db.staff.find().$.pipe(
        map((docs) =>
          docs
            .map((d) => fromReplica<Staff>(d))
            .filter((member) => mayWorkAt(member, sources.storeId))
            .sort((a, b) => a.name.localeCompare(b.name)),
        ),
      );
    },
  };
}
